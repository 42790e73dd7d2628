#include "record_lock_list.h"
#include <new>

void RecordLock::describe_as(RecordLock const& other)
{
    owner = other.owner;
    kind = other.kind;
    type = other.type;
    start = other.start;
    end = other.end;
    pid = other.pid;
}

RecordLockList::~RecordLockList()
{
    while (RecordLock* lock = m_locks.take_first())
        delete lock;
}

namespace {

bool conflict(RecordLock const& request, RecordLock const& held)
{
    if (request.owner == held.owner || !request.overlaps(held))
        return false;
    return request.type == LockType::Write || held.type == LockType::Write;
}

}

RecordLock* RecordLockList::first_of(LockOwner owner) const
{
    for (RecordLock& lock : m_locks)
        if (lock.owner == owner)
            return &lock;
    return nullptr;
}

RecordLock const* RecordLockList::find_conflict(RecordLock const& request) const
{
    if (request.type == LockType::Unlock)
        return nullptr;
    for (RecordLock const& lock : m_locks)
        if (conflict(request, lock))
            return &lock;
    return nullptr;
}

RecordLock const* RecordLockList::find_own(RecordLock const& request) const
{
    for (RecordLock* lock = first_of(request.owner); lock && lock->owner == request.owner; lock = m_locks.next(*lock))
        if (lock->overlaps(request))
            return lock;
    return nullptr;
}

Result<bool> RecordLockList::set(RecordLock const& request)
{
    LockOwner const owner = request.owner;
    RecordLock* const first = first_of(owner);

    // Allocate first, so that running out of memory changes nothing: the new lock, and the
    // tail of an old lock of another type that the request cuts in two.
    bool splits_one = false;
    for (RecordLock* lock = first; lock && lock->owner == owner; lock = m_locks.next(*lock))
        splits_one |= lock->type != request.type && lock->start < request.start && lock->end > request.end;
    RecordLock* added = nullptr;
    RecordLock* tail = nullptr;
    if (request.type != LockType::Unlock && !(added = new (std::nothrow) RecordLock))
        return Errno::NoLock;
    if (splits_one && !(tail = new (std::nothrow) RecordLock)) {
        delete added;
        return Errno::NoLock;
    }

    // One pass over the owner's locks, in order of start. `start` and `end` grow as locks
    // of the same type are merged in; when the loop stops, `lock` is where the new lock
    // goes: before the owner's first lock past it, or after the owner's last one.
    i64 start = request.start, end = request.end;
    bool released = false;
    RecordLock* lock = first;
    while (lock && lock->owner == owner) {
        RecordLock* next = m_locks.next(*lock);
        if (lock->type == request.type) {
            // Overlapping or touching: one lock. (Compare with start - 1 rather than end + 1,
            // which would overflow at LOCK_OFFSET_MAX.)
            if (lock->end < start - 1) {
                lock = next;
                continue;
            }
            if (lock->start - 1 > end)
                break;
            start = min(start, lock->start);
            end = max(end, lock->end);
            m_locks.remove(*lock);
            delete lock;
            lock = next;
            continue;
        }
        if (lock->end < start) {
            lock = next;
            continue;
        }
        if (lock->start > end)
            break;
        // Another type, or an unlock, over part of this lock: it gives those bytes up.
        released = true;
        if (lock->start < start && lock->end > end) {
            tail->describe_as(*lock);
            tail->start = end + 1;
            lock->end = start - 1;
            if (next)
                m_locks.insert_before(*next, *tail);
            else
                m_locks.append(*tail);
            lock = tail;
            break;
        }
        if (lock->start < start) {
            lock->end = start - 1;
            lock = next;
            continue;
        }
        if (lock->end > end) {
            lock->start = end + 1;
            break;
        }
        m_locks.remove(*lock);
        delete lock;
        lock = next;
    }

    if (added) {
        added->describe_as(request);
        added->start = start;
        added->end = end;
        if (lock)
            m_locks.insert_before(*lock, *added);
        else
            m_locks.append(*added);
    }
    return released;
}

bool RecordLockList::remove_owner(LockOwner owner)
{
    RecordLock* lock = first_of(owner);
    bool held = lock != nullptr;
    while (lock && lock->owner == owner) {
        RecordLock* next = m_locks.next(*lock);
        m_locks.remove(*lock);
        delete lock;
        lock = next;
    }
    return held;
}
