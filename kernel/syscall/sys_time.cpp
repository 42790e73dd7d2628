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
        return now;
    case CLOCK_PROCESS_CPUTIME_ID:
        return current_process().cpu_times().total();
    case CLOCK_THREAD_CPUTIME_ID:
        return thread_cpu_times(*current_thread()).total();
    default:
        return Errno::Invalid;
    }
}

namespace {

// Sleeps until `deadline`. A signal whose handler runs ends the sleep with EINTR and the
// time left; one that runs none (a stop, then SIGCONT) restarts the call, which then sleeps
// to the same deadline (Linux's restart_syscall), not for the whole time again.
Result<i64> sleep_for(UserAddress remaining, u64 deadline)
{
    while (monotonic_nanoseconds() < deadline) {
        if (signal_pending()) {
            u64 now = monotonic_nanoseconds();
            u64 left = deadline > now ? deadline - now : 0;
            if (remaining)
                TRY(write_user(remaining, Timespec { static_cast<i64>(left / NS), static_cast<i64>(left % NS) }));
            current_thread()->sleep_restart_deadline = deadline;
            return Errno::RestartNoHand;
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

Result<i64> sys_gettimeofday(UserAddress timeval, UserAddress timezone)
{
    u64 now = TRY(clock_now(CLOCK_REALTIME));
    if (timeval)
        TRY(write_user(timeval, Timespec { static_cast<i64>(now / NS), static_cast<i64>(now % NS / 1000) }));
    // The kernel's time zone (Linux's sys_tz, set by settimeofday) is UTC: minutes west 0,
    // no daylight saving — what the vDSO's gettimeofday writes too.
    struct Timezone {
        i32 minutes_west;
        i32 dst_time;
    };
    if (timezone)
        TRY(write_user(timezone, Timezone { 0, 0 }));
    return 0;
}

Result<i64> sys_time(UserAddress seconds)
{
    i64 now = static_cast<i64>(TRY(clock_now(CLOCK_REALTIME)) / NS);
    if (seconds)
        TRY(write_user(seconds, now));
    return now;
}

namespace {

// A relative sleep's deadline: now + `duration`, or the one a restarted call had.
u64 relative_deadline(u64 duration)
{
    Thread& thread = *current_thread();
    u64 deadline = thread.sleep_restart_deadline ? thread.sleep_restart_deadline : monotonic_nanoseconds() + duration;
    thread.sleep_restart_deadline = 0;
    return deadline;
}

}

Result<i64> sys_nanosleep(UserAddress request, UserAddress remaining)
{
    Timespec value = TRY(read_timespec(request));
    return sleep_for(remaining, relative_deadline(nanoseconds_of(value)));
}

Result<i64> sys_clock_nanosleep(int clock, int flags, UserAddress request, UserAddress remaining)
{
    constexpr int TIMER_ABSTIME = 1;
    // Clocks Linux's kernel cannot sleep on: EOPNOTSUPP (the C library makes the thread CPU
    // clock's EINVAL).
    if (clock == CLOCK_THREAD_CPUTIME_ID || clock == CLOCK_MONOTONIC_RAW || clock == CLOCK_REALTIME_COARSE
        || clock == CLOCK_MONOTONIC_COARSE)
        return Errno::NotSupported;
    if (clock == CLOCK_PROCESS_CPUTIME_ID) {
        KLOG_ONCE("pid %u: clock_nanosleep on CLOCK_PROCESS_CPUTIME_ID is not supported: EINVAL", current_process().pid());
        return Errno::Invalid;
    }
    Timespec value = TRY(read_timespec(request));
    u64 now = TRY(clock_now(clock));
    u64 requested = nanoseconds_of(value);
    if (flags & TIMER_ABSTIME) // the same absolute time again on a restart
        return sleep_for(0, monotonic_nanoseconds() + (requested > now ? requested - now : 0));
    return sleep_for(remaining, relative_deadline(requested));
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

ItimerVal to_itimerval(u64 value_ns, u64 interval_ns) { return { to_timeval(interval_ns), to_timeval(value_ns) }; }

Result<void> check_timer(int which)
{
    if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
        return Errno::Invalid;
    return {};
}

// Sets (or with `replace` false only reads) one of the three timers; returns the old setting.
ItimerVal exchange_timer(int which, u64 value, u64 interval, bool replace)
{
    Process& process = current_process();
    if (which == ITIMER_REAL) {
        auto old = replace ? process.real_timer.set({ value, interval }) : process.real_timer.current();
        return to_itimerval(old.value_ns, old.interval_ns);
    }
    CpuIntervalTimer& timer = which == ITIMER_VIRTUAL ? process.cpu_timers.virtual_time : process.cpu_timers.profiling;
    CpuTimes times = process.cpu_times();
    auto old
        = replace ? timer.set({ value, interval }, which == ITIMER_VIRTUAL ? times.user_ns : times.total()) : timer.current();
    return to_itimerval(old.value_ns, old.interval_ns);
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
    ItimerVal old = exchange_timer(which, value, interval, true);
    if (old_value)
        TRY(write_user(old_value, old));
    return 0;
}

Result<i64> sys_getitimer(int which, UserAddress value)
{
    TRY(check_timer(which));
    TRY(write_user(value, exchange_timer(which, 0, 0, false)));
    return 0;
}

Result<i64> sys_clock_getres(int clock, UserAddress resolution)
{
    TRY(clock_now(clock)); // EINVAL for an unknown clock
    // Every clock reads the TSC through monotonic_nanoseconds: nanosecond resolution; the
    // coarse ones are the same clocks here.
    if (resolution)
        TRY(write_user(resolution, Timespec { 0, 1 }));
    return 0;
}

Result<i64> sys_getrusage(int who, UserAddress usage)
{
    constexpr int RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
    CpuTimes times;
    if (who == RUSAGE_SELF)
        times = current_process().cpu_times();
    else if (who == RUSAGE_CHILDREN)
        times = current_process().children_cpu_times();
    else if (who == RUSAGE_THREAD)
        times = thread_cpu_times(*current_thread());
    else
        return Errno::Invalid;
    TRY(write_user(usage, rusage_of(times)));
    return 0;
}

Result<i64> sys_times(UserAddress buffer)
{
    constexpr u64 USER_HZ = 100, NS_PER_TICK = NS / USER_HZ; // clock_t counts 1/100 s
    Process& self = current_process();
    CpuTimes own = self.cpu_times(), children = self.children_cpu_times();
    struct {
        i64 user, system, children_user, children_system;
    } tms { static_cast<i64>(own.user_ns / NS_PER_TICK), static_cast<i64>(own.system_ns / NS_PER_TICK),
        static_cast<i64>(children.user_ns / NS_PER_TICK), static_cast<i64>(children.system_ns / NS_PER_TICK) };
    if (buffer)
        TRY(write_user(buffer, tms));
    return static_cast<i64>(monotonic_nanoseconds() / NS_PER_TICK);
}
