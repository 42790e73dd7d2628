// A WaitQueue is a list of threads waiting for one event (data in a pipe, a child's exit, a
// disk request, a futex word). Every wait is a loop — `while (!condition) queue.wait();` —
// because other kernel code ran while the thread slept: what it decided before sleeping
// may no longer hold.
//
// A wait a user can make long (a pipe, the console, wait4, a futex, a sleep) is
// interruptible: a signal for the thread ends it with Interrupted, and the caller returns
// EINTR or restarts the call (proc/signal.cpp decides which). Kernel-internal waits (the
// kernel lock, a disk request in flight) are not.
//
// A thread can also watch several queues at once without being on any of them: a WaitSet
// (wait_set.h) links one WaitQueueWatch into each, and every wake of a queue notifies the
// sets watching it (poll and select sleep this way).
#pragma once

#include "thread.h"

enum class WaitResult {
    Woken, // wake_all()/wake() ran (the condition may still be false: re-check)
    TimedOut, // the deadline passed
    Interrupted, // a signal wants the thread (Thread::interrupt)
};

class WaitQueue;
class WaitSet;

// One WaitSet's link into one WaitQueue (owned by the WaitSet).
struct WaitQueueWatch {
    ListNode node; // in the queue's list of watches
    WaitSet* set { nullptr };
    WaitQueue* queue { nullptr }; // null once the queue is gone
    // Of the exclusive watches, a wake notifies only the first whose set has someone to
    // wake (epoll's EPOLLEXCLUSIVE: one waiter per event, not all of them).
    bool exclusive { false };
};

class WaitQueue {
public:
    WaitQueue() = default;
    WaitQueue(WaitQueue const&) = delete;
    // A queue that goes away (a pipe freed while polled) notifies and lets go of its watches.
    ~WaitQueue();
    // Blocks the current thread until woken. Not interruptible.
    void wait();
    // Blocks until woken, until monotonic time `deadline_ns` (0 = none), or until the thread
    // is interrupted; returns Interrupted at once if an interrupt is already pending.
    WaitResult wait_interruptible(u64 deadline_ns = 0);
    // Blocks until woken or until a signal that ends the process arrives (Interrupted);
    // other signals stay pending. For waits that must not end early but must not outlive
    // a SIGKILL either.
    WaitResult wait_killable();
    // Both wakes also notify every WaitSet watching the queue.
    void wake_all();
    // Wakes up to `count` waiters, oldest first; returns how many.
    u32 wake(u32 count);
    bool is_empty() const { return m_waiters.is_empty(); }
    // Whether a wake would reach anyone: a waiter, or a set watching the queue.
    bool has_waiters_or_watches() const { return !m_waiters.is_empty() || !m_watches.is_empty(); }

    // For WaitSet: link and unlink a watch. Interrupts must be off.
    void add_watch(WaitQueueWatch&);
    static void remove_watch(WaitQueueWatch&);

private:
    void notify_watches();
    IntrusiveList<Thread, &Thread::scheduler_node> m_waiters;
    IntrusiveList<WaitQueueWatch, &WaitQueueWatch::node> m_watches;
};
