#include "signal.h"
#include "core_dump.h"
#include "job_control.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/scheduler.h"
#include "process.h"
#include "session.h"
#include "signal_queue_limit.h"

namespace {

constexpr u64 SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SA_RESTORER = 0x04000000, SA_NODEFER = 0x40000000,
              SA_RESETHAND = 0x80000000, SA_RESTART = 0x10000000;
constexpr u64 UNBLOCKABLE = UNBLOCKABLE_SIGNALS;
constexpr i32 SS_ONSTACK = 1, SS_DISABLE = 2;
constexpr u32 SS_AUTODISARM = 1u << 31;

// The kernel's signal frame layout for x86_64 (arch/x86/include/uapi/asm/sigcontext.h and
// ucontext.h): what a handler's third argument points to, and what rt_sigreturn reads back.
struct SigContext {
    u64 r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    u16 cs, gs, fs, ss;
    u64 err, trapno, oldmask, cr2;
    u64 fpstate; // user address of the fxsave image
    u64 reserved[8];
};
static_assert(sizeof(SigContext) == 256);

struct UContext {
    u64 flags;
    u64 link;
    u64 stack_pointer;
    i32 stack_flags;
    i32 pad;
    u64 stack_size;
    SigContext mcontext;
    u64 sigmask;
};

struct SignalFrame {
    u64 return_address; // sa_restorer: calls rt_sigreturn
    UContext uc;
    SigInfo info;
};

// 512 bytes of fxsave image aligned to 64, the frame aligned to 16 less the 8 of its return
// address slot: what deliver_signal takes below an alternate stack's top.
constexpr u64 FPU_IMAGE_SIZE = 512;

}

u64 minimum_signal_stack_size() { return FPU_IMAGE_SIZE + 63 + sizeof(SignalFrame) + 15 + 8; }

