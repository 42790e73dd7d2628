// A Thread is one flow of control the scheduler runs: a kernel thread (idle, the flusher) or
// a thread of a user process. It owns a kernel stack, the CPU state saved while it is
// switched out, and the links of whichever queue it waits on.
//
// The scheduler never looks inside a Process: a thread names its process only so that the
// layers above can find it (current_process()), and names the address space the CPU must
// load to run it. Fields are grouped by who reads and writes them; kernel code runs on one
// CPU at a time with interrupts off (kernel_mode_lock.h), so none needs a lock of its own.
#pragma once

#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/lib/pending_signals.h"
#include "kernel/lib/result.h"

class Process;
class AddressSpace;

// What may end a sleep besides its own event: nothing (a disk request in flight, the kernel
// lock), any signal that wants the thread (a pipe, wait4, a futex), or only one that ends
// the process (a vfork parent waiting for its child).
enum class SleepKind : u8 {
    Uninterruptible,
    Interruptible,
    Killable,
};

class Thread {
public:
    enum class State {
        Runnable,
        Running,
        Blocked,
        Dead
    };

    // A kernel thread that runs `entry(argument)` and exits when it returns. Kernel threads
    // are numbered from KERNEL_THREAD_IDS up, apart from the ids user threads get.
    static Result<Thread*> create_kernel(char const* name, void (*entry)(void*), void* argument);
    // A user thread of `process` with id `tid` (the process layer numbers threads and
    // processes together, as Linux does), whose first return to user mode restores `initial`.
    static Result<Thread*> create_user(Process& process, u32 tid, TrapFrame const& initial);
    static constexpr u32 KERNEL_THREAD_IDS = 1u << 30;
    ~Thread();

    // The registers saved when this (user) thread last entered the kernel; editing them
    // changes what it returns to.
    TrapFrame& user_frame() { return *reinterpret_cast<TrapFrame*>(m_kernel_stack_top - sizeof(TrapFrame)); }

    u32 tid() const { return m_tid; }
    // execve from a thread other than the first: the survivor takes over the process's id,
    // as on Linux (its old id dies with the thread it was).
    void take_over_id(u32 tid) { m_tid = tid; }
    // A user thread's name is its command name (Linux's comm: prctl PR_SET_NAME, exec's
    // file name), at most 15 bytes; a kernel thread's says what it does.
    char const* name() const { return m_name; }
    void set_name(char const* name, usize max_length);
    Process* process() const { return m_process; }
    u64 kernel_stack_top() const { return m_kernel_stack_top; }
    // The kernel stack has an unmapped guard page below it, so an overflow faults at once;
    // a canary at its bottom also catches a write that jumped the guard, at the next switch.
    bool stack_canary_intact() const;

    // --- Interruptible sleeps (Linux's TIF_SIGPENDING). The process layer calls interrupt()
    // when a signal wants this thread back in user mode: an interruptible sleep ends with
    // WaitResult::Interrupted, and every later one returns at once until the process layer
    // calls clear_interrupt() (nothing deliverable is left). `fatal` says the signal will end
    // the process: then killable sleeps end too (Linux's TASK_KILLABLE). The scheduler never
    // decides which signals those are.
    void interrupt(bool fatal);
    void clear_interrupt()
    {
        m_interrupt_pending = false;
        m_fatal_interrupt_pending = false;
    }
    bool interrupt_pending() const { return m_interrupt_pending; }
    bool fatal_interrupt_pending() const { return m_fatal_interrupt_pending; }

    // --- Scheduler state (scheduler.cpp, wait_queue.cpp).
    State state { State::Runnable };
    SleepKind sleep_kind { SleepKind::Uninterruptible }; // of the current sleep, while Blocked
    u64 saved_rsp { 0 }; // kernel stack pointer while switched out (switch_context)
    u64 wake_at { 0 }; // for sleeping threads: monotonic ns deadline
    bool was_interrupted_by_timeout { false };
    ListNode scheduler_node; // run queue or one wait queue
    ListNode sleep_node; // the sleeping list, while sleeping with a deadline
    int keeps_kernel_lock { 0 }; // > 0: sleeping does not lend out the kernel lock (kernel_lock.h)
    // CPU time (scheduler.cpp): exact time on the CPU up to the last switch away, and the
    // timer ticks that found it in user mode or in the kernel, which split it.
    u64 cpu_ns { 0 };
    u64 switched_in_at { 0 }; // monotonic time it last got a CPU
    u32 user_ticks { 0 }, system_ticks { 0 };
    u32 cpu { 0 }; // the CPU it runs on, or last ran on
    u32 allowed_cpus { ~0u }; // sched_setaffinity: one bit per CPU it may run on

    // --- User CPU state, loaded by the scheduler when the thread runs.
    AddressSpace* address_space { nullptr }; // the page table to load; null: the kernel's (set by proc)
    u64 fs_base { 0 }; // user TLS base (arch_prctl ARCH_SET_FS, CLONE_SETTLS)
    // prctl(PR_SET_TSC, PR_TSC_SIGSEGV): the rdtsc instruction faults in user mode (CR4.TSD
    // while the thread runs), which is SIGSEGV. Inherited by the threads and processes it
    // creates and kept across execve, as Linux's TIF_NOTSC.
    bool rdtsc_faults { false };
    alignas(16) u8 fpu_state[512]; // fxsave image of the user's x87/SSE registers

    // --- Per-thread state of the process layer (proc/), stored here, never read by sched.
    u64 clear_child_tid { 0 }; // set_tid_address, CLONE_CHILD_CLEARTID
    u64 robust_list { 0 }; // set_robust_list: the C library's list of robust mutexes held
    u64 signal_mask { 0 }; // blocked signals: each thread has its own (rt_sigprocmask)
    int nice { 0 }; // -20..19 (setpriority); inherited by the threads and processes it creates
    // prctl(PR_SET_TIMERSLACK): how late its timed sleeps may end (Linux's timer_slack_ns),
    // and what a 0 resets it to: the creator's slack when this thread was made. Kept and
    // reported; Pagoda's time-outs do not add it (docs/syscalls.md).
    static constexpr u64 DEFAULT_TIMER_SLACK_NS = 50000;
    u64 timer_slack_ns { DEFAULT_TIMER_SLACK_NS };
    u64 default_timer_slack_ns { DEFAULT_TIMER_SLACK_NS };
    void inherit_timer_slack(Thread const& creator) { timer_slack_ns = default_timer_slack_ns = creator.timer_slack_ns; }
    PendingSignals pending; // sent to this thread alone (tgkill, its own faults)
    u64 mask_after_handler { 0 }; // sigsuspend, ppoll, pselect6: the mask the next handler's frame restores
    u64 sleep_restart_deadline { 0 }; // a sleep a stop interrupted resumes to this deadline
    bool restore_mask_after_handler { false };
    u64 alt_stack_base { 0 }, alt_stack_size { 0 }; // sigaltstack; size 0 = none
    bool alt_stack_autodisarm { false }; // SS_AUTODISARM: disabled while a handler runs on it
    ListNode group_node; // in its process's list of threads

private:
    Thread(char const* name, u32 tid, Process* process);
    Result<void> allocate_stack();

    u32 m_tid;
    char m_name[32];
    Process* m_process;
    u8* m_kernel_stack { nullptr }; // lowest usable byte (the guard page lies below)
    u64 m_kernel_stack_top { 0 };
    bool m_interrupt_pending { false };
    bool m_fatal_interrupt_pending { false };
};

constexpr usize KERNEL_STACK_SIZE = 32 * 1024;
