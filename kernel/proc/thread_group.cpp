// A process's threads: Linux's thread group. Every thread shares the process's address
// space, files and signal actions; each has its own registers, TLS base, signal mask and
// thread-directed pending signals (sched/thread.h).
//
// Ending threads is the delicate part. One thread cannot stop another that is asleep in
// the kernel (a disk read, a futex), so ending the others (exit_group, a fatal signal,
// execve) sets a *survivor*, interrupts every other thread fatally (their interruptible and
// killable sleeps end) and waits: each of them ends itself at its next return towards
// user mode (handle_pending_signals, signal.cpp), and the last one to go wakes the
// survivor. Only then is anything shared torn down.
#include "futex.h"
#include "kernel/lib/log.h"
#include "kernel/mm/robust_list.h"
#include "kernel/mm/user_memory.h"
#include "process.h"

usize Process::thread_count() const
{
    usize count = 0;
    for (Thread& thread : m_threads) {
        (void)thread;
        ++count;
    }
    return count;
}

Thread* Process::find_thread(u32 tid) const
{
    for (Thread& thread : m_threads)
        if (thread.tid() == tid)
            return &thread;
    return nullptr;
}

void Process::for_each_thread(FunctionRef<void(Thread&)> visit) const
{
    for (Thread* thread = m_threads.first(); thread;) {
        Thread* next = m_threads.next(*thread);
        visit(*thread);
        thread = next;
    }
}

void Process::add_thread(Thread& thread)
{
    m_threads.append(thread);
    thread.address_space = m_address_space.ptr();
}

Result<Thread*> Process::create_thread(Thread& creator, u64 stack, u64 tls)
{
    if (over_task_limit(*this))
        return Errno::TryAgain;
    TrapFrame frame = creator.user_frame();
    frame.rax = 0; // clone returns 0 in the new thread
    if (stack)
        frame.rsp = stack;
    Thread* thread = TRY(Thread::create_user(*this, allocate_task_id(), frame));
    thread->fs_base = tls;
    thread->set_name(creator.name(), COMMAND_NAME_MAX);
    // The creator's live FPU/SSE registers are the ones to inherit, not its last saved copy.
    asm volatile("fxsave %0" : "=m"(thread->fpu_state));
    thread->signal_mask = creator.signal_mask;
    thread->nice = creator.nice;
    thread->inherit_timer_slack(creator);
    thread->rdtsc_faults = creator.rdtsc_faults;
    add_thread(*thread);
    return thread;
}

void Process::release_thread_user_state(Thread& thread)
{
    if (!m_address_space)
        return;
    // CLONE_CHILD_CLEARTID / set_tid_address: zero the word and wake a futex waiter on it:
    // how pthread_join learns that the thread is gone.
    if (u64 word = thread.clear_child_tid) {
        thread.clear_child_tid = 0;
        u32 zero = 0;
        if (!copy_to_user(*m_address_space, word, &zero, sizeof zero).is_error())
            (void)futex_wake(*m_address_space, word, 1, false);
    }
    AddressSpace& space = *m_address_space;
    release_robust_locks(
        space, thread.robust_list, thread.tid(), [&](VirtAddr word) { (void)futex_wake(space, word, 1, false); });
    thread.robust_list = 0;
    // The robust list's wake reaches only plain waiters (a PI lock's refuse it, EINVAL, as
    // on Linux); a PI lock still owned goes to its oldest waiter here. Last, after all that
    // may sleep, so no waiter can queue for this thread's locks after they were handed on.
    futex_pi_owner_exited(thread.tid());
}

void Process::exit_thread(Thread& thread, int wait_status)
{
    release_thread_user_state(thread); // may sleep: who else is left is decided after it
    if (thread_count() == 1)
        exit(wait_status); // the last thread out ends the process
    m_ended_threads_cpu += thread_cpu_times(thread);
    m_threads.remove(thread);
    m_thread_ended.wake_all();
    thread_exit_current_noreturn();
}

bool Process::end_other_threads(Thread& survivor)
{
    switch (m_ending.claim(survivor, thread_count())) {
    case GroupEnding::Claim::Yield:
        return false; // another thread is ending the group already
    case GroupEnding::Claim::Alone:
        return true;
    case GroupEnding::Claim::Survivor:
        break;
    }
    for_each_thread([&](Thread& thread) {
        if (&thread != &survivor)
            thread.interrupt(true);
    });
    while (!m_ending.finished(thread_count()))
        m_thread_ended.wait();
    return true;
}
