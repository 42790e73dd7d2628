// Who waits for whom: deadlock detection for POSIX record locks (F_SETLKW).
//
// An owner asleep in F_SETLKW waits for the owner of the lock that blocked it. Before a new
// request sleeps, Linux follows that chain from the holder it would wait for — the holder
// waits for B, B waits for C, ... — and refuses with EDEADLK if the chain comes back to the
// requester, since then nobody would ever wake:
//
//   A holds [0,9], B holds [10,19]; B waits for [0,9] (edge B → A)
//   A asks for [10,19]: its holder B waits for A — a cycle, so A gets EDEADLK.
//
// Like Linux, only waits for a process-owned (POSIX) lock are recorded, an open-file
// (OFD) requester is never refused, and the walk gives up after a few steps. An edge is
// removed when its waiter is woken, before it runs again: the lock it wanted may be free
// by then. Pure logic, host-tested.
#pragma once

#include "record_lock_list.h"

// One sleeping request, kept on its waiter's kernel stack while it sleeps.
struct LockWait {
    LockOwner waiter;
    LockOwner holder; // owner of the lock that blocked it
    void const* file { nullptr }; // the lock context it sleeps on
    ListNode node;
};

class LockWaitGraph {
public:
    // Linux's MAX_DEADLK_ITERATIONS: a longer chain is not called a deadlock.
    static constexpr int MAX_STEPS = 10;

    void add(LockWait&);
    // Removes it if it is still recorded.
    void remove(LockWait&);
    // Wakers call this before waking the sleepers of `file`: their edges are stale now.
    void remove_waits_on(void const* file);
    // True when `requester` waiting for `holder` would close a cycle.
    bool would_deadlock(LockOwner requester, LockOwner holder) const;
    bool is_empty() const { return m_waits.is_empty(); }

private:
    LockWait const* wait_of(LockOwner) const;
    IntrusiveList<LockWait, &LockWait::node> m_waits;
};
