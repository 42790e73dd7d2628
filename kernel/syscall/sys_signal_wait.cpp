// Waiting for signals and where their handlers run, per thread: rt_sigpending,
// rt_sigtimedwait, rt_sigsuspend and sigaltstack. The mechanisms are in proc/signal.cpp.
#include "handlers.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/lib/memory.h"
#include "kernel/proc/signal.h"
#include "timespec.h"

namespace {

Result<u64> read_signal_set(UserAddress set, u64 size)
{
    if (size != 8)
        return Errno::Invalid;
    return TRY(read_user<u64>(set));
}

}

Result<i64> sys_rt_sigpending(UserAddress set, u64 size)
{
    if (size > 8)
        return Errno::Invalid;
    u64 pending = blocked_pending_signals();
    TRY(copy_to_user(user_space(), set, &pending, size));
    return 0;
}

// Waits for one of `set` without running its handler: the signals of the set are taken
// off the mask while the thread sleeps, so they wake it, and taken here before any handler
// could see them. Other signals interrupt the wait (EINTR) as any sleep.
Result<i64> sys_rt_sigtimedwait(UserAddress user_set, UserAddress info, UserAddress timeout, u64 size)
{
    u64 set = TRY(read_signal_set(user_set, size)) & ~UNBLOCKABLE_SIGNALS;
    u64 deadline = 0;
    if (timeout) {
        u64 wait = nanoseconds_of(TRY(read_timespec(timeout)));
        deadline = monotonic_nanoseconds() + wait;
    }
    Thread& thread = *current_thread();
    u64 mask = thread.signal_mask;
    set_signal_mask(mask & ~set);
    int signal;
    SignalSender sender;
    WaitQueue nobody_wakes;
    while (true) {
        if ((signal = take_pending_signal(set, &sender)))
            break;
        if (signal_pending() || (timeout && monotonic_nanoseconds() >= deadline))
            break; // another signal (its handler runs: EINTR), or the time is up
        nobody_wakes.wait_interruptible(timeout ? deadline : 0);
    }
    set_signal_mask(mask);
    if (!signal)
        return signal_pending() ? Errno::Interrupted : Errno::TryAgain;
    if (info)
        TRY(write_user(info, siginfo_from(signal, sender)));
    return signal;
}

// Replaces the mask and sleeps until a handler runs; the handler's sigreturn puts the old
// mask back. Always EINTR (a signal without a handler that does not end the process lets
// the call sleep on: ERESTARTNOHAND).
Result<i64> sys_rt_sigsuspend(UserAddress user_mask, u64 size)
{
    u64 mask = TRY(read_signal_set(user_mask, size));
    Thread& thread = *current_thread();
    restore_mask_after_next_handler(thread.signal_mask);
    set_signal_mask(mask);
    WaitQueue nobody_wakes;
    while (nobody_wakes.wait_interruptible() != WaitResult::Interrupted) { }
    return Errno::RestartNoHand;
}

Result<i64> sys_sigaltstack(UserAddress new_stack, UserAddress old_stack)
{
    struct StackT {
        u64 sp;
        i32 flags;
        i32 pad;
        u64 size;
    };
    Thread& thread = *current_thread();
    u64 sp = thread.user_frame().rsp;
    AltStackSetting now = alt_stack_setting(thread, sp);
    if (new_stack) {
        StackT requested = TRY(read_user<StackT>(new_stack));
        if (now.flags & 1 /* SS_ONSTACK: a handler runs on it */)
            return Errno::NotPermitted;
        TRY(set_alt_stack(thread, { requested.sp, static_cast<u32>(requested.flags), requested.size }));
    }
    if (old_stack)
        TRY(write_user(old_stack, StackT { now.base, static_cast<i32>(now.flags), 0, now.size }));
    return 0;
}

namespace {

// rt_sigqueueinfo and rt_tgsigqueueinfo: the caller's siginfo, with Linux's rule that only
// a process signalling itself may claim a kernel or kill()/tgkill() origin (EPERM).
Result<SignalSender> sender_from_user(UserAddress info, i32 target_pid)
{
    SignalSender given = sender_from(TRY(read_user<SigInfo>(info)));
    if ((given.code >= 0 || given.code == SI_TKILL) && static_cast<u32>(target_pid) != current_process().pid())
        return Errno::NotPermitted;
    return given;
}

}

Result<i64> sys_rt_sigqueueinfo(i32 pid, int signal, UserAddress info)
{
    SignalSender sender = TRY(sender_from_user(info, pid));
    Process* target = pid > 0 ? find_process(static_cast<u32>(pid)) : nullptr;
    if (!target)
        return Errno::NoProcess;
    TRY(check_kill_permission(current_process(), *target, signal));
    TRY(send_signal(*target, signal, sender));
    return 0;
}

Result<i64> sys_rt_tgsigqueueinfo(i32 tgid, i32 tid, int signal, UserAddress info)
{
    SignalSender sender = TRY(sender_from_user(info, tgid));
    Process* target = tgid > 0 ? find_process(static_cast<u32>(tgid)) : nullptr;
    Thread* thread = target && tid > 0 ? target->find_thread(static_cast<u32>(tid)) : nullptr;
    if (!thread)
        return Errno::NoProcess;
    TRY(check_kill_permission(current_process(), *target, signal));
    TRY(send_thread_signal(*target, *thread, signal, sender));
    return 0;
}
