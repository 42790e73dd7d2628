// Clocks and sleeping. CLOCK_MONOTONIC counts from boot (TSC); CLOCK_REALTIME adds the RTC's
// reading at boot.
#include "handlers.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/dev/clock.h"
#include "kernel/lib/log.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/sched/scheduler.h"
#include "timespec.h"

namespace {

constexpr int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
              CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;

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
// (Linux restarts a sleep that a signal without a handler interrupted — a stop, then
// SIGCONT — through restart_syscall; here every signal that interrupts has a handler or kills.)
Result<i64> sleep_for(UserAddress remaining, u64 deadline)
{
    while (monotonic_nanoseconds() < deadline) {
        if (signal_pending()) {
            u64 now = monotonic_nanoseconds();
            u64 left = deadline > now ? deadline - now : 0;
            if (remaining)
                TRY(write_user(remaining, Timespec { static_cast<i64>(left / NS), static_cast<i64>(left % NS) }));
            return Errno::Interrupted;
        }
        sleep_until(deadline, SleepKind::Interruptible);
    }
    return 0;
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
    u64 deadline = monotonic_nanoseconds() + nanoseconds_of(value);
    return sleep_for(remaining, deadline);
}

Result<i64> sys_clock_nanosleep(int clock, int flags, UserAddress request, UserAddress remaining)
{
    constexpr int TIMER_ABSTIME = 1;
    Timespec value = TRY(read_timespec(request));
    u64 now = TRY(clock_now(clock));
    u64 requested = nanoseconds_of(value);
    u64 duration = (flags & TIMER_ABSTIME) ? (requested > now ? requested - now : 0) : requested;
    return sleep_for((flags & TIMER_ABSTIME) ? 0 : remaining, monotonic_nanoseconds() + duration);
}

namespace {

struct Timeval {
    i64 seconds;
    i64 microseconds;
};
struct ItimerVal {
    Timeval interval;
    Timeval value;
};
constexpr int ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;

Timeval to_timeval(u64 ns)
{
    // Rounded up, as Linux reports a remaining time: a timer that has 1 ns left is not off.
    u64 us = (ns + 999) / 1000;
    return { static_cast<i64>(us / 1000000), static_cast<i64>(us % 1000000) };
}

Result<u64> from_timeval(Timeval value)
{
    if (value.seconds < 0 || value.microseconds < 0 || value.microseconds >= 1000000)
        return Errno::Invalid;
    if (static_cast<u64>(value.seconds) > (~u64(0) / NS) - 1)
        return ~u64(0) / 2; // centuries: as good as never
    return static_cast<u64>(value.seconds) * NS + static_cast<u64>(value.microseconds) * 1000;
}

ItimerVal to_itimerval(RealIntervalTimer::Setting setting)
{
    return { to_timeval(setting.interval_ns), to_timeval(setting.value_ns) };
}

// The CPU-time timers need CPU-time accounting, which Pagoda does not do yet.
Result<void> check_timer(int which)
{
    if (which == ITIMER_REAL)
        return {};
    if (which == ITIMER_VIRTUAL || which == ITIMER_PROF) {
        KLOG_ONCE("pid %u: setitimer/getitimer(%s): CPU-time timers are not implemented: EINVAL", current_process().pid(),
            which == ITIMER_VIRTUAL ? "ITIMER_VIRTUAL" : "ITIMER_PROF");
    }
    return Errno::Invalid;
}

}

Result<i64> sys_alarm(u32 seconds)
{
    auto old = current_process().real_timer.set({ static_cast<u64>(seconds) * NS, 0 });
    if (!old.value_ns)
        return 0;
    // Whole seconds, rounded to the nearest, and never 0 for a timer that was armed.
    u64 rounded = (old.value_ns + NS / 2) / NS;
    return static_cast<i64>(rounded ? rounded : 1);
}

Result<i64> sys_setitimer(int which, UserAddress new_value, UserAddress old_value)
{
    TRY(check_timer(which));
    ItimerVal wanted {}; // a null new value disarms, as Linux does
    if (new_value)
        wanted = TRY(read_user<ItimerVal>(new_value));
    u64 value = TRY(from_timeval(wanted.value));
    u64 interval = TRY(from_timeval(wanted.interval));
    auto old = current_process().real_timer.set({ value, interval });
    if (old_value)
        TRY(write_user(old_value, to_itimerval(old)));
    return 0;
}

Result<i64> sys_getitimer(int which, UserAddress value)
{
    TRY(check_timer(which));
    TRY(write_user(value, to_itimerval(current_process().real_timer.current())));
    return 0;
}
