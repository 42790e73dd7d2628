// The futex wait table: who sleeps on which word, in arrival order. Pure bookkeeping (no
// sleeping, no user memory), host-tested: futex.cpp keys the words and puts the threads to
// sleep; this decides whom a wake or a requeue reaches.
#pragma once

#include "kernel/lib/function_ref.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/lib/types.h"

class Thread;

// What a futex word *is*: the page cache and file offset of a shared mapping's word, or the
// address space and address of any other.
struct FutexKey {
    void const* object;
    u64 offset;
    bool operator==(FutexKey const&) const = default;
};

constexpr u32 FUTEX_BITSET_MATCH_ANY = 0xffffffff;

class FutexTable {
public:
    // One sleeper, on its own stack for as long as it waits.
    struct Waiter {
        Waiter() = default;
        Waiter(FutexKey key_, Thread* thread_, u32 bitset_ = FUTEX_BITSET_MATCH_ANY) : key(key_), thread(thread_), bitset(bitset_)
        { }
        FutexKey key {};
        Thread* thread { nullptr };
        u32 bitset { FUTEX_BITSET_MATCH_ANY }; // a wake reaches it if their bitsets share a bit
        bool woken { false };
        // A PI lock's waiter (FUTEX_LOCK_PI) knows whom it waits for, and how its wait ended:
        // the lock handed to it (it owns the lock now), or its owner gone (try again).
        u32 tid { 0 }; // the waiting thread's, which a hand-over writes into the word
        u32 pi_owner { 0 }; // the lock's owner as last known; 0 for a plain waiter
        bool handed_over { false };
        bool owner_gone { false };
        // A futex_waitv sleeper waits on several words at once, one waiter per word, side by
        // side in an array: `group` is its first, of `group_size`. A wake of any one takes
        // them all out of line (the sleeper is woken once, and counts once), marking only
        // the one it reached woken, whose index the call returns.
        Waiter* group { nullptr };
        u32 group_size { 0 };
        ListNode node;
    };

    void enqueue(Waiter& waiter) { m_waiters.append(waiter); }
    // A waiter that gives up (time-out, signal); nothing if a wake took it already. For a
    // group's waiter, only that one (the sleeper removes each of its own).
    void remove(Waiter& waiter)
    {
        if (waiter.node.is_linked())
            m_waiters.remove(waiter);
    }
    // Takes up to `count` waiters of `key` whose bitset meets `bitset`, oldest first: each is
    // marked woken and handed to `wake`. Returns how many.
    u32 wake(FutexKey const& key, u32 count, u32 bitset, FunctionRef<void(Thread&)> wake);
    // Wakes up to `wake_count` waiters of `from`, then moves up to `move_count` more to wait
    // on `to` (keeping their order). Returns woken + moved.
    u32 requeue(FutexKey const& from, FutexKey const& to, u32 wake_count, u32 move_count, FunctionRef<void(Thread&)> wake);

    // Whether some waiter of `key` is a PI lock's (`pi`) or a plain one. Linux refuses to mix
    // them on one word (EINVAL): a plain wake cannot end a PI wait, nor a PI lock a plain one.
    bool has_waiters(FutexKey const& key, bool pi);

    // PI locks (futex_pi.h). A PI waiter is one with a tid; the oldest is the lock's next
    // owner (Linux orders by real-time priority first, and Pagoda has none).
    Waiter* next_pi_owner(FutexKey const& key);
    // Takes the PI waiter out of line, as the lock's owner now; the others of the key wait
    // for it from here on.
    void hand_over(Waiter& waiter, FunctionRef<void(Thread&)> wake);
    // The lock of `key` changed hands (without a hand-over): its waiters wait for `owner`.
    void set_pi_owner(FutexKey const& key, u32 owner);
    // The thread `tid` ended: for each lock it owned, wakes the oldest waiter to take it over
    // (owner_gone). Returns how many woke.
    u32 pi_owner_exited(u32 tid, FunctionRef<void(Thread&)> wake);

private:
    // Takes the waiter a wake reached out of line, with the rest of its group.
    void take_out(Waiter&);
    // The waiter after `waiter` in line that is not of its group (which take_out may remove).
    Waiter* next_outside_group(Waiter& waiter);

    IntrusiveList<Waiter, &Waiter::node> m_waiters;
};