namespace {

// SIGCONT's default is to be ignored: its continuing happens when it is sent (job_control.h).
bool ignored_by_default(int signal) { return signal == SIGCHLD || signal == SIGURG || signal == SIGWINCH || signal == SIGCONT; }

// Whether `signal`, pending in `process`, will do anything (not ignored).
bool takes_effect(Process& process, int signal)
{
    if (signal == SIGKILL)
        return true;
    u64 handler = process.signal_actions[signal - 1].handler;
    if (handler == SIG_IGN)
        return false;
    if (handler == SIG_DFL && ignored_by_default(signal))
        return false;
    return true;
}

u64 allowed(Thread const& thread) { return ~thread.signal_mask | UNBLOCKABLE; }

// What `thread` may take now: its own signals and the process's, less those it blocks.
u64 deliverable(Process& process, Thread const& thread)
{
    return (thread.pending.bits() | process.pending.bits()) & allowed(thread);
}

u64 bit(int signal) { return 1ull << (signal - 1); }

// A signal's default action ends the process: with a core dump for the signals whose action
// is "core" (core_dump.h).
[[noreturn]] void die_from(Process& process, int signal)
{
    process.exit(wait_status_signaled(signal), signal_dumps_core(signal) ? Process::DumpCore::Yes : Process::DumpCore::No);
}

struct AltStack {
    u64 base, size;
    bool on_it;
};

// The thread's alternate signal stack, and whether `sp` is on it (a handler running there).
AltStack alt_stack_of(Thread const& thread, u64 sp)
{
    bool on_it = thread.alt_stack_size && sp - thread.alt_stack_base < thread.alt_stack_size;
    return { thread.alt_stack_base, thread.alt_stack_size, on_it };
}

u32 alt_stack_flags(Thread const& thread, AltStack const& alt)
{
    if (!alt.size)
        return SS_DISABLE;
    return (alt.on_it ? SS_ONSTACK : 0) | (thread.alt_stack_autodisarm ? SS_AUTODISARM : 0);
}

// Builds the signal frame on the user stack and points the thread at the handler. False if
// the frame cannot be written (a bad stack): the caller then kills the process.
bool enter_handler(TrapFrame& frame, int signal, SigInfo const& info)
{
    Process& process = current_process();
    Thread& thread = *current_thread();
    SignalAction action = process.signal_actions[signal - 1];
    if (!(action.flags & SA_RESTORER))
        return false; // x86_64 needs a restorer: every C library passes one

    // SA_ONSTACK with an alternate stack set up, not already in use: the handler runs at its
    // top. Otherwise below the red zone of the interrupted code's stack. Then the FPU state
    // (64-byte aligned), then the frame, whose return address slot sits where a call
    // would have put it (rsp + 8 aligned to 16 at entry).
    AltStack alt = alt_stack_of(thread, frame.rsp);
    bool switch_stack = (action.flags & SA_ONSTACK) && alt.size && !alt.on_it;
    u64 sp = switch_stack ? alt.base + alt.size : frame.rsp - 128;
    u64 fpstate = (sp - FPU_IMAGE_SIZE) & ~u64(63);
    u64 frame_address = ((fpstate - sizeof(SignalFrame)) & ~u64(15)) - 8;

    SignalFrame out {};
    out.return_address = action.restorer;
    out.uc.mcontext = { frame.r8, frame.r9, frame.r10, frame.r11, frame.r12, frame.r13, frame.r14, frame.r15, frame.rdi,
        frame.rsi, frame.rbp, frame.rbx, frame.rdx, frame.rax, frame.rcx, frame.rsp, frame.rip, frame.rflags,
        static_cast<u16>(frame.cs), 0, 0, static_cast<u16>(frame.ss), frame.error_code, frame.vector, thread.signal_mask,
        frame.vector == 14 ? frame.cr2 : 0, fpstate, {} };
    out.uc.sigmask = thread.restore_mask_after_handler ? thread.mask_after_handler : thread.signal_mask;
    out.uc.stack_pointer = alt.base;
    out.uc.stack_size = alt.size;
    out.uc.stack_flags = static_cast<i32>(alt_stack_flags(thread, alt));
    out.info = info;

    AddressSpace& space = process.address_space();
    asm volatile("fxsave %0" : "=m"(thread.fpu_state));
    if (copy_to_user(space, fpstate, thread.fpu_state, 512).is_error()
        || copy_to_user(space, frame_address, &out, sizeof out).is_error())
        return false;

    frame.rsp = frame_address;
    frame.rip = action.handler;
    frame.rdi = static_cast<u64>(signal);
    frame.rsi = frame_address + __builtin_offsetof(SignalFrame, info);
    frame.rdx = frame_address + __builtin_offsetof(SignalFrame, uc);
    frame.rax = 0;
    frame.rflags &= ~(u64(1) << 10); // DF clear, as the ABI requires on function entry
    if (!(action.flags & SA_NODEFER))
        thread.signal_mask |= bit(signal);
    thread.signal_mask |= action.mask;
    thread.signal_mask &= ~UNBLOCKABLE;
    // SA_RESETHAND resets only the handler, as Linux does: the flags and mask stay, so
    // sigaction() in the handler still shows SA_SIGINFO (and SA_RESETHAND).
    if (action.flags & SA_RESETHAND)
        process.signal_actions[signal - 1].handler = SIG_DFL;
    thread.restore_mask_after_handler = false;
    if (switch_stack && thread.alt_stack_autodisarm)
        thread.alt_stack_size = 0; // until the handler's sigreturn restores it (uc_stack)
    return true;
}

bool has_handler(Process& process, int signal)
{
    return signal != SIGKILL && process.signal_actions[signal - 1].handler > SIG_IGN;
}

// A system call that a signal interrupted returned a restart code (lib/errno.h). Once it is
// known whether a handler runs (`handler`, null if none), this decides what the program
// sees: the call again (back onto the syscall instruction with its number in rax), or EINTR.
void settle_interrupted_call(TrapFrame& frame, SignalAction const* handler)
{
    i64 result = static_cast<i64>(frame.rax);
    if (frame.vector != SYSCALL_VECTOR || result >= 0 || !is_restart_code(static_cast<Errno>(-result)))
        return;
    auto code = static_cast<Errno>(-result);
    bool restart = !handler || code == Errno::RestartNoIntr || (code == Errno::RestartSys && (handler->flags & SA_RESTART));
    if (restart) {
        frame.rax = frame.error_code; // the system call number, kept by syscall_entry
        frame.rip -= 2; // back onto the syscall instruction
    } else {
        frame.rax = static_cast<u64>(errno_to_syscall_return(Errno::Interrupted));
        current_thread()->sleep_restart_deadline = 0; // the sleep ends here (EINTR)
    }
}

}

char const* signal_name(int signal)
{
    static char const* const names[] = { "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",
        "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
        "SIGSYS" };
    return signal >= 0 && signal < 32 ? names[signal] : "a real-time signal";
}

