// poll and ppoll: wait until one of several descriptors is ready (readiness_wait.h).
#include "handlers.h"
#include "kernel/fs/fd_table.h"
#include "kernel/lib/own_ptr.h"
#include "kernel/proc/signal.h"
#include "readiness_wait.h"
#include <new>

namespace {

// struct pollfd, as the ABI lays it out.
struct PollFd {
    i32 fd;
    i16 events;
    i16 revents;
};
static_assert(sizeof(PollFd) == 8);

// One pass over the array: each entry's revents, and how many are non-zero. A negative fd
// is skipped (revents 0); a closed one is POLLNVAL; otherwise the file's events, filtered
// by those asked for plus POLLERR and POLLHUP, which are always reported.
i64 scan_poll_fds(PollFd* fds, u32 count, WaitSet* watcher)
{
    FdTable& table = current_process().fds();
    i64 ready = 0;
    for (u32 i = 0; i < count; ++i) {
        PollFd& entry = fds[i];
        entry.revents = 0;
        if (entry.fd < 0)
            continue;
        auto file = table.get(entry.fd);
        u32 events;
        if (file.is_error())
            events = POLL_NVAL;
        else
            events = file.value()->file().poll(watcher) & (static_cast<u16>(entry.events) | POLL_ERR | POLL_HUP);
        entry.revents = static_cast<i16>(events);
        if (events) {
            ++ready;
            watcher = nullptr; // no sleep is coming: no more watches needed
        }
    }
    return ready;
}

// poll's work after its time-out and signal mask are settled: copy the array in, wait,
// copy every revents back (also after a signal, as Linux does). Linux refuses more entries
// than the process may have descriptors (RLIMIT_NOFILE; repeats count), and that bounds the
// kernel's copy of the array.
Result<i64> poll_fds(UserAddress user_fds, u32 count, ReadinessTimeout const& timeout)
{
    if (count > static_cast<u32>(current_process().fds().limit()))
        return Errno::Invalid;
    OwnArray<PollFd> fds(count ? new (std::nothrow) PollFd[count] : nullptr);
    if (count && !fds)
        return Errno::NoMemory;
    TRY(copy_from_user(user_space(), fds.ptr(), user_fds, count * sizeof(PollFd)));
    Result<i64> result
        = wait_until_ready(timeout, [&](WaitSet* watcher) -> Result<i64> { return scan_poll_fds(fds.ptr(), count, watcher); });
    for (u32 i = 0; i < count; ++i)
        TRY(write_user(user_fds + i * sizeof(PollFd) + __builtin_offsetof(PollFd, revents), fds[i].revents));
    return result;
}

struct Timespec {
    i64 seconds;
    i64 nanoseconds;
};

}

Result<i64> sys_poll(UserAddress fds, u32 count, i32 timeout_ms)
{
    return poll_fds(fds, count, ReadinessTimeout::from_milliseconds(timeout_ms));
}

Result<i64> sys_ppoll(UserAddress fds, u32 count, UserAddress user_timeout, UserAddress user_mask, u64 mask_size)
{
    ReadinessTimeout timeout = ReadinessTimeout::forever();
    if (user_timeout) {
        Timespec value = TRY(read_user<Timespec>(user_timeout));
        timeout = TRY(ReadinessTimeout::from_seconds(value.seconds, value.nanoseconds));
    }
    bool masked = user_mask != 0;
    u64 old_mask = 0;
    if (masked) {
        if (mask_size != sizeof(u64))
            return Errno::Invalid;
        old_mask = replace_signal_mask(TRY(read_user<u64>(user_mask)));
    }
    Result<i64> result = poll_fds(fds, count, timeout);
    bool interrupted = result.is_error() && result.error() == Errno::RestartNoHand;
    if (masked)
        restore_signal_mask(old_mask, interrupted ? CallInterrupted::Yes : CallInterrupted::No);
    // Linux writes the time left back (not for a zero time-out); a fault there is ignored.
    if (user_timeout && !timeout.is_zero()) {
        u64 left = timeout.remaining_ns();
        Timespec remaining { static_cast<i64>(left / NANOSECONDS_PER_SECOND), static_cast<i64>(left % NANOSECONDS_PER_SECOND) };
        if (write_user(user_timeout, remaining).is_error() && interrupted)
            return Errno::Interrupted;
    }
    return result;
}
