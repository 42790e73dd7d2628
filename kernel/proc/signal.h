// Signals. A signal is made pending by kill() or raised by a fault, and acted on when the
// thread returns to user mode: ignored, its default action (terminate, with a core dump
// for SIGQUIT, SIGSEGV, SIGABRT... as core_dump.h says, or ignore for SIGCHLD, SIGURG,
// SIGWINCH, SIGCONT), or a call of the program's handler on a signal frame laid out
// exactly as Linux x86_64 lays it out (rt_sigframe: return address = sa_restorer,
// ucontext with the saved registers, siginfo, FPU state), undone by rt_sigreturn.
// Stopping and continuing (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT): job_control.h.
#pragma once

#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/lib/result.h"
#include "kernel/lib/signal_codes.h"
#include "kernel/lib/signal_numbers.h"

class Process;
class Thread;

// A fault raised by the current user thread (SIGSEGV, SIGBUS, ...) with its si_code and
// si_addr: runs the handler if one is installed and the signal is not blocked; otherwise
// the process dies, logged in one line. Returns only when a handler was set up.
void deliver_fault_signal(TrapFrame& frame, int signal, int code, u64 address);
// siginfo_t as Linux lays it out (128 bytes): after the header, a fault's si_addr, or a
// sender's si_pid and si_uid then si_status (SIGCHLD) / si_value (sigqueue).
constexpr u64 UNBLOCKABLE_SIGNALS = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));
struct SigInfo {
    i32 signo, errno_value, code, pad;
    u64 fields[14];
};
static_assert(sizeof(SigInfo) == 128);
SigInfo siginfo_from(int signal, SignalSender const&);
SignalSender sender_from(SigInfo const&);

// The current process as a signal's sender (SI_USER: kill, and Linux's send_sig for
// SIGPIPE and SIGXFSZ), or the kernel if no process runs.
SignalSender current_sender(int code = SI_USER);
// kill(): makes `signal` pending in `target` and wakes one of its threads that does not
// block it, so it acts on it.
Result<void> send_signal(Process& target, int signal, SignalSender from = current_sender());
// Whether `sender` may signal `target` (Linux's check_kill_permission): its credentials
// allow it (Credentials::may_signal), or it is SIGCONT within the sender's session;
// NotPermitted otherwise. kill, tgkill and tkill ask before they send.
Result<void> check_kill_permission(Process& sender, Process& target, int signal);
// tgkill()/tkill(): the same for one thread of `target` (only it may take the signal).
Result<void> send_thread_signal(Process& target, Thread& thread, int signal, SignalSender from = current_sender(SI_TKILL));
// Called on every return to user mode: acts on the signals the current thread may take
// (its own, then its process's), or ends the thread if another is ending the group.
void handle_pending_signals();
// True if the current thread has a deliverable signal (blocking calls then return EINTR),
// or must end.
bool signal_pending();
// Keeps the thread's interrupt flag (sched/thread.h) equal to "a signal is deliverable",
// so that exactly then its interruptible sleeps end. Called whenever pending signals or
// the mask change: by send_signal() and after handle_pending_signals().
void update_signal_interrupt(Process&);
// ppoll and pselect6 wait under a mask of the caller's: replace_signal_mask() installs it
// and returns the mask it replaced; restore_signal_mask() puts that back — at once, or, for
// a call that ends interrupted, only once the handler that interrupted it is set up, so the
// signal the temporary mask let through is delivered and the handler's frame saves (and
// rt_sigreturn restores) the old mask, as Linux's set_restore_sigmask() does (on top of
// set_signal_mask and restore_mask_after_next_handler, below).
u64 replace_signal_mask(u64 mask);
enum class CallInterrupted {
    No,
    Yes
};
void restore_signal_mask(u64 old_mask, CallInterrupted);
// rt_sigreturn: restores the registers saved by a handler's signal frame. Returns the
// restored rax (the value the interrupted code sees).
Result<i64> return_from_signal_handler(TrapFrame& frame);
// The most stack one signal delivery takes (FPU image, frame, alignment): execve's
// AT_MINSIGSTKSZ, the least an alternate signal stack needs.
u64 minimum_signal_stack_size();
char const* signal_name(int signal);

// --- Waiting for signals (rt_sigpending, rt_sigtimedwait, rt_sigsuspend) and the
// alternate signal stack (sigaltstack), for the calling thread.
// Signals pending for the thread (its own and its process's) that it blocks.
u64 blocked_pending_signals();
// Takes the lowest signal of `set` pending for the thread, without running a handler; 0 if
// none is. `sender`, if given, says who sent it.
int take_pending_signal(u64 set, SignalSender* sender = nullptr);
// Sets the thread's mask (SIGKILL and SIGSTOP stay unblocked) and re-routes process signals.
void set_signal_mask(u64 mask);
// sigsuspend: the next handler's frame restores `mask` (not the one it runs under), so the
// handler's sigreturn puts back the mask from before the call.
void restore_mask_after_next_handler(u64 mask);
// If no handler ran after all, the mask goes back at once.
void restore_mask_now_if_pending();
struct AltStackSetting {
    u64 base;
    u32 flags; // SS_ONSTACK (in use), SS_DISABLE, SS_AUTODISARM
    u64 size;
};
// The thread's alternate stack as sigaltstack reports it; `sp` tells whether it is in use.
AltStackSetting alt_stack_setting(Thread const&, u64 sp);
// EINVAL for unknown flags, ENOMEM below MINSIGSTKSZ.
Result<void> set_alt_stack(Thread&, AltStackSetting const&);
