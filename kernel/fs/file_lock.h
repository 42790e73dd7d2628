// File locks: advisory locks a process takes on a file, all kept in one FileLockContext per
// file (Linux's file_lock_context, i_flctx), made when the first lock is asked for and
// freed when the last one goes:
//
//   Inode (or, for a file with no inode, the File) ──▶ FileLockContext
//        records:     RecordLockList     fcntl F_SETLK (owner: descriptor table) and
//                                        F_OFD_SETLK (owner: open file description)
//        whole_file:  WholeFileLockList  flock (owner: open file description)
//        leases:      LeaseList          fcntl F_SETLEASE (owner: open file description)
//        changed:     WaitQueue          F_SETLKW, blocking flock and lease breakers sleep here
//
// When they go away: a POSIX lock when its owner unlocks it or closes *any* descriptor of
// the file (FdTable calls release_record_locks on every close, exec's and exit's included);
// an OFD or flock lock or a lease when it is unlocked or the last descriptor of its open
// file closes (~OpenFile calls release_open_file_locks) — so they are kept across fork and dup.
//
// A waiter sleeps interruptibly and, woken, looks again from the start: whatever blocked it
// may have changed hands while it slept (docs/locking.md). Whoever gives up bytes wakes
// every sleeper on the file; deadlocks are found through LockWaitGraph.
#pragma once

#include "file.h"
#include "record_lock_list.h"

// What a request does when another owner's lock is in the way.
enum class IfLocked {
    Fail, // F_SETLK, LOCK_NB: EAGAIN
    Wait, // F_SETLKW, flock without LOCK_NB: sleep until it can be had
};

// F_GETLK, F_OFD_GETLK: copies into `found` the first lock of another owner that `request`
// (Read or Write) conflicts with or — for an Unlock request, as F_OFD_GETLK with F_UNLCK
// asks — the request owner's first lock over its range. False when there is none.
bool find_record_lock(File&, RecordLock const& request, RecordLock& found);

// F_SETLK(W), F_OFD_SETLK(W): gives the request's owner the request's lock (or none, for
// Unlock) over its range. A conflict gives TryAgain, or with Wait a sleep until the range
// is free: RestartSys when a signal ends it (EINTR, or a restart under SA_RESTART),
// Deadlock when a POSIX request would wait in a cycle. NoLock when memory ran out.
Result<void> set_record_lock(File&, RecordLock const& request, IfLocked);

// flock(): the owner's whole-file lock becomes `type` (Read = LOCK_SH, Write = LOCK_EX,
// Unlock = LOCK_UN). Converting drops the old lock first, waking its waiters, as Linux does
// — so a failed LOCK_NB conversion leaves the owner with no lock. Errors as set_record_lock.
Result<void> set_whole_file_lock(File&, LockOwner, LockType, IfLocked);

// A descriptor of `file` is closing in `owner`, the table it was in: POSIX semantics drop
// every record lock the table's owner holds on the file, whichever descriptor took it.
void release_record_locks(File&, LockOwner);

// The last reference to an open file description is going: its OFD locks, its flock and
// its lease.
void release_open_file_locks(File&, LockOwner);

// --- Leases (lease_list.h) ---

// /proc/sys/fs/lease-break-time: how many seconds a breaker waits for the holder before the
// kernel breaks the lease itself (Linux's default 45). 0 or less: no such time — the breaker
// waits until the holder gives the lease up, as on Linux. Read when a break starts.
i32& lease_break_seconds();

// F_SETLEASE: the open file's lease becomes `type`. Read: refused (TryAgain) while the file
// is open for writing; Write: while anyone else has it open; either beside other leases as
// LeaseList::others_allow says. Unlock without a lease: TryAgain. Only regular files:
// Invalid. When an opener breaks it, notify(holder_pid) is called (the caller sends SIGIO).
Result<void> set_lease(OpenFile&, LockType, u32 holder_pid, void (*notify)(u32 pid));
// F_GETLEASE: the lease's type (what it is becoming, if breaking), or Unlock.
LockType lease_type(OpenFile&);
// An open of `inode` (already holding its write access if `for_writing`), or a truncate,
// must not proceed past a lease it conflicts with: starts breaking such leases and waits
// until they are downgraded or gone, by their holders or when the break time runs out.
// TryAgain instead of waiting for a nonblocking open; RestartSys if a signal ends the wait.
Result<void> break_leases(Inode&, bool for_writing, bool nonblocking);
