// Whole-file locks: the BSD locks of flock(2). Each open file description holds at most
// one, shared (LOCK_SH, kept as Read) or exclusive (LOCK_EX, Write); two conflict when
// their owners differ and one is exclusive. They never conflict with record locks — Linux
// keeps the two in separate lists, and so does Pagoda. Pure logic, host-tested.
#pragma once

#include "record_lock_list.h"

struct WholeFileLock {
    LockOwner owner;
    LockType type { LockType::Read }; // Read or Write
    ListNode node;
};

class WholeFileLockList {
public:
    WholeFileLockList() = default;
    WholeFileLockList(WholeFileLockList const&) = delete;
    ~WholeFileLockList();

    bool is_empty() const { return m_locks.is_empty(); }
    // The lock `owner` holds, or nullptr.
    WholeFileLock* find(LockOwner) const;
    // The first lock of another owner that a lock of `type` cannot coexist with, or nullptr.
    WholeFileLock const* find_conflict(LockOwner, LockType type) const;
    // Records a lock for an owner that holds none; NoMemory if memory ran out.
    Result<void> add(LockOwner, LockType);
    // Drops the owner's lock; returns whether it held one.
    bool remove(LockOwner);

private:
    IntrusiveList<WholeFileLock, &WholeFileLock::node> m_locks;
};
