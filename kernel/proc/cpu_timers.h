// The CPU-time side of a process's timers and limits, driven by the scheduler's tick
// (scheduler_set_cpu_tick_hook): ITIMER_VIRTUAL counts the process's user time (SIGVTALRM),
// ITIMER_PROF its user and system time (SIGPROF), each re-armed by its interval; and
// RLIMIT_CPU, checked against the process's CPU time: SIGXCPU once past the soft limit and
// every second after, SIGKILL at the hard limit. Tick-grained (1 ms), as Linux's are at
// CONFIG_HZ. fork() does not pass the timers on; execve() keeps them.
#pragma once

#include "kernel/lib/types.h"
#include "kernel/sched/thread.h"

class Process;

class CpuIntervalTimer {
public:
    struct Setting {
        u64 value_ns { 0 }; // CPU time to the next expiry; 0 = disarmed
        u64 interval_ns { 0 };
    };
    Setting current() const { return { m_left_ns, m_interval_ns }; }
    Setting set(Setting);
    // Charges `ns` of CPU time; true if the timer expired (and was re-armed or stopped).
    bool charge(u64 ns);

private:
    u64 m_left_ns { 0 };
    u64 m_interval_ns { 0 };
};

struct CpuTimers {
    CpuIntervalTimer virtual_time; // ITIMER_VIRTUAL
    CpuIntervalTimer profiling; // ITIMER_PROF
    u64 next_xcpu_seconds { 0 }; // RLIMIT_CPU: the next SIGXCPU, in seconds of CPU time
};

// Installs the tick hook (at boot).
void cpu_timers_initialize();
