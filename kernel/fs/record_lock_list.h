// Record locks: byte-range read and write locks on one file — the POSIX locks of
// fcntl(F_SETLK), owned by a process, and the open-file-description ("OFD") locks of
// fcntl(F_OFD_SETLK), owned by an open file. Both kinds live in one list because they
// conflict with each other exactly as two locks of different owners do.
//
// Two locks conflict when their owners differ, their ranges overlap, and at least one is a
// write lock. An owner's own locks never conflict: setting a range replaces whatever the
// owner held there, so the list keeps, for each owner, non-overlapping ranges sorted by
// start, with touching ranges of one type merged — as Linux's posix_lock_inode does:
//
//   owner A holds  [0 ──── read ──── 99]
//   A sets         [40 write 59]
//   A now holds    [0 read 39][40 write 59][60 read 99]      (split in three)
//   A unlocks      [50 ........ 99]
//   A now holds    [0 read 39][40 write 49]                  (trimmed and removed)
//
// The list keeps each owner's locks together, owners in the order they first locked: the
// first conflict F_GETLK reports is the one Linux would report. Pure logic, host-tested.
#pragma once

#include "kernel/lib/intrusive_list.h"
#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

// Who holds a lock: compared, never dereferenced. A POSIX lock's owner is the descriptor
// table it was taken through (Linux's files_struct), an OFD or flock lock's the open file.
struct LockOwner {
    void const* identity { nullptr };
    bool operator==(LockOwner const&) const = default;
};

// The values of Linux's F_RDLCK, F_WRLCK and F_UNLCK.
enum class LockType : u8 {
    Read = 0,
    Write = 1,
    Unlock = 2,
};

// Which kind of record lock: F_GETLK reports a process's pid for a POSIX lock and -1 for an
// open file's, and only POSIX locks take part in deadlock detection.
enum class RecordLockKind : u8 {
    Process,
    OpenFile,
};

// Linux's OFFSET_MAX: a range ending here runs to the end of the file however far it grows.
constexpr i64 LOCK_OFFSET_MAX = INT64_MAX;

struct RecordLock {
    LockOwner owner;
    RecordLockKind kind { RecordLockKind::Process };
    LockType type { LockType::Read };
    i64 start { 0 };
    i64 end { LOCK_OFFSET_MAX }; // inclusive
    u32 pid { 0 }; // who took it, for F_GETLK
    ListNode node;

    bool overlaps(RecordLock const& other) const { return start <= other.end && other.start <= end; }
    // Copies what describes the lock, not its place in a list.
    void describe_as(RecordLock const& other);
};

class RecordLockList {
public:
    RecordLockList() = default;
    RecordLockList(RecordLockList const&) = delete;
    ~RecordLockList();

    bool is_empty() const { return m_locks.is_empty(); }
    // The first lock of another owner that `request` (Read or Write) cannot coexist with,
    // or nullptr: what F_GETLK reports and what makes F_SETLK fail.
    RecordLock const* find_conflict(RecordLock const& request) const;
    // The first lock of the request's own owner overlapping its range, or nullptr
    // (F_OFD_GETLK with F_UNLCK asks this).
    RecordLock const* find_own(RecordLock const& request) const;

    // Gives the request's owner the request's type (or no lock, for Unlock) over its range,
    // splitting, trimming and merging what the owner held. Checking conflicts with other
    // owners is the caller's part (find_conflict). Returns whether some lock of the owner
    // gave up bytes — then waiters may now get theirs; NoLock if memory for a record ran out
    // (and nothing changed).
    Result<bool> set(RecordLock const& request);
    // Drops every lock `owner` holds; returns whether it held any.
    bool remove_owner(LockOwner);

    template<typename Visit> void for_each(Visit visit) const
    {
        for (RecordLock const& lock : m_locks)
            visit(lock);
    }

private:
    RecordLock* first_of(LockOwner) const;
    IntrusiveList<RecordLock, &RecordLock::node> m_locks;
};
