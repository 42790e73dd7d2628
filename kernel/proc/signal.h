// Signals. A signal is made pending by kill() or raised by a fault, and acted on when the
// thread returns to user mode: ignored, its default action (terminate, or ignore for
// SIGCHLD, SIGURG, SIGWINCH, SIGCONT), or a call of the program's handler on a signal frame
// laid out exactly as Linux x86_64 lays it out (rt_sigframe: return address = sa_restorer,
// ucontext with the saved registers, siginfo, FPU state), undone by rt_sigreturn.
// Stopping (SIGSTOP, SIGTSTP, ...) is not supported: those signals are ignored.
#pragma once

#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/lib/result.h"

class Process;

// What a synchronous fault tells its handler: the signal, si_code and si_addr, as Linux
// fills them for the exception (e.g. SIGSEGV/SEGV_MAPERR/the address for a page fault,
// SIGSEGV/SI_KERNEL/0 for a general-protection fault).
struct FaultSignal {
    int signal;
    int code;
    u64 address;
};
constexpr int SI_KERNEL = 0x80, SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1, BUS_ADRERR = 2, ILL_ILLOPN = 2,
              FPE_INTDIV = 1, TRAP_BRKPT = 1;

// A fault raised by the current user thread: runs the handler if one is installed and the
// signal is not blocked; otherwise the process dies, logged in one line. Returns only when
// a handler was set up.
void deliver_fault_signal(TrapFrame& frame, FaultSignal fault);
// kill(): makes `signal` pending in `target` and wakes it if it sleeps, so it acts on it.
Result<void> send_signal(Process& target, int signal);
// Called on every return to user mode: acts on the pending signals of the current process.
void handle_pending_signals();
// True if the current process has a deliverable signal (blocking calls then return EINTR).
bool signal_pending();
// rt_sigreturn: restores the registers saved by a handler's signal frame. Returns the
// restored rax (the value the interrupted code sees).
Result<i64> return_from_signal_handler(TrapFrame& frame);
char const* signal_name(int signal);
