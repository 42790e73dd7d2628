// A process's real-time interval timer (ITIMER_REAL, which alarm() also sets): SIGALRM when
// the value runs out, then again every interval if the interval is not zero. It runs on the
// monotonic clock, so changing the wall clock does not move it, as on Linux. fork() does not
// pass it on; execve() keeps it; exit stops it.
#pragma once

#include "kernel/sched/deadline_timer.h"

class Process;

class RealIntervalTimer : private DeadlineTimer {
public:
    explicit RealIntervalTimer(Process& owner) : DeadlineTimer(expired), m_owner(owner) { }

    struct Setting {
        u64 value_ns { 0 }; // time to the next expiry; 0 = disarmed
        u64 interval_ns { 0 }; // period after that; 0 = once
    };
    // What getitimer reports: the time left (at least 1 ns while armed) and the interval.
    Setting current() const;
    // Arms (value_ns > 0) or disarms the timer; returns the previous setting.
    Setting set(Setting);
    void stop() { set({}); }

private:
    static void expired(DeadlineTimer&);
    Process& m_owner;
    u64 m_interval_ns { 0 };
};
