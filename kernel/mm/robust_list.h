// The robust-futex list a thread registers with set_robust_list(2): the locks it holds,
// linked through user memory. When the thread dies, every lock word on the list that still
// names it as owner gets FUTEX_OWNER_DIED (and keeps FUTEX_WAITERS), and one waiter of each
// such lock is woken, so the next locker sees EOWNERDEAD instead of sleeping forever. The
// walk trusts nothing: unreadable entries end it, and a circular list stops after Linux's
// ROBUST_LIST_LIMIT entries. Pure user-memory work, host-tested.
#pragma once

#include "../lib/function_ref.h"
#include "address_space.h"

constexpr u32 FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
constexpr u32 ROBUST_LIST_LIMIT = 2048;

// struct robust_list_head, as set_robust_list(2) registers it.
struct RobustListHead {
    u64 next; // first entry (a struct robust_list *), or the head's own address when empty
    i64 futex_offset; // from an entry to its lock word
    u64 list_op_pending; // an entry being added or removed right now
};

// Releases the locks of the thread `tid` whose list head is at `head_address` (0: none);
// `wake_one` is called with the address of each released word that had waiters.
void release_robust_locks(AddressSpace&, VirtAddr head_address, u32 tid, FunctionRef<void(VirtAddr word)> wake_one);
