// A DeadlineTimer calls a function once the monotonic clock reaches a deadline: alarm() and
// setitimer() are built on it (proc/interval_timer.h). Armed timers wait in one list sorted
// by deadline; some CPU's one-shot timer is set to interrupt by the earliest one
// (local_timer.h), and its handler fires the due ones.
//
// The function runs in the timer interrupt, so it must not sleep. On one CPU with kernel
// code running with interrupts off (scheduler.h), the tick never interrupts kernel code in
// the middle of a data structure: the function may touch process state (make a signal
// pending) as any kernel code would.
#pragma once

#include "kernel/lib/intrusive_list.h"
#include "kernel/lib/types.h"

class DeadlineTimer {
public:
    using Callback = void (*)(DeadlineTimer&);
    explicit DeadlineTimer(Callback callback) : m_callback(callback) { }
    DeadlineTimer(DeadlineTimer const&) = delete;
    DeadlineTimer& operator=(DeadlineTimer const&) = delete;
    ~DeadlineTimer() { cancel(); }

    // (Re)arms the timer for monotonic time `deadline_ns`; an armed one moves.
    void arm(u64 deadline_ns);
    void cancel();
    bool is_armed() const { return m_node.is_linked(); }
    u64 deadline() const { return m_deadline; }

    ListNode m_node; // in the list of armed timers, by deadline

private:
    friend void deadline_timers_fire(u64 now);
    Callback m_callback;
    u64 m_deadline { 0 };
};

// Called by the scheduler's tick and by the local timer (local_timer.h) that arm() made
// sure will fire by the deadline: runs (and disarms) every timer whose deadline is <= now.
// A callback may re-arm its own timer.
void deadline_timers_fire(u64 now);
// The earliest armed timer's deadline (~0 if none is armed).
u64 deadline_timers_earliest();
