#include "posix_timer.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/dev/clock.h"
#include "process.h"
#include "signal.h"

namespace {

constexpr i32 DELAYTIMER_MAX = 0x7fffffff; // overruns stop counting there, as Linux's

bool on_cpu_clock(PosixTimer::Clock clock)
{
    return clock == PosixTimer::Clock::ProcessCpu || clock == PosixTimer::Clock::ThreadCpu;
}

// The wall clock runs at the monotonic clock's pace from a fixed start (dev/clock.h), so a
// wall-clock deadline is a monotonic one this far earlier.
u64 realtime_ahead_of_monotonic() { return realtime_nanoseconds() - monotonic_nanoseconds(); }

// The expiry after `deadline` (one period on), moved on by whole periods until it lies after
// `now`; `skipped` gets the periods passed over: overruns (Linux's hrtimer_forward).
u64 next_expiry(u64 deadline, u64 now, u64 interval, u64& skipped)
{
    u64 next = deadline + interval;
    skipped = next <= now ? (now - next) / interval + 1 : 0;
    return next + skipped * interval;
}

}

PosixTimer::PosixTimer(Process& owner, i32 id, Clock clock, u32 cpu_thread_id, Notification notification)
    : DeadlineTimer(expired)
    , m_owner(owner)
    , m_id(id)
    , m_clock(clock)
    , m_cpu_thread_id(cpu_thread_id)
    , m_notification(notification)
{ }

u64 PosixTimer::cpu_clock_now() const
{
    if (m_clock == Clock::ProcessCpu)
        return m_owner.cpu_times().total();
    Thread* thread = m_owner.find_thread(m_cpu_thread_id);
    return thread ? thread_cpu_times(*thread).total() : 0;
}

PosixTimer::Setting PosixTimer::current() const
{
    if (on_cpu_clock(m_clock)) {
        if (!m_cpu_deadline)
            return { 0, m_interval_ns };
        u64 now = cpu_clock_now();
        return { m_cpu_deadline > now ? m_cpu_deadline - now : 1, m_interval_ns };
    }
    if (!is_armed())
        return { 0, m_interval_ns };
    u64 now = monotonic_nanoseconds();
    return { deadline() > now ? deadline() - now : 1, m_interval_ns };
}

PosixTimer::Setting PosixTimer::set(Setting setting, bool absolute)
{
    Setting old = current();
    m_interval_ns = setting.interval_ns;
    if (on_cpu_clock(m_clock)) {
        // An expiry already past fires at the next tick.
        m_cpu_deadline = !setting.value_ns ? 0 : absolute ? setting.value_ns : cpu_clock_now() + setting.value_ns;
        return old;
    }
    if (!setting.value_ns) {
        cancel();
        return old;
    }
    // The first expiry on the monotonic clock, which may lie before boot (a wall-clock time
    // long past): the periods from there to now are overruns of the first signal.
    u64 now = monotonic_nanoseconds();
    i64 deadline = static_cast<i64>(setting.value_ns);
    if (!absolute)
        deadline += static_cast<i64>(now);
    else if (m_clock == Clock::Realtime)
        deadline -= static_cast<i64>(realtime_ahead_of_monotonic());
    m_missed_before_arming = 0;
    if (deadline < static_cast<i64>(now) && m_interval_ns) {
        m_missed_before_arming = static_cast<u64>(static_cast<i64>(now) - deadline) / m_interval_ns;
        deadline += static_cast<i64>(m_missed_before_arming * m_interval_ns);
    }
    arm(deadline > 0 ? static_cast<u64>(deadline) : 0);
    return old;
}

// In the timer interrupt: the signal, then the next period. Periods the tick missed (a short
// interval, a late tick) are overruns, as Linux's hrtimer_forward counts them.
void PosixTimer::expired(DeadlineTimer& timer)
{
    auto& self = static_cast<PosixTimer&>(timer);
    u64 missed = self.m_missed_before_arming;
    self.m_missed_before_arming = 0;
    if (self.m_interval_ns) {
        u64 skipped;
        self.arm(next_expiry(self.deadline(), monotonic_nanoseconds(), self.m_interval_ns, skipped));
        missed += skipped;
    }
    self.notify(missed);
}

