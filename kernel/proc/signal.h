// Signals, as far as Pagoda has them: a fault's signal kills the process (the default action
// of SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP). Handlers are recorded by rt_sigaction but
// not yet run: a program that catches SIGSEGV still dies from it.
#pragma once

#include "kernel/arch/x86_64/trap_frame.h"

// Delivers `signal` raised by the current user thread at `address`. Does not return.
[[noreturn]] void deliver_fault_signal(TrapFrame& frame, int signal, u64 address);
char const* signal_name(int signal);
