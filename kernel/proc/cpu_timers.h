// The CPU-time side of a process's timers and limits, driven by the scheduler's tick
// (scheduler_set_cpu_tick_hook): ITIMER_VIRTUAL counts the process's user time (SIGVTALRM),
// ITIMER_PROF its user and system time (SIGPROF), each re-armed by its interval; and
// RLIMIT_CPU, checked against the process's CPU time: SIGXCPU once past the soft limit and
// every second after, SIGKILL at the hard limit. Checked at each tick (1 ms), as Linux's are at
// CONFIG_HZ, but charged with the CPU time the clock measured since the last check, not a
// whole tick per tick: under a loaded host the ticks come in bunches, and counting each as
// 1 ms charged several times the time spun. fork() does not pass the timers on; execve()
// keeps them.
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
    bool is_armed() const { return m_left_ns != 0; }
    // Arms (or disarms) the timer; `clock_ns` is the CPU clock it counts, read now.
    Setting set(Setting, u64 clock_ns);
    // The clock it counts has reached `clock_ns`: charges what passed since the last call
    // (nothing if the clock went back: the user/system split may shift); true if the timer
    // expired (and was re-armed or stopped).
    bool advance(u64 clock_ns);

private:
    u64 m_left_ns { 0 };
    u64 m_interval_ns { 0 };
    u64 m_charged_until_ns { 0 };
};

struct CpuTimers {
    CpuIntervalTimer virtual_time; // ITIMER_VIRTUAL
    CpuIntervalTimer profiling; // ITIMER_PROF
    u64 next_xcpu_seconds { 0 }; // RLIMIT_CPU: the next SIGXCPU, in seconds of CPU time
};

// Installs the tick hook (at boot).
void cpu_timers_initialize();
