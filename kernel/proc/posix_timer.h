// POSIX per-process timers (timer_create(2) and friends): any number of timers per process,
// each on a clock — CLOCK_REALTIME, CLOCK_MONOTONIC (and CLOCK_BOOTTIME, the same clock here:
// nothing suspends), or the CPU time of the process or of the thread that made it — that
// tells of each expiry with a signal (to the process, or to one thread: SIGEV_THREAD_ID) or
// not at all (SIGEV_NONE: the program reads timer_gettime).
//
//   timer_settime ─▶ arm: wall-clock and monotonic timers are DeadlineTimers on the
//                    monotonic clock (the wall clock is the monotonic one plus a fixed
//                    offset: nothing sets it); a CPU-time timer keeps its expiry on its
//                    clock, which the tick compares with the clock (never early)
//   expiry ─▶ the signal, with si_code SI_TIMER, si_timerid, si_value; then the next period
//   expiry while that signal is still pending ─▶ no second signal: the overrun count grows
//   the signal taken ─▶ si_overrun = the overruns so far (timer_getoverrun reports them
//                      until the next delivery), and counting starts again
//
// Timers belong to the process: fork does not pass them on, execve and exit delete them.
#pragma once

#include "kernel/lib/function_ref.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/lib/result.h"
#include "kernel/sched/deadline_timer.h"

class Process;
class Thread;

class PosixTimer : private DeadlineTimer {
public:
    enum class Clock {
        Realtime,
        Monotonic,
        ProcessCpu,
        ThreadCpu
    };
    struct Notification {
        bool signals { true }; // false: SIGEV_NONE
        int signal { 0 };
        u64 value { 0 }; // si_value
        bool value_is_id { false }; // timer_create without a sigevent: si_value = the timer id
        u32 thread_id { 0 }; // SIGEV_THREAD_ID: only this thread takes it; 0 = any
    };
    // Time on the timer's clock, in nanoseconds: to the next expiry (0 = disarmed), and the
    // period after it (0 = once).
    struct Setting {
        u64 value_ns { 0 };
        u64 interval_ns { 0 };
    };

    PosixTimer(Process& owner, i32 id, Clock, u32 cpu_thread_id, Notification);
    i32 id() const { return m_id; }
    // timer_gettime: the time left (at least 1 ns while armed) and the interval.
    Setting current() const;
    // timer_settime: `absolute` = value is a time on the clock (TIMER_ABSTIME). Returns the
    // previous setting.
    Setting set(Setting, bool absolute);
    // timer_getoverrun: the overruns counted for the last signal delivered.
    i32 overrun() const { return m_delivered_overrun; }
    // The signal the timer sent was taken: returns the overruns for its si_overrun.
    i32 signal_taken();
    // CPU-time timers, from the scheduler's tick: expires if the clock has reached it.
    void check_cpu_clock();

    ListNode node; // in PosixTimers

private:
    static void expired(DeadlineTimer&);
    void notify(u64 missed_periods);
    bool own_signal_pending() const;
    void add_overrun(u64 count);
    // ProcessCpu, ThreadCpu: the clock's time now (exact, as clock_gettime reads it); 0 if
    // the thread is gone.
    u64 cpu_clock_now() const;

    Process& m_owner;
    i32 m_id;
    Clock m_clock;
    u32 m_cpu_thread_id; // ThreadCpu: whose CPU time
    Notification m_notification;
    u64 m_interval_ns { 0 };
    u64 m_missed_before_arming { 0 }; // periods of a first expiry set in the past
    u64 m_cpu_deadline { 0 }; // ProcessCpu, ThreadCpu: the expiry on the clock; 0 = disarmed
    i32 m_pending_overrun { 0 }; // since the signal pending now was sent
    i32 m_delivered_overrun { 0 };
};

// A process's timers, by id (the lowest free one, from 0, as Linux gives them out).
class PosixTimers {
public:
    PosixTimers() = default;
    PosixTimers(PosixTimers const&) = delete;
    ~PosixTimers() { clear(); }
    // NoMemory (timer_create's EAGAIN) if none can be made.
    Result<PosixTimer*> create(Process& owner, PosixTimer::Clock, u32 cpu_thread_id, PosixTimer::Notification);
    PosixTimer* find(i32 id) const;
    // timer_delete; false if there is no such timer.
    bool remove(i32 id);
    // execve and exit.
    void clear();
    void for_each(FunctionRef<void(PosixTimer&)>) const;

private:
    IntrusiveList<PosixTimer, &PosixTimer::node> m_timers; // by id
};

// si_code of a timer's signal (asm-generic/siginfo.h).
constexpr int SI_TIMER = -2;
