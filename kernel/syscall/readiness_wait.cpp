#include "readiness_wait.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/proc/signal.h"
#include "kernel/sched/wait_set.h"

namespace {

// now + duration, saturating rather than wrapping (Linux's timespec64_add_safe).
u64 deadline_after(u64 duration_ns)
{
    u64 now = monotonic_nanoseconds();
    return duration_ns > ~u64(0) - now ? ~u64(0) : now + duration_ns;
}

}

ReadinessTimeout ReadinessTimeout::from_milliseconds(i32 milliseconds)
{
    if (milliseconds < 0)
        return forever();
    if (milliseconds == 0)
        return ReadinessTimeout(Kind::Zero, 0);
    return ReadinessTimeout(Kind::Until, deadline_after(static_cast<u64>(milliseconds) * 1000000));
}

Result<ReadinessTimeout> ReadinessTimeout::from_seconds(i64 seconds, i64 nanoseconds)
{
    if (seconds < 0 || nanoseconds < 0 || nanoseconds >= static_cast<i64>(NANOSECONDS_PER_SECOND))
        return Errno::Invalid;
    if (seconds == 0 && nanoseconds == 0)
        return ReadinessTimeout(Kind::Zero, 0);
    u64 whole = static_cast<u64>(seconds);
    u64 duration = whole > ~u64(0) / NANOSECONDS_PER_SECOND ? ~u64(0) : whole * NANOSECONDS_PER_SECOND;
    duration = duration > ~u64(0) - static_cast<u64>(nanoseconds) ? ~u64(0) : duration + static_cast<u64>(nanoseconds);
    return ReadinessTimeout(Kind::Until, deadline_after(duration));
}

u64 ReadinessTimeout::remaining_ns() const
{
    if (m_kind != Kind::Until)
        return 0;
    u64 now = monotonic_nanoseconds();
    return m_deadline_ns > now ? m_deadline_ns - now : 0;
}

Result<i64> wait_until_ready(ReadinessTimeout const& timeout, FunctionRef<Result<i64>(WaitSet*)> scan)
{
    WaitSet watches;
    // A zero time-out looks once and never sleeps, so it watches nothing.
    WaitSet* watcher = timeout.is_zero() ? nullptr : &watches;
    bool timed_out = timeout.is_zero();
    for (;;) {
        i64 ready = TRY(scan(watcher));
        watcher = nullptr; // the watches of the first pass stay until the end
        if (ready > 0)
            return ready;
        if (watches.out_of_memory())
            return Errno::NoMemory;
        if (signal_pending())
            return Errno::RestartNoHand;
        if (timed_out)
            return 0;
        if (watches.wait(timeout.deadline_ns()) == WaitResult::TimedOut)
            timed_out = true; // one more pass, then 0
    }
}
