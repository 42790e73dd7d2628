// timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete: the process's
// POSIX timers (proc/posix_timer.h), with Linux's checks and errors.
#include "handlers.h"
#include "kernel/lib/log.h"
#include "kernel/proc/posix_timer.h"
#include "kernel/proc/process.h"
#include "timespec.h"

namespace {

// struct sigevent (64 bytes): the value, the signal, how to notify, then the thread id that
// SIGEV_THREAD_ID names (where glibc keeps SIGEV_THREAD's function and attributes).
struct SigEvent {
    u64 value;
    i32 signal;
    i32 notify;
    i32 thread_id;
    u8 rest[44];
};
static_assert(sizeof(SigEvent) == 64);

constexpr i32 SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4;
constexpr int TIMER_ABSTIME = 1;

struct ItimerSpec {
    Timespec interval;
    Timespec value;
};

Timespec to_timespec(u64 ns) { return { static_cast<i64>(ns / NS), static_cast<i64>(ns % NS) }; }

// Which of Pagoda's clocks `clock` is. Linux's: EINVAL for a clock there is not;
// EOPNOTSUPP for one that exists but has no timers (the raw and coarse ones).
Result<PosixTimer::Clock> timer_clock(int clock)
{
    switch (clock) {
    case CLOCK_REALTIME:
        return PosixTimer::Clock::Realtime;
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME: // nothing suspends: boot time is monotonic time
        return PosixTimer::Clock::Monotonic;
    case CLOCK_PROCESS_CPUTIME_ID:
        return PosixTimer::Clock::ProcessCpu;
    case CLOCK_THREAD_CPUTIME_ID:
        return PosixTimer::Clock::ThreadCpu;
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
        return Errno::NotSupported;
    default:
        KLOG_ONCE("pid %u: timer_create on clock %d (not one Pagoda has: CPU clocks of other processes, TAI and the "
                  "alarm clocks are not): EINVAL",
            current_process().pid(), clock);
        return Errno::Invalid;
    }
}

// Linux's good_sigevent: a signal in 1..64 unless SIGEV_NONE; SIGEV_THREAD_ID names a thread
// of the caller's process. SIGEV_THREAD reaches the kernel only from a C library that does
// not build it on SIGEV_THREAD_ID: Linux treats it as SIGEV_SIGNAL.
Result<PosixTimer::Notification> notification_of(Process& process, UserAddress event_address)
{
    if (!event_address)
        return PosixTimer::Notification { .signals = true, .signal = SIGALRM, .value = 0, .value_is_id = true };
    SigEvent event = TRY(read_user<SigEvent>(event_address));
    PosixTimer::Notification notification { .signals = true, .signal = event.signal, .value = event.value };
    switch (event.notify) {
    case SIGEV_NONE:
        notification.signals = false;
        return notification;
    case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
        Thread* thread = event.thread_id > 0 ? process.find_thread(static_cast<u32>(event.thread_id)) : nullptr;
        if (!thread)
            return Errno::Invalid;
        notification.thread_id = thread->tid();
        break;
    }
    case SIGEV_SIGNAL:
    case SIGEV_THREAD:
        break;
    default:
        return Errno::Invalid;
    }
    if (event.signal <= 0 || event.signal > SIGNAL_COUNT)
        return Errno::Invalid;
    return notification;
}

Result<PosixTimer*> timer_for(i32 id)
{
    PosixTimer* timer = current_process().posix_timers.find(id);
    if (!timer)
        return Errno::Invalid;
    return timer;
}

ItimerSpec to_itimerspec(PosixTimer::Setting setting)
{
    return { to_timespec(setting.interval_ns), to_timespec(setting.value_ns) };
}

}

Result<i64> sys_timer_create(int clock, UserAddress event, UserAddress timer_id)
{
    Process& process = current_process();
    PosixTimer::Clock which = TRY(timer_clock(clock));
    PosixTimer::Notification notification = TRY(notification_of(process, event));
    PosixTimer* timer = TRY(process.posix_timers.create(process, which, current_thread()->tid(), notification));
    if (auto written = write_user<i32>(timer_id, timer->id()); written.is_error()) {
        process.posix_timers.remove(timer->id());
        return written.error();
    }
    return 0;
}

Result<i64> sys_timer_settime(i32 id, int flags, UserAddress new_value, UserAddress old_value)
{
    if (!new_value)
        return Errno::Invalid;
    ItimerSpec wanted = TRY(read_user<ItimerSpec>(new_value));
    for (Timespec const& t : { wanted.interval, wanted.value })
        if (t.seconds < 0 || t.nanoseconds < 0 || t.nanoseconds >= static_cast<i64>(NS))
            return Errno::Invalid;
    PosixTimer* timer = TRY(timer_for(id));
    PosixTimer::Setting old
        = timer->set({ nanoseconds_of(wanted.value), nanoseconds_of(wanted.interval) }, flags & TIMER_ABSTIME);
    if (old_value)
        TRY(write_user(old_value, to_itimerspec(old)));
    return 0;
}

Result<i64> sys_timer_gettime(i32 id, UserAddress value)
{
    PosixTimer* timer = TRY(timer_for(id));
    TRY(write_user(value, to_itimerspec(timer->current())));
    return 0;
}

Result<i64> sys_timer_getoverrun(i32 id) { return TRY(timer_for(id))->overrun(); }

Result<i64> sys_timer_delete(i32 id)
{
    if (!current_process().posix_timers.remove(id))
        return Errno::Invalid;
    return 0;
}
