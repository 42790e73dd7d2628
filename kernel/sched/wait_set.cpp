#include "wait_set.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/timer.h"
#include "scheduler.h"
#include <new>

WaitSet::~WaitSet()
{
    cpu::InterruptsDisabled guard;
    for (usize i = 0; i < m_count; ++i)
        WaitQueue::remove_watch(*watch_at(i));
    Chunk* chunk = m_first.next;
    while (chunk) {
        Chunk* next = chunk->next;
        delete chunk;
        chunk = next;
    }
}

WaitQueueWatch* WaitSet::watch_at(usize index)
{
    Chunk* chunk = &m_first;
    for (; index >= CHUNK; index -= CHUNK)
        chunk = chunk->next;
    return &chunk->watches[index];
}

void WaitSet::watch(WaitQueue& queue)
{
    cpu::InterruptsDisabled guard;
    Chunk* chunk = &m_first;
    for (usize i = 0; i < m_count; ++i) {
        if (i > 0 && i % CHUNK == 0)
            chunk = chunk->next;
        if (chunk->watches[i % CHUNK].queue == &queue)
            return;
    }
    if (m_count > 0 && m_count % CHUNK == 0) {
        auto* more = new (std::nothrow) Chunk;
        if (!more) {
            m_out_of_memory = true;
            return;
        }
        chunk->next = more;
        chunk = more;
    }
    WaitQueueWatch& watch = chunk->watches[m_count % CHUNK];
    watch.set = this;
    watch.exclusive = m_exclusive;
    queue.add_watch(watch);
    ++m_count;
}

bool WaitSet::notify()
{
    cpu::InterruptsDisabled guard;
    m_notified = true;
    bool woke = m_sleeper || (m_forward && m_forward->has_waiters_or_watches());
    if (m_sleeper)
        wake_up(*m_sleeper);
    if (m_forward)
        m_forward->wake_all();
    return woke;
}

bool WaitSet::take_notification()
{
    cpu::InterruptsDisabled guard;
    bool notified = m_notified;
    m_notified = false;
    return notified;
}

WaitResult WaitSet::wait(u64 deadline_ns)
{
    cpu::InterruptsDisabled guard;
    Thread& self = *current_thread();
    if (self.interrupt_pending())
        return WaitResult::Interrupted;
    if (!m_notified) {
        if (deadline_ns && monotonic_nanoseconds() >= deadline_ns)
            return WaitResult::TimedOut;
        m_sleeper = &self;
        if (deadline_ns)
            sleep_until(deadline_ns, SleepKind::Interruptible);
        else
            block_current(SleepKind::Interruptible);
        m_sleeper = nullptr;
    }
    bool notified = m_notified;
    m_notified = false;
    if (notified)
        return WaitResult::Woken;
    if (self.interrupt_pending())
        return WaitResult::Interrupted;
    return deadline_ns && monotonic_nanoseconds() >= deadline_ns ? WaitResult::TimedOut : WaitResult::Woken;
}
