// A Thread is a schedulable flow of control with its own kernel stack: a kernel thread
// (idle, later the flusher) or the one thread of a user process.
#pragma once

#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/lib/result.h"

class Process;

class Thread {
public:
    enum class State { Runnable, Running, Blocked, Dead };

    // A kernel thread that runs `entry(argument)` and exits when it returns.
    static Result<Thread*> create_kernel(char const* name, void (*entry)(void*), void* argument);
    // A user thread of `process` whose first return to user mode restores `initial`.
    static Result<Thread*> create_user(Process& process, TrapFrame const& initial);
    ~Thread();

    // The registers saved when this (user) thread last entered the kernel; editing them
    // changes what it returns to.
    TrapFrame& user_frame() { return *reinterpret_cast<TrapFrame*>(m_kernel_stack_top - sizeof(TrapFrame)); }

    u32 tid() const { return m_tid; }
    char const* name() const { return m_name; }
    Process* process() const { return m_process; }
    u64 kernel_stack_top() const { return m_kernel_stack_top; }
    // Kernel stacks live on the heap with no guard page; a canary at the bottom turns an
    // overflow into a panic at the next context switch instead of silent heap corruption.
    bool stack_canary_intact() const;

    State state { State::Runnable };
    u64 saved_rsp { 0 };        // kernel stack pointer while switched out (switch_context)
    u64 fs_base { 0 };          // user TLS base (arch_prctl ARCH_SET_FS)
    u64 wake_at { 0 };          // for sleeping threads: monotonic ns deadline
    u64 clear_child_tid { 0 };  // set_tid_address
    ListNode scheduler_node;    // run queue or one wait queue
    ListNode sleep_node;        // the sleeping list, while sleeping with a deadline
    bool was_interrupted_by_timeout { false };
    int keeps_kernel_lock { 0 }; // > 0: sleeping does not lend out the kernel lock (kernel_lock.h)
    alignas(16) u8 fpu_state[512]; // fxsave image of the user's x87/SSE registers

private:
    Thread(char const* name, Process* process);
    Result<void> allocate_stack();

    u32 m_tid;
    char m_name[32];
    Process* m_process;
    u8* m_kernel_stack { nullptr };
    u64 m_kernel_stack_top { 0 };
};

constexpr usize KERNEL_STACK_SIZE = 32 * 1024;
