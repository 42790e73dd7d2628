// Round-robin scheduling on one CPU. Kernel code runs with interrupts disabled (system calls
// enter with IF clear), so the kernel is never preempted in the middle of a data structure:
// threads switch only when they block or yield, and the timer preempts only code that runs
// with interrupts enabled — user mode and the idle loop.
#pragma once

#include "thread.h"

// Creates the idle thread and takes over the timer interrupt.
void scheduler_initialize();
Thread* current_thread();
// Starts running threads; never returns. The boot context is abandoned.
[[noreturn]] void scheduler_start();

void scheduler_add(Thread&);
// Gives up the CPU; the current thread stays runnable.
void yield();
// Marks the current thread blocked and switches away; returns after wake_up(), or after
// Thread::interrupt() if `kind` lets that end the sleep.
void block_current(SleepKind kind = SleepKind::Uninterruptible);
void wake_up(Thread&);
// Blocks the current thread until monotonic time `deadline_ns`, until woken, or until
// interrupted as `kind` allows. Returns true if the deadline passed.
bool sleep_until(u64 deadline_ns, SleepKind kind = SleepKind::Uninterruptible);
// Ends the current thread; the scheduler frees it once off its stack.
[[noreturn]] void thread_exit_current_noreturn();
