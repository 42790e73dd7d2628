#include "futex_table.h"

u32 FutexTable::wake(FutexKey const& key, u32 count, u32 bitset, FunctionRef<void(Thread&)> wake)
{
    u32 woken = 0;
    for (Waiter* waiter = m_waiters.first(); waiter && woken < count;) {
        Waiter* next = m_waiters.next(*waiter);
        if (waiter->key == key && (waiter->bitset & bitset)) {
            next = next_outside_group(*waiter);
            take_out(*waiter);
            waiter->woken = true;
            wake(*waiter->thread);
            ++woken;
        }
        waiter = next;
    }
    return woken;
}

void FutexTable::take_out(Waiter& waiter)
{
    if (!waiter.group) {
        m_waiters.remove(waiter);
        return;
    }
    for (u32 i = 0; i < waiter.group_size; ++i)
        remove(waiter.group[i]);
}

FutexTable::Waiter* FutexTable::next_outside_group(Waiter& waiter)
{
    Waiter* next = m_waiters.next(waiter);
    while (next && waiter.group && next->group == waiter.group)
        next = m_waiters.next(*next);
    return next;
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

bool FutexTable::has_waiters(FutexKey const& key, bool pi)
{
    for (Waiter* waiter = m_waiters.first(); waiter; waiter = m_waiters.next(*waiter)) {
        if (waiter->key == key && (waiter->tid != 0) == pi)
            return true;
    }
    return false;
}

FutexTable::Waiter* FutexTable::next_pi_owner(FutexKey const& key)
{
    for (Waiter* waiter = m_waiters.first(); waiter; waiter = m_waiters.next(*waiter)) {
        if (waiter->key == key && waiter->tid)
            return waiter;
    }
    return nullptr;
}

void FutexTable::hand_over(Waiter& waiter, FunctionRef<void(Thread&)> wake)
{
    m_waiters.remove(waiter);
    waiter.woken = true;
    waiter.handed_over = true;
    set_pi_owner(waiter.key, waiter.tid);
    wake(*waiter.thread);
}

void FutexTable::set_pi_owner(FutexKey const& key, u32 owner)
{
    for (Waiter* waiter = m_waiters.first(); waiter; waiter = m_waiters.next(*waiter)) {
        if (waiter->key == key && waiter->tid)
            waiter->pi_owner = owner;
    }
}

u32 FutexTable::pi_owner_exited(u32 tid, FunctionRef<void(Thread&)> wake)
{
    u32 woken = 0;
    for (Waiter* waiter = m_waiters.first(); waiter;) {
        Waiter* next = m_waiters.next(*waiter);
        if (waiter->tid && waiter->pi_owner == tid) {
            // The others of this lock wait for whoever takes it over, not for the dead.
            set_pi_owner(waiter->key, 0);
            m_waiters.remove(*waiter);
            waiter->woken = true;
            waiter->owner_gone = true;
            waiter->pi_owner = tid;
            wake(*waiter->thread);
            ++woken;
        }
        waiter = next;
    }
    return woken;
}
