#include "cpu_timers.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/sched/scheduler.h"
#include "process.h"
#include "signal.h"

namespace {

void check_cpu_limit(Process& process)
{
    u64 soft = process.limits.soft(RLIMIT_CPU), hard = process.limits.get(RLIMIT_CPU).hard;
    if (soft == RLIM_INFINITY && hard == RLIM_INFINITY)
        return;
    u64 seconds = process.cpu_times().total() / 1000000000;
    if (hard != RLIM_INFINITY && seconds >= hard) {
        (void)send_signal(process, SIGKILL, SignalSender {});
        return;
    }
    if (soft == RLIM_INFINITY || seconds < soft)
        return;
    u64& next = process.cpu_timers.next_xcpu_seconds;
    if (seconds >= max(next, soft)) {
        (void)send_signal(process, SIGXCPU, SignalSender {});
        next = seconds + 1;
    }
}

// From the timer interrupt: the current thread had the CPU for this tick.
void on_cpu_tick(Thread& thread, bool in_user_mode)
{
    Process* process = thread.process();
    if (!process || process->state() == Process::State::Zombie)
        return;
    (void)in_user_mode; // the user clock itself says what was user time
    // The process's CPU time sums its threads: read only when a timer counts it (arming
    // one takes the clock's reading, so a disarmed timer needs nothing meanwhile).
    CpuTimers& timers = process->cpu_timers;
    if (timers.virtual_time.is_armed() || timers.profiling.is_armed()) {
        CpuTimes times = process->cpu_times();
        if (timers.virtual_time.advance(times.user_ns))
            (void)send_signal(*process, SIGVTALRM, SignalSender {});
        if (timers.profiling.advance(times.total()))
            (void)send_signal(*process, SIGPROF, SignalSender {});
    }
    process->posix_timers.for_each([](PosixTimer& timer) { timer.check_cpu_clock(); });
    check_cpu_limit(*process);
}

}

CpuIntervalTimer::Setting CpuIntervalTimer::set(Setting setting, u64 clock_ns)
{
    Setting old = current();
    m_left_ns = setting.value_ns;
    m_interval_ns = setting.value_ns ? setting.interval_ns : 0;
    m_charged_until_ns = clock_ns;
    return old;
}

bool CpuIntervalTimer::advance(u64 clock_ns)
{
    u64 ns = clock_ns > m_charged_until_ns ? clock_ns - m_charged_until_ns : 0;
    m_charged_until_ns = max(m_charged_until_ns, clock_ns);
    if (!m_left_ns)
        return false;
    if (m_left_ns > ns) {
        m_left_ns -= ns;
        return false;
    }
    m_left_ns = m_interval_ns;
    return true;
}

void cpu_timers_initialize() { scheduler_set_cpu_tick_hook(on_cpu_tick); }
