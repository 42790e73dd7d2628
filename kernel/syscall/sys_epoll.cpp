// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2: the
// arguments and Linux's checks, in Linux's order. The instance is kernel/fs/epoll.h; the
// waiting is poll's (readiness_wait.h).
#include "handlers.h"
#include "kernel/fs/epoll.h"
#include "kernel/fs/fd_table.h"
#include "kernel/lib/memory.h"
#include "kernel/lib/own_ptr.h"
#include "kernel/mm/user_layout.h"
#include "kernel/proc/signal.h"
#include "readiness_wait.h"

namespace {

Result<i64> create_instance(bool close_on_exec)
{
    RefPtr<File> instance = TRY(EpollInstance::create());
    auto* open_file = new (std::nothrow) OpenFile(instance, O_RDWR);
    if (!open_file)
        return Errno::NoMemory;
    return TRY(current_process().fds().allocate(adopt_ref(open_file), close_on_exec));
}

// Linux's EP_MAX_EVENTS; and the most events one pass gathers in the kernel before copying
// them out (a caller asking more gets them over later calls, as when fewer are ready).
constexpr i64 MAX_EVENTS = 0x7fffffff / sizeof(EpollEvent);
constexpr usize EVENTS_PER_CALL = 1024;

// epoll_wait's work once the time-out and mask are settled. Interrupted (EINTR) for a
// signal, handler or not: Linux never restarts epoll_wait.
Result<i64> wait_for_events(int epfd, UserAddress events, int max_events, ReadinessTimeout const& timeout)
{
    if (max_events <= 0 || max_events > MAX_EVENTS)
        return Errno::Invalid;
    if (!is_user_range(events, static_cast<u64>(max_events) * sizeof(EpollEvent)))
        return Errno::BadAddress;
    auto file = TRY(current_process().fds().get(epfd));
    EpollInstance* instance = file->file().epoll();
    if (!instance)
        return Errno::Invalid;
    usize capacity = min<usize>(static_cast<usize>(max_events), EVENTS_PER_CALL);
    OwnArray<EpollEvent> found(new (std::nothrow) EpollEvent[capacity]);
    if (!found)
        return Errno::NoMemory;
    auto count = wait_until_ready(timeout,
        [&](WaitSet* watcher) -> Result<i64> { return static_cast<i64>(instance->collect(found.ptr(), capacity, watcher)); });
    if (count.is_error())
        return count.error() == Errno::RestartNoHand ? Errno::Interrupted : count.error();
    TRY(copy_to_user(user_space(), events, found.ptr(), static_cast<usize>(count.value()) * sizeof(EpollEvent)));
    return count.value();
}

// epoll_pwait and epoll_pwait2: the wait under the caller's mask, if one is given.
Result<i64> wait_with_mask(
    int epfd, UserAddress events, int max_events, ReadinessTimeout const& timeout, UserAddress user_mask, u64 mask_size)
{
    if (!user_mask)
        return wait_for_events(epfd, events, max_events, timeout);
    if (mask_size != sizeof(u64))
        return Errno::Invalid;
    u64 old_mask = replace_signal_mask(TRY(read_user<u64>(user_mask)));
    Result<i64> result = wait_for_events(epfd, events, max_events, timeout);
    bool interrupted = result.is_error() && result.error() == Errno::Interrupted;
    restore_signal_mask(old_mask, interrupted ? CallInterrupted::Yes : CallInterrupted::No);
    return result;
}

struct Timespec {
    i64 seconds;
    i64 nanoseconds;
};

}

Result<i64> sys_epoll_create(int size)
{
    if (size <= 0)
        return Errno::Invalid;
    return create_instance(false);
}

Result<i64> sys_epoll_create1(int flags)
{
    if (flags & ~O_CLOEXEC)
        return Errno::Invalid;
    return create_instance(flags & O_CLOEXEC);
}

Result<i64> sys_epoll_ctl(int epfd, int op, int fd, UserAddress user_event)
{
    EpollEvent event {};
    if (op != EPOLL_CTL_DEL)
        event = TRY(read_user<EpollEvent>(user_event));
    FdTable& table = current_process().fds();
    auto instance_file = TRY(table.get(epfd));
    auto target = TRY(table.get(fd));
    if (!target->file().is_pollable())
        return Errno::NotPermitted;
    EpollInstance* instance = instance_file->file().epoll();
    if (!instance || instance_file == target)
        return Errno::Invalid;
    // EPOLLEXCLUSIVE: only when adding, not for an instance, and only with these events.
    constexpr u32 EXCLUSIVE_ALLOWS = POLL_IN | POLL_OUT | POLL_ERR | POLL_HUP | EPOLL_WAKEUP | EPOLL_ET | EPOLL_EXCLUSIVE;
    if (event.events & EPOLL_EXCLUSIVE) {
        if (op == EPOLL_CTL_MOD)
            return Errno::Invalid;
        if (op == EPOLL_CTL_ADD && (target->file().epoll() || (event.events & ~EXCLUSIVE_ALLOWS)))
            return Errno::Invalid;
    }
    TRY(instance->control(op, fd, *target, event));
    return 0;
}

Result<i64> sys_epoll_wait(int epfd, UserAddress events, int max_events, int timeout_ms)
{
    return wait_for_events(epfd, events, max_events, ReadinessTimeout::from_milliseconds(timeout_ms));
}

Result<i64> sys_epoll_pwait(int epfd, UserAddress events, int max_events, int timeout_ms, UserAddress mask, u64 mask_size)
{
    return wait_with_mask(epfd, events, max_events, ReadinessTimeout::from_milliseconds(timeout_ms), mask, mask_size);
}

Result<i64> sys_epoll_pwait2(
    int epfd, UserAddress events, int max_events, UserAddress user_timeout, UserAddress mask, u64 mask_size)
{
    ReadinessTimeout timeout = ReadinessTimeout::forever();
    if (user_timeout) {
        Timespec value = TRY(read_user<Timespec>(user_timeout));
        timeout = TRY(ReadinessTimeout::from_seconds(value.seconds, value.nanoseconds));
    }
    return wait_with_mask(epfd, events, max_events, timeout, mask, mask_size);
}