void deliver_fault_signal(TrapFrame& frame, int signal, int code, u64 address)
{
    Process& process = current_process();
    // A handler runs only if the signal is not blocked; a blocked or ignored synchronous
    // fault kills the process, as on Linux (it would fault again at once).
    bool blocked = current_thread()->signal_mask & bit(signal);
    if (has_handler(process, signal) && !blocked) {
        SigInfo info {};
        info.signo = signal;
        info.code = code;
        info.fields[0] = address;
        if (enter_handler(frame, signal, info))
            return;
    }
    klog("pid %u (%s) killed by %s: address %lx, rip %lx", process.pid(), process.executable_path(), signal_name(signal), address,
        frame.rip);
    die_from(process, signal);
}

namespace {

Result<void> check_signal_number(int signal)
{
    if (signal < 0 || signal > SIGNAL_COUNT)
        return Errno::Invalid;
    return {};
}

// Takes `signal` off the thread's own pending set if it is there, else off the process's
// (Linux: the private queue first); returns who sent it.
SignalSender take(Process& process, Thread& thread, int signal)
{
    SignalSender sender = thread.pending.has(signal) ? thread.pending.take(signal) : process.pending.take(signal);
    // A POSIX timer's signal: si_overrun counts the expiries since it was sent.
    if (sender.code == SI_TIMER)
        if (PosixTimer* timer = process.posix_timers.find(static_cast<i32>(sender.pid)))
            sender.uid = static_cast<u32>(timer->signal_taken());
    return sender;
}

// Whether `signal` would end the whole process (no handler, a default action that kills).
bool is_fatal(Process& process, int signal)
{
    return !has_handler(process, signal) && takes_effect(process, signal) && !is_stop_signal(signal);
}

}

SignalSender current_sender(int code)
{
    Thread* thread = current_thread();
    if (!thread || !thread->process())
        return {};
    Process& process = *thread->process();
    return { code, process.pid(), 0, process.credentials.uid };
}

SigInfo siginfo_from(int signal, SignalSender const& sender)
{
    SigInfo info {};
    info.signo = signal;
    info.code = sender.code;
    info.fields[0] = sender.pid | (u64(sender.uid) << 32);
    info.fields[1] = sender.status_or_value;
    return info;
}

SignalSender sender_from(SigInfo const& info)
{
    return { info.code, static_cast<u32>(info.fields[0]), info.fields[1], static_cast<u32>(info.fields[0] >> 32) };
}

Result<void> send_signal(Process& target, int signal, SignalSender from)
{
    TRY(check_signal_number(signal));
    if (signal == 0 || target.state() == Process::State::Zombie)
        return {}; // existence check, or a zombie: nothing to do
    prepare_job_signal(target, signal); // SIGCONT continues a stopped process at once
    if (!takes_effect(target, signal))
        return {};
    TRY(target.pending.add(signal, from, signal_queue_room(target, target.pending, signal, from)));
    update_signal_interrupt(target); // an interruptible sleep ends: EINTR, then the signal acts
    return {};
}

Result<void> send_thread_signal(Process& target, Thread& thread, int signal, SignalSender from)
{
    TRY(check_signal_number(signal));
    if (signal == 0 || target.state() == Process::State::Zombie || !takes_effect(target, signal))
        return {};
    TRY(thread.pending.add(signal, from, signal_queue_room(target, thread.pending, signal, from)));
    update_signal_interrupt(target);
    return {};
}

bool signal_pending()
{
    Thread& thread = *current_thread();
    Process& process = current_process();
    return deliverable(process, thread) != 0 || process.thread_must_end(thread) || process.job.stopped;
}

void update_signal_interrupt(Process& process)
{
    // Each signal sent to the process wakes one thread that does not block it — the
    // current one if it can, as Linux prefers — so one handler runs, and other threads'
    // sleeps are not cut short for nothing. A thread's own signals wake only it.
    Thread* current = current_thread();
    bool current_is_ours = current && current->process() == &process;
    u64 unclaimed = process.pending.bits();
    auto claim = [&](Thread& thread) {
        u64 mine = thread.pending.bits() & allowed(thread);
        u64 shared = unclaimed & allowed(thread);
        unclaimed &= ~shared;
        return mine | shared;
    };
    auto settle = [&](Thread& thread, u64 wanted) {
        if (process.thread_must_end(thread)) {
            thread.interrupt(true);
            return;
        }
        if (process.job.stopped) {
            // To the stop point (job_control.h), where only SIGKILL gets past: other
            // signals, fatal ones too, wait pending until SIGCONT, as on Linux.
            thread.interrupt(wanted & bit(SIGKILL));
            return;
        }
        if (!wanted) {
            thread.clear_interrupt();
            return;
        }
        bool fatal = false;
        for (int signal = 1; signal <= SIGNAL_COUNT && !fatal; ++signal)
            if ((wanted & bit(signal)) && is_fatal(process, signal))
                fatal = true;
        thread.interrupt(fatal);
    };
    if (current_is_ours)
        settle(*current, claim(*current));
    process.for_each_thread([&](Thread& thread) {
        if (&thread != current)
            settle(thread, claim(thread));
    });
}

