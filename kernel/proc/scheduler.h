// Round-robin scheduling on one CPU. Kernel code runs with interrupts disabled (system calls
// enter with IF clear), so the kernel is never preempted in the middle of a data structure:
// threads switch only when they block or yield, and the timer preempts only code that runs
// with interrupts enabled — user mode, the idle loop, and kernel threads that allow it.
#pragma once

#include "thread.h"

void scheduler_initialize();
Thread* current_thread();
// Starts running threads; never returns. The boot context becomes the idle thread.
[[noreturn]] void scheduler_start();

void scheduler_add(Thread&);
// Gives up the CPU; the current thread stays runnable.
void yield();
// Marks the current thread blocked and switches away; returns after wake_up().
void block_current();
void wake_up(Thread&);
// Blocks the current thread until monotonic time `deadline` or until woken. Returns true if
// the deadline passed.
bool sleep_until(u64 deadline_ns);
// Ends the current thread; the scheduler frees it once off its stack.
[[noreturn]] void thread_exit_current_noreturn();
// Called by the timer interrupt: wakes sleepers and preempts if `frame` allows it.
void scheduler_tick(TrapFrame& frame);

// A list of threads waiting for one event.
class WaitQueue {
public:
    // Blocks the current thread until wake_all() (or its deadline, if nonzero). Returns
    // false if it timed out.
    bool wait(u64 deadline_ns = 0);
    void wake_all();
    bool is_empty() const { return m_waiters.is_empty(); }

private:
    IntrusiveList<Thread, &Thread::scheduler_node> m_waiters;
};
