// The kernel-mode lock: Pagoda's kernel runs on one CPU at a time. Whichever CPU executes
// kernel code — a system call, a fault, an interrupt handler, the scheduler, a kernel
// thread — holds this lock; the others run user code, halt, or wait here. So everything
// the kernel says about one CPU with interrupts off (docs/locking.md, rule 1) stays true
// with several: user code runs on every CPU at once, kernel code on one. (Linux 2.0 began
// its SMP the same way; finer locks can take this one's place piece by piece.)
//
// The lock belongs to a CPU, not to a thread: a thread that switches away hands it to the
// next thread on the same CPU (switch_context runs with it held), which gives it back when
// it returns to user mode or halts. A thread may come back on another CPU; it then holds
// that CPU's lock.
//
// A CPU waiting here has interrupts off, so it would never answer a TLB shootdown, and the
// lock's holder waits for every shootdown it sends: the wait loop answers them itself. A
// long wait halts (giving a virtual CPU's host time to the holder's) with interrupts on: the
// IPIs are answered as ever, and a device interrupt waits until the lock is ours
// (run_deferred_interrupts, traps.h); the releaser wakes the CPU whose ticket is next.
#pragma once

#include "kernel/lib/types.h"

// Interrupts must be off. Waits (a ticket lock: CPUs get it in the order they asked).
// (extern "C": interrupts.S calls both around a system call.)
extern "C" void kernel_mode_lock_acquire();
extern "C" void kernel_mode_lock_release();
bool kernel_mode_lock_held_here();

// The lock shared, for the one piece of kernel work that may run on several CPUs at once:
// a page fault of private anonymous memory (kernel/proc/parallel_fault.h). A shared holder
// knows that no kernel code runs anywhere but other shared holders' — the same guarantee
// as the exclusive lock, weakened only by them — so what they touch together has locks of
// its own (docs/locking.md, "Faults in parallel"). Never waits: false if any CPU holds the
// lock or waits for it (exclusive acquirers come first, so shared ones cannot starve them).
// Interrupts must be off until the release; a shared holder never sleeps or switches.
bool kernel_mode_lock_try_acquire_shared();
void kernel_mode_lock_release_shared();
// Acquisitions that found the lock taken, the TSC cycles spent waiting for it, and shared
// attempts refused because it was held or wanted (/proc/vmstat's kernel_mode_lock_* lines).
struct KernelModeLockStats {
    u64 contended;
    u64 wait_cycles;
    u64 shared_refused;
};
KernelModeLockStats kernel_mode_lock_stats();
