// Linux's signal numbers on x86_64 (asm/signal.h): part of the ABI, shared by the entry code
// (which exception raises which signal) and the process layer.
#pragma once

#include "types.h"

constexpr int SIGNAL_COUNT = 64;
constexpr int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8, SIGKILL = 9,
              SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17,
              SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25,
              SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31, SIGRTMIN = 32;

// Who sent a pending signal, for the handler's siginfo: si_code (signal_codes.h), si_pid,
// and si_status or si_value (the same place in siginfo: SIGCHLD's child status, sigqueue's
// value).
struct SignalSender {
    int code { 0x80 }; // SI_KERNEL
    u32 pid { 0 };
    u64 status_or_value { 0 };
    u32 uid { 0 }; // si_uid: the sender's real uid
};
