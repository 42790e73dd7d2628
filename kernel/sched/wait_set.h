// A WaitSet lets one thread sleep on several wait queues at once — what poll() and select()
// need: the thread is on none of the queues; instead the set links a watch into each, and
// a wake of any watched queue marks the set "notified" and wakes the thread if it sleeps in
// wait(). A wake that comes between watch() and wait() is not lost: wait() then returns
// at once. This is Linux's poll_wqueues, in the shape of the rest of sched/.
//
//     WaitSet set;
//     for (;;) {
//         if (anything ready, asking each object to set.watch() its queues) break;
//         if (set.wait(deadline) == WaitResult::TimedOut) ...
//     }
//
// The set must outlive nothing it watches: its destructor unlinks every watch, and a queue
// destroyed first lets go of its watch (WaitQueue::~WaitQueue). Interrupts off protect the
// links, as for WaitQueue.
#pragma once

#include "wait_queue.h"

class WaitSet {
public:
    WaitSet() = default;
    WaitSet(WaitSet const&) = delete;
    ~WaitSet();

    // Watches `queue` from now on; nothing if it is watched already. When no watch can be
    // allocated the set remembers it (out_of_memory()): poll() then fails with ENOMEM
    // rather than sleep through a wake-up it would miss, as Linux's poll_wqueues does.
    void watch(WaitQueue&);
    bool out_of_memory() const { return m_out_of_memory; }
    // Sleeps until a watched queue was woken since the last wait() (at once if one was
    // already), until monotonic time `deadline_ns` (0 = none), or until the thread is
    // interrupted (Interrupted at once if an interrupt is pending). Clears the notification.
    WaitResult wait(u64 deadline_ns = 0);
    // Called by a watched queue's wake; whether it woke anyone (a thread in wait(), or
    // someone on the queue it forwards to).
    bool notify();
    // Makes the watches this set takes from now on exclusive (WaitQueueWatch::exclusive).
    void set_exclusive(bool exclusive) { m_exclusive = exclusive; }
    // From now on a notification also wakes `queue` (null: no longer): how an epoll
    // registration's watches reach the threads waiting on its instance.
    void forward_to(WaitQueue* queue) { m_forward = queue; }
    // Whether a watched queue was woken since the last call (or wait()), and clears it.
    bool take_notification();
    usize watch_count() const { return m_count; }

private:
    // Watches live in fixed chunks (a watch is linked into a queue, so it never moves): the
    // first chunk inside the set, more on the heap.
    static constexpr usize CHUNK = 16;
    struct Chunk {
        WaitQueueWatch watches[CHUNK];
        Chunk* next { nullptr };
    };
    WaitQueueWatch* watch_at(usize index);

    Chunk m_first;
    usize m_count { 0 };
    bool m_notified { false };
    bool m_out_of_memory { false };
    Thread* m_sleeper { nullptr }; // the thread inside wait(), the only time notify() wakes it
    WaitQueue* m_forward { nullptr };
    bool m_exclusive { false };
};
