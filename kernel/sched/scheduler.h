// Round-robin scheduling on every CPU from one run queue. Kernel code runs with interrupts
// disabled (system calls enter with IF clear) and on one CPU at a time (the kernel-mode
// lock, kernel/arch/x86_64/kernel_mode_lock.h), so the kernel is never preempted in the
// middle of a data structure: threads switch only when they block or yield, and the timer
// preempts only code that runs with interrupts enabled — user mode and the idle loop.
#pragma once

#include "kernel/arch/x86_64/acpi_madt.h"
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
// A long operation in the kernel (populating a huge range) calls this between steps, as
// Linux's cond_resched: once the thread has had the CPU for a time slice, sleepers that are
// due are woken and, if another thread can run, this one yields — lending the kernel lock
// (so a kill() can reach it). The caller must re-check what it decided before the call.
void offer_cpu();
void wake_up(Thread&);
// Every online CPU, one bit each: what a thread may run on unless sched_setaffinity says less.
u32 online_cpu_mask();
// Restricts `thread` to the CPUs of `mask` (a subset of online_cpu_mask(), not empty). One
// running elsewhere moves at its CPU's next tick; the caller itself, at once.
void set_allowed_cpus(Thread& thread, u32 mask);
// If `thread` is running on another CPU, interrupts that CPU (a wake IPI), so that the
// thread enters the kernel and sees what changed for it (a signal) before it returns.
void kick(Thread&);
// Blocks the current thread until monotonic time `deadline_ns`, until woken, or until
// interrupted as `kind` allows. Returns true if the deadline passed.
bool sleep_until(u64 deadline_ns, SleepKind kind = SleepKind::Uninterruptible);
// CPU time a thread has used, split into user and kernel time in the proportion of the
// timer ticks that found it in each (as Linux's cputime_adjust: a thread no tick caught in
// the kernel counts as all user time). Exact in sum, to the nanosecond.
struct CpuTimes {
    u64 user_ns { 0 };
    u64 system_ns { 0 };
    u64 total() const { return user_ns + system_ns; }
    CpuTimes& operator+=(CpuTimes const& other)
    {
        user_ns += other.user_ns;
        system_ns += other.system_ns;
        return *this;
    }
};
CpuTimes thread_cpu_times(Thread const&);
// What /proc/stat, /proc/uptime and /proc/loadavg show: timer ticks that found each CPU in
// user mode, in the kernel, or idle (an idle CPU takes one tick at most, then none: idle_ns
// is what tells idle time); switches between threads; the load averages
// over 1, 5 and 15 minutes in Linux's fixed point (value / 2048), sampled every 5 s; the
// threads running or ready now; the idle thread's exact time.
struct CpuStats {
    u64 user_ticks, system_ticks, idle_ticks;
    u64 idle_ns; // its idle thread's exact time
};
struct SchedulerStats {
    u64 user_ticks, system_ticks, idle_ticks; // all CPUs together
    u64 context_switches;
    u64 load[3];
    u32 runnable;
    u32 uninterruptible; // blocked where no signal wakes them (Linux's D state)
    u64 idle_ns; // all CPUs' idle threads together
    u32 cpu_count;
    CpuStats cpus[MAX_CPUS];
};
SchedulerStats scheduler_stats();
// Called from every timer tick with the thread that had the CPU (never the idle thread) and
// whether the tick found it in user mode: how the process layer runs CPU-time timers
// and limits without the scheduler knowing about them.
void scheduler_set_cpu_tick_hook(void (*hook)(Thread&, bool in_user_mode));
// Ends the current thread; the scheduler frees it once off its stack.
[[noreturn]] void thread_exit_current_noreturn();
