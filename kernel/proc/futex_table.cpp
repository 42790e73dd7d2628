#include "futex_table.h"

u32 FutexTable::wake(FutexKey const& key, u32 count, u32 bitset, FunctionRef<void(Thread&)> wake)
{
    u32 woken = 0;
    for (Waiter* waiter = m_waiters.first(); waiter && woken < count;) {
        Waiter* next = m_waiters.next(*waiter);
        if (waiter->key == key && (waiter->bitset & bitset)) {
            m_waiters.remove(*waiter);
            waiter->woken = true;
            wake(*waiter->thread);
            ++woken;
        }
        waiter = next;
    }
    return woken;
}

u32 FutexTable::requeue(FutexKey const& from, FutexKey const& to, u32 wake_count, u32 move_count, FunctionRef<void(Thread&)> wake)
{
    u32 done = this->wake(from, wake_count, FUTEX_BITSET_MATCH_ANY, wake);
    u32 moved = 0;
    for (Waiter* waiter = m_waiters.first(); waiter && moved < move_count; waiter = m_waiters.next(*waiter)) {
        if (waiter->key == from) {
            waiter->key = to; // it sleeps on the other word now; its place in line stays
            ++moved;
        }
    }
    return done + moved;
}