void handle_pending_signals()
{
    Process& process = current_process();
    Thread& thread = *current_thread();
    // Ends here if another thread ends the group or runs execve; sleeps here while stopped.
    auto stop_point = [&] {
        if (process.thread_must_end(thread))
            process.exit_thread(thread, 0);
        wait_while_stopped(process, thread);
        if (process.thread_must_end(thread))
            process.exit_thread(thread, 0);
    };
    TrapFrame& frame = thread.user_frame();
    // The common case, at the end of almost every system call: nothing pending anywhere in
    // the process and nothing asked of this thread. Nothing to route either, so the walk
    // over the threads (update_signal_interrupt) is skipped. (A call may still return a restart
    // code: a sibling took the signal that woke this thread. No handler runs: it restarts.)
    if (!thread.interrupt_pending() && !thread.pending.bits() && !process.pending.bits() && !process.job.stopped
        && !process.thread_must_end(thread) && !thread.restore_mask_after_handler) {
        settle_interrupted_call(frame, nullptr);
        return;
    }
    stop_point();
    while (u64 pending = deliverable(process, thread)) {
        int signal = (pending & bit(SIGKILL)) ? SIGKILL : __builtin_ctzll(pending) + 1;
        SignalSender sender = take(process, thread, signal);
        if (!takes_effect(process, signal))
            continue; // became ignored while pending
        if (is_stop_signal(signal) && !has_handler(process, signal)) {
            // The terminal's stop signals do nothing to an orphaned group: nobody would
            // continue it. SIGSTOP always stops (Linux's get_signal).
            if (signal != SIGSTOP && process_group_orphaned(process.process_group()))
                continue;
            stop_process(process, signal);
            stop_point();
            continue;
        }
        if (!has_handler(process, signal))
            die_from(process, signal);

        settle_interrupted_call(frame, &process.signal_actions[signal - 1]);
        SigInfo info = siginfo_from(signal, sender);
        if (!enter_handler(frame, signal, info)) {
            klog("pid %u: cannot deliver %s (bad stack or no restorer): killed", process.pid(), signal_name(signal));
            die_from(process, SIGSEGV);
        }
        // As Linux: every signal still deliverable under the handler's mask gets its frame
        // now, on top of this one, so the last one taken (the highest-numbered) runs first
        // and returns into the one below it. Programs can tell: zsh's `wait` ends for a trap
        // only if the trap's handler runs after SIGCHLD's (tests: signal_nesting).
    }
    // If no handler ran, an interrupted call restarts and sigsuspend's mask is put back;
    // after a handler's frame (rax 0, nothing to restore) both do nothing.
    settle_interrupted_call(frame, nullptr);
    restore_mask_now_if_pending();
    update_signal_interrupt(process);
}

