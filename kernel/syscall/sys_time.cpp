// Clocks and sleeping. CLOCK_MONOTONIC counts from boot (TSC); CLOCK_REALTIME adds the RTC's
// reading at boot.
#include "handlers.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/dev/clock.h"
#include "kernel/proc/signal.h"
#include "kernel/sched/scheduler.h"

namespace {

struct Timespec {
    i64 seconds;
    i64 nanoseconds;
};

constexpr int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
              CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
constexpr u64 NS = 1000000000;

Result<u64> clock_now(int clock)
{
    u64 now = monotonic_nanoseconds();
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        return realtime_nanoseconds();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_PROCESS_CPUTIME_ID: // FIXME: CPU time is approximated by wall time since boot
    case CLOCK_THREAD_CPUTIME_ID:
        return now;
    default:
        return Errno::Invalid;
    }
}

// Sleeps until `deadline`; a signal ends the sleep early with EINTR and the time left.
Result<i64> sleep_for(UserAddress remaining, u64 deadline)
{
    while (monotonic_nanoseconds() < deadline) {
        if (signal_pending()) {
            u64 left = deadline - monotonic_nanoseconds();
            if (remaining)
                TRY(write_user(remaining, Timespec { static_cast<i64>(left / NS), static_cast<i64>(left % NS) }));
            return Errno::Interrupted;
        }
        sleep_until(deadline);
    }
    return 0;
}

Result<Timespec> read_timespec(UserAddress address)
{
    Timespec value = TRY(read_user<Timespec>(address));
    if (value.seconds < 0 || value.nanoseconds < 0 || value.nanoseconds >= static_cast<i64>(NS))
        return Errno::Invalid;
    return value;
}

}

Result<i64> sys_clock_gettime(int clock, UserAddress timespec)
{
    u64 now = TRY(clock_now(clock));
    TRY(write_user(timespec, Timespec { static_cast<i64>(now / NS), static_cast<i64>(now % NS) }));
    return 0;
}

Result<i64> sys_gettimeofday(UserAddress timeval, UserAddress)
{
    u64 now = TRY(clock_now(CLOCK_REALTIME));
    if (timeval)
        TRY(write_user(timeval, Timespec { static_cast<i64>(now / NS), static_cast<i64>(now % NS / 1000) }));
    return 0;
}

Result<i64> sys_time(UserAddress seconds)
{
    i64 now = static_cast<i64>(TRY(clock_now(CLOCK_REALTIME)) / NS);
    if (seconds)
        TRY(write_user(seconds, now));
    return now;
}

Result<i64> sys_nanosleep(UserAddress request, UserAddress remaining)
{
    Timespec value = TRY(read_timespec(request));
    u64 deadline = monotonic_nanoseconds() + static_cast<u64>(value.seconds) * NS + static_cast<u64>(value.nanoseconds);
    return sleep_for(remaining, deadline);
}

Result<i64> sys_clock_nanosleep(int clock, int flags, UserAddress request, UserAddress remaining)
{
    constexpr int TIMER_ABSTIME = 1;
    Timespec value = TRY(read_timespec(request));
    u64 now = TRY(clock_now(clock));
    u64 requested = static_cast<u64>(value.seconds) * NS + static_cast<u64>(value.nanoseconds);
    u64 duration = (flags & TIMER_ABSTIME) ? (requested > now ? requested - now : 0) : requested;
    return sleep_for((flags & TIMER_ABSTIME) ? 0 : remaining, monotonic_nanoseconds() + duration);
}
