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
        Waiter(FutexKey key_, Thread* thread_, u32 bitset_ = FUTEX_BITSET_MATCH_ANY) : key(key_), thread(thread_), bitset(bitset_)
        { }
        FutexKey key;
        Thread* thread;
        u32 bitset { FUTEX_BITSET_MATCH_ANY }; // a wake reaches it if their bitsets share a bit
        bool woken { false };
        ListNode node;
    };

    void enqueue(Waiter& waiter) { m_waiters.append(waiter); }
    // A waiter that gives up (time-out, signal); nothing if a wake took it already.
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

private:
    IntrusiveList<Waiter, &Waiter::node> m_waiters;
};