Result<i64> return_from_signal_handler(TrapFrame& frame)
{
    Process& process = current_process();
    Thread& thread = *current_thread();
    // The restorer's `ret` popped the return address: rsp points at the ucontext.
    UContext uc;
    if (copy_from_user(process.address_space(), &uc, frame.rsp, sizeof uc).is_error()) {
        klog("pid %u: rt_sigreturn with a bad frame: killed", process.pid());
        die_from(process, SIGSEGV);
    }
    SigContext const& c = uc.mcontext;
    frame.r8 = c.r8, frame.r9 = c.r9, frame.r10 = c.r10, frame.r11 = c.r11;
    frame.r12 = c.r12, frame.r13 = c.r13, frame.r14 = c.r14, frame.r15 = c.r15;
    frame.rdi = c.rdi, frame.rsi = c.rsi, frame.rbp = c.rbp, frame.rbx = c.rbx;
    frame.rdx = c.rdx, frame.rax = c.rax, frame.rcx = c.rcx, frame.rsp = c.rsp, frame.rip = c.rip;
    // Only the flags user code may change (CF PF AF ZF SF TF DF OF AC); IF stays on.
    constexpr u64 USER_FLAGS = 0x40DD5;
    frame.rflags = (frame.rflags & ~USER_FLAGS) | (c.eflags & USER_FLAGS) | RFLAGS_INTERRUPT_ENABLE;
    frame.cs = USER_CODE_SELECTOR;
    frame.ss = USER_DATA_SELECTOR;
    frame.vector = 0; // not a system call any more: never restarted
    thread.signal_mask = uc.sigmask & ~UNBLOCKABLE;
    // The alternate stack as the frame recorded it (SS_AUTODISARM disabled it meanwhile).
    (void)set_alt_stack(thread, { uc.stack_pointer, static_cast<u32>(uc.stack_flags), uc.stack_size });
    if (c.fpstate) {
        alignas(16) u8 saved[512];
        if (!copy_from_user(process.address_space(), saved, c.fpstate, sizeof saved).is_error()) {
            // MXCSR's reserved bits must be zero or fxrstor faults.
            u32 mxcsr;
            memcpy(&mxcsr, saved + 24, 4);
            mxcsr &= 0xFFFF;
            memcpy(saved + 24, &mxcsr, 4);
            memcpy(thread.fpu_state, saved, sizeof saved);
            asm volatile("fxrstor %0" : : "m"(thread.fpu_state));
        }
    }
    return static_cast<i64>(frame.rax);
}

u64 blocked_pending_signals()
{
    Thread& thread = *current_thread();
    return (thread.pending.bits() | current_process().pending.bits()) & thread.signal_mask;
}

int take_pending_signal(u64 set, SignalSender* sender)
{
    Thread& thread = *current_thread();
    Process& process = current_process();
    u64 pending = (thread.pending.bits() | process.pending.bits()) & set;
    if (!pending)
        return 0;
    int signal = __builtin_ctzll(pending) + 1;
    SignalSender from = take(process, thread, signal);
    if (sender)
        *sender = from;
    update_signal_interrupt(process);
    return signal;
}

void set_signal_mask(u64 mask)
{
    current_thread()->signal_mask = mask & ~UNBLOCKABLE;
    update_signal_interrupt(current_process());
}

void restore_mask_after_next_handler(u64 mask)
{
    Thread& thread = *current_thread();
    thread.mask_after_handler = mask;
    thread.restore_mask_after_handler = true;
}

u64 replace_signal_mask(u64 mask)
{
    u64 old = current_thread()->signal_mask;
    set_signal_mask(mask); // what the new mask lets through ends the wait at once
    return old;
}

void restore_signal_mask(u64 old_mask, CallInterrupted interrupted)
{
    if (interrupted == CallInterrupted::Yes)
        restore_mask_after_next_handler(old_mask); // handle_pending_signals() puts it back
    else
        set_signal_mask(old_mask);
}

void restore_mask_now_if_pending()
{
    Thread& thread = *current_thread();
    if (!thread.restore_mask_after_handler)
        return;
    thread.restore_mask_after_handler = false;
    set_signal_mask(thread.mask_after_handler);
}

AltStackSetting alt_stack_setting(Thread const& thread, u64 sp)
{
    AltStack alt = alt_stack_of(thread, sp);
    return { alt.base, alt_stack_flags(thread, alt), alt.size };
}

Result<void> set_alt_stack(Thread& thread, AltStackSetting const& setting)
{
    constexpr u64 MINSIGSTKSZ = 2048;
    u32 mode = setting.flags & ~SS_AUTODISARM;
    if (mode != 0 && mode != SS_ONSTACK && mode != static_cast<u32>(SS_DISABLE))
        return Errno::Invalid;
    if (mode == static_cast<u32>(SS_DISABLE)) {
        thread.alt_stack_base = thread.alt_stack_size = 0;
        thread.alt_stack_autodisarm = false;
        return {};
    }
    if (setting.size < MINSIGSTKSZ)
        return Errno::NoMemory;
    thread.alt_stack_base = setting.base;
    thread.alt_stack_size = setting.size;
    thread.alt_stack_autodisarm = setting.flags & SS_AUTODISARM;
    return {};
}

Result<void> check_kill_permission(Process& sender, Process& target, int signal)
{
    if (signal < 0 || signal > SIGNAL_COUNT)
        return Errno::Invalid; // before permission, as Linux
    bool same_session = signal == SIGCONT && target.session() == sender.session();
    if (!same_session && !sender.credentials.may_signal(target.credentials))
        return Errno::NotPermitted;
    return {};
}
