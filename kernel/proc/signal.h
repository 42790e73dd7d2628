// Signals, as far as Pagoda has them. Every signal takes its default action — terminate
// (SIGTERM, SIGKILL, SIGSEGV, ...) or ignore (SIGCHLD, SIGURG, SIGWINCH) — or is ignored when
// the process set SIG_IGN. Handlers are recorded by rt_sigaction but not yet run: a caught
// signal still takes its default action (docs/syscalls.md).
#pragma once

#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/lib/result.h"

class Process;

// A fault raised by the current user thread at `address` (SIGSEGV, SIGBUS, ...).
[[noreturn]] void deliver_fault_signal(TrapFrame& frame, int signal, u64 address);
// kill(): makes `signal` pending in `target` and wakes it if it sleeps, so it acts on it.
Result<void> send_signal(Process& target, int signal);
// Called on every return to user mode: acts on pending signals of the current process.
void handle_pending_signals();
// True if the current process has a signal that will end an interruptible wait (EINTR).
bool signal_pending();
char const* signal_name(int signal);
