#include "interval_timer.h"
#include "kernel/arch/x86_64/timer.h"
#include "process.h"
#include "signal.h"

RealIntervalTimer::Setting RealIntervalTimer::current() const
{
    if (!is_armed())
        return { 0, m_interval_ns };
    u64 now = monotonic_nanoseconds();
    // Due but not yet fired (the tick comes within a millisecond): Linux also never reports
    // an armed timer as 0, which would read as "disarmed".
    return { deadline() > now ? deadline() - now : 1, m_interval_ns };
}

RealIntervalTimer::Setting RealIntervalTimer::set(Setting setting)
{
    Setting old = current();
    m_interval_ns = setting.interval_ns;
    if (setting.value_ns)
        arm(monotonic_nanoseconds() + setting.value_ns);
    else
        cancel();
    return old;
}

// In the timer interrupt: SIGALRM, and the next period. Periods the tick missed (a short
// interval) are skipped rather than delivered late in a burst: a pending SIGALRM is one
// signal however many times it is sent.
void RealIntervalTimer::expired(DeadlineTimer& timer)
{
    auto& self = static_cast<RealIntervalTimer&>(timer);
    (void)send_signal(self.m_owner, SIGALRM, SignalSender {});
    if (!self.m_interval_ns)
        return;
    u64 now = monotonic_nanoseconds();
    u64 next = self.deadline() + self.m_interval_ns;
    if (next <= now)
        next += ((now - next) / self.m_interval_ns + 1) * self.m_interval_ns;
    self.arm(next);
}
