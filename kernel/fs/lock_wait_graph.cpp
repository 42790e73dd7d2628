#include "lock_wait_graph.h"

void LockWaitGraph::add(LockWait& wait) { m_waits.append(wait); }

void LockWaitGraph::remove(LockWait& wait)
{
    if (wait.node.is_linked())
        m_waits.remove(wait);
}

void LockWaitGraph::remove_waits_on(void const* file)
{
    for (LockWait* wait = m_waits.first(); wait;) {
        LockWait* next = m_waits.next(*wait);
        if (wait->file == file)
            m_waits.remove(*wait);
        wait = next;
    }
}

LockWait const* LockWaitGraph::wait_of(LockOwner owner) const
{
    for (LockWait const& wait : m_waits)
        if (wait.waiter == owner)
            return &wait;
    return nullptr;
}

bool LockWaitGraph::would_deadlock(LockOwner requester, LockOwner holder) const
{
    LockOwner owner = holder;
    for (int step = 0; step <= MAX_STEPS; ++step) {
        LockWait const* wait = wait_of(owner);
        if (!wait)
            return false;
        if (wait->holder == requester)
            return true;
        owner = wait->holder;
    }
    return false;
}
