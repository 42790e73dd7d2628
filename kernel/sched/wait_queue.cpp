#include "wait_queue.h"
#include "kernel/arch/x86_64/cpu.h"
#include "scheduler.h"
#include "wait_set.h"

WaitQueue::~WaitQueue()
{
    cpu::InterruptsDisabled guard;
    while (WaitQueueWatch* watch = m_watches.take_first()) {
        watch->queue = nullptr;
        watch->set->notify();
    }
}

void WaitQueue::wait()
{
    cpu::InterruptsDisabled guard;
    m_waiters.append(*current_thread());
    block_current();
}

WaitResult WaitQueue::wait_interruptible(u64 deadline_ns)
{
    cpu::InterruptsDisabled guard;
    Thread& self = *current_thread();
    if (self.interrupt_pending())
        return WaitResult::Interrupted;
    m_waiters.append(self);
    // However it ends, wake_up() has taken us off this queue.
    bool timed_out
        = deadline_ns ? sleep_until(deadline_ns, SleepKind::Interruptible) : (block_current(SleepKind::Interruptible), false);
    if (timed_out)
        return WaitResult::TimedOut;
    return self.interrupt_pending() ? WaitResult::Interrupted : WaitResult::Woken;
}

WaitResult WaitQueue::wait_killable()
{
    cpu::InterruptsDisabled guard;
    Thread& self = *current_thread();
    if (self.fatal_interrupt_pending())
        return WaitResult::Interrupted;
    m_waiters.append(self);
    block_current(SleepKind::Killable);
    return self.fatal_interrupt_pending() ? WaitResult::Interrupted : WaitResult::Woken;
}

void WaitQueue::wake_all()
{
    cpu::InterruptsDisabled guard;
    while (Thread* thread = m_waiters.first())
        wake_up(*thread); // takes it off this queue
    notify_watches();
}

u32 WaitQueue::wake(u32 count)
{
    cpu::InterruptsDisabled guard;
    u32 woken = 0;
    while (woken < count) {
        Thread* thread = m_waiters.first();
        if (!thread)
            break;
        wake_up(*thread);
        ++woken;
    }
    notify_watches();
    return woken;
}

void WaitQueue::add_watch(WaitQueueWatch& watch)
{
    watch.queue = this;
    m_watches.append(watch);
}

void WaitQueue::remove_watch(WaitQueueWatch& watch)
{
    if (watch.node.is_linked())
        IntrusiveList<WaitQueueWatch, &WaitQueueWatch::node>::remove(watch);
    watch.queue = nullptr;
}

void WaitQueue::notify_watches()
{
    // Notifying only marks the set and wakes its thread; the watch stays linked.
    bool exclusive_done = false;
    for (auto& watch : m_watches) {
        if (!watch.exclusive)
            (void)watch.set->notify();
        else if (!exclusive_done)
            exclusive_done = watch.set->notify();
    }
}
