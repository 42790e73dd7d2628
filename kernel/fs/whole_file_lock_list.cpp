#include "whole_file_lock_list.h"
#include "kernel/lib/assert.h"
#include <new>

WholeFileLockList::~WholeFileLockList()
{
    while (WholeFileLock* lock = m_locks.take_first())
        delete lock;
}

WholeFileLock* WholeFileLockList::find(LockOwner owner) const
{
    for (WholeFileLock& lock : m_locks)
        if (lock.owner == owner)
            return &lock;
    return nullptr;
}

WholeFileLock const* WholeFileLockList::find_conflict(LockOwner owner, LockType type) const
{
    for (WholeFileLock const& lock : m_locks)
        if (!(lock.owner == owner) && (type == LockType::Write || lock.type == LockType::Write))
            return &lock;
    return nullptr;
}

Result<void> WholeFileLockList::add(LockOwner owner, LockType type)
{
    VERIFY(!find(owner) && type != LockType::Unlock);
    auto* lock = new (std::nothrow) WholeFileLock;
    if (!lock)
        return Errno::NoMemory; // as Linux's flock, which allocates its record up front
    lock->owner = owner;
    lock->type = type;
    m_locks.append(*lock);
    return {};
}

bool WholeFileLockList::remove(LockOwner owner)
{
    WholeFileLock* lock = find(owner);
    if (!lock)
        return false;
    m_locks.remove(*lock);
    delete lock;
    return true;
}
