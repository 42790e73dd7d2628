// The word of a priority-inheritance futex, as Linux lays it out and user space changes it
// (glibc's and musl's PTHREAD_PRIO_INHERIT mutexes): the owner's TID in the low 30 bits,
// 0 when free; FUTEX_WAITERS when a thread sleeps in the kernel for it, so that the owner's
// unlock cannot be a plain compare-exchange back to 0 and must come to the kernel; and
// FUTEX_OWNER_DIED when an owner ended holding it (robust_list.h). User space takes a free
// lock itself (0 -> its TID) and lets go of an uncontended one (TID -> 0); the kernel does
// the rest, deciding here what the word becomes. Pure functions, host-tested; futex.cpp
// reads and swaps the word.
#pragma once

#include "kernel/mm/robust_list.h"

enum class PiLockAction {
    Take, // the lock is the caller's once the word becomes `word`
    Wait, // someone else owns it: mark it waited for (`word`) and sleep until handed it
    Deadlock, // the caller owns it already (EDEADLK)
};

struct PiLockStep {
    PiLockAction action;
    u32 word; // what the word is to become
};

// What FUTEX_LOCK_PI does with the word `word` it found, for the locker `tid`. A free lock
// (no owner, perhaps FUTEX_OWNER_DIED) is taken, keeping FUTEX_OWNER_DIED so the locker's C
// library reports EOWNERDEAD, and with FUTEX_WAITERS if `waited_for`: others wait for it, or
// the caller did (Linux's hand-over to a waiter always sets it). So is one whose owner is
// `gone_owner`, the owner that ended while the caller waited for it (0: none): Linux hands
// such a lock to its oldest waiter whether or not it was on a robust list, and marks it
// FUTEX_OWNER_DIED either way.
constexpr PiLockStep pi_lock_step(u32 word, u32 tid, bool waited_for, u32 gone_owner)
{
    u32 owner = word & FUTEX_TID_MASK;
    u32 waiters = waited_for ? FUTEX_WAITERS : 0;
    if (owner == tid)
        return { PiLockAction::Deadlock, word };
    if (owner == 0)
        return { PiLockAction::Take, tid | (word & FUTEX_OWNER_DIED) | waiters };
    if (owner == gone_owner)
        return { PiLockAction::Take, tid | FUTEX_OWNER_DIED | waiters };
    return { PiLockAction::Wait, word | FUTEX_WAITERS };
}

// What FUTEX_UNLOCK_PI makes of the word when its owner lets go: the next owner's TID with
// FUTEX_WAITERS (it may have company; its own unlock comes to the kernel to see), or 0 when
// `next_owner` is 0, nobody waiting. FUTEX_OWNER_DIED goes with the old owner.
constexpr u32 pi_unlocked_word(u32 next_owner) { return next_owner ? next_owner | FUTEX_WAITERS : 0; }