void PosixTimer::check_cpu_clock()
{
    if (!on_cpu_clock(m_clock) || !m_cpu_deadline)
        return;
    u64 now = cpu_clock_now();
    if (now < m_cpu_deadline)
        return;
    u64 missed = 0;
    m_cpu_deadline = m_interval_ns ? next_expiry(m_cpu_deadline, now, m_interval_ns, missed) : 0;
    notify(missed);
}

void PosixTimer::add_overrun(u64 count)
{
    u64 total = u64(m_pending_overrun) + count;
    m_pending_overrun = total > u64(DELAYTIMER_MAX) ? DELAYTIMER_MAX : static_cast<i32>(total);
}

bool PosixTimer::own_signal_pending() const
{
    int signal = m_notification.signal;
    if (m_owner.pending.has_from(signal, SI_TIMER, static_cast<u32>(m_id)))
        return true;
    bool pending = false;
    m_owner.for_each_thread(
        [&](Thread& thread) { pending |= thread.pending.has_from(signal, SI_TIMER, static_cast<u32>(m_id)); });
    return pending;
}

void PosixTimer::notify(u64 missed_periods)
{
    if (!m_notification.signals)
        return;
    if (own_signal_pending()) {
        add_overrun(1 + missed_periods); // one signal stands for them all
        return;
    }
    m_pending_overrun = 0;
    add_overrun(missed_periods);
    // si_timerid where a sender's pid goes, si_overrun where its uid does (filled in when
    // taken), si_value: the layout of siginfo's _timer member.
    SignalSender sender { SI_TIMER, static_cast<u32>(m_id), m_notification.value, 0 };
    if (!m_notification.thread_id) {
        (void)send_signal(m_owner, m_notification.signal, sender);
        return;
    }
    if (Thread* thread = m_owner.find_thread(m_notification.thread_id))
        (void)send_thread_signal(m_owner, *thread, m_notification.signal, sender);
}

i32 PosixTimer::signal_taken()
{
    m_delivered_overrun = m_pending_overrun;
    m_pending_overrun = 0;
    return m_delivered_overrun;
}

Result<PosixTimer*> PosixTimers::create(
    Process& owner, PosixTimer::Clock clock, u32 cpu_thread_id, PosixTimer::Notification notification)
{
    i32 id = 0;
    PosixTimer* after = nullptr; // the timers are kept by id: the new one goes after this one
    for (PosixTimer& timer : m_timers) {
        if (timer.id() != id)
            break;
        after = &timer;
        ++id;
    }
    if (id < 0)
        return Errno::TryAgain;
    if (notification.value_is_id)
        notification.value = static_cast<u64>(id);
    auto* timer = new PosixTimer(owner, id, clock, cpu_thread_id, notification);
    if (!timer)
        return Errno::TryAgain;
    PosixTimer* next = after ? m_timers.next(*after) : m_timers.first();
    if (next)
        m_timers.insert_before(*next, *timer);
    else
        m_timers.append(*timer);
    return timer;
}

PosixTimer* PosixTimers::find(i32 id) const
{
    for (PosixTimer& timer : m_timers)
        if (timer.id() == id)
            return &timer;
    return nullptr;
}

bool PosixTimers::remove(i32 id)
{
    PosixTimer* timer = find(id);
    if (!timer)
        return false;
    m_timers.remove(*timer);
    delete timer;
    return true;
}

void PosixTimers::clear()
{
    while (PosixTimer* timer = m_timers.take_first())
        delete timer;
}

void PosixTimers::for_each(FunctionRef<void(PosixTimer&)> visit) const
{
    for (PosixTimer& timer : m_timers)
        visit(timer);
}
