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
#include "kernel/mm/user_memory.h"
#include "process.h"

namespace {

constexpr u32 FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
constexpr u32 ROBUST_LIST_LIMIT = 2048; // Linux's bound on a (possibly circular) list

// struct robust_list_head, as set_robust_list(2) registers it.
struct RobustListHead {
    u64 next; // first entry (a struct robust_list *), or the head's own address when empty
    i64 futex_offset; // from an entry to its lock word
    u64 list_op_pending; // an entry being added or removed right now
};

// A robust lock word owned by the dying thread `tid`: marked FUTEX_OWNER_DIED and one
// waiter woken, so the next locker gets EOWNERDEAD instead of sleeping forever.
void release_robust_lock(AddressSpace& space, u64 word_address, u32 tid)
{
    u32 word;
    if (copy_from_user(space, &word, word_address, sizeof word).is_error() || (word & FUTEX_TID_MASK) != tid)
        return;
    u32 died = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (copy_to_user(space, word_address, &died, sizeof died).is_error())
        return;
    if (word & FUTEX_WAITERS)
        (void)futex_wake(space, word_address, 1, false);
}

void walk_robust_list(AddressSpace& space, Thread& thread)
{
    RobustListHead head;
    if (!thread.robust_list || copy_from_user(space, &head, thread.robust_list, sizeof head).is_error())
        return;
    u64 entry = head.next & ~u64(1); // bit 0 marks a PI lock; the word is found the same way
    for (u32 i = 0; entry != thread.robust_list && i < ROBUST_LIST_LIMIT; ++i) {
        u64 next;
        if (copy_from_user(space, &next, entry, sizeof next).is_error())
            return;
        if (entry != head.list_op_pending)
            release_robust_lock(space, entry + head.futex_offset, thread.tid());
        entry = next & ~u64(1);
    }
    if (head.list_op_pending)
        release_robust_lock(space, (head.list_op_pending & ~u64(1)) + head.futex_offset, thread.tid());
}

}

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
    walk_robust_list(*m_address_space, thread);
    thread.robust_list = 0;
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
    if (m_survivor && m_survivor != &survivor)
        return false; // another thread is ending the group already
    if (thread_count() == 1)
        return true;
    m_survivor = &survivor;
    for_each_thread([&](Thread& thread) {
        if (&thread != &survivor)
            thread.interrupt(true);
    });
    while (thread_count() > 1)
        m_thread_ended.wait();
    m_survivor = nullptr;
    return true;
}
