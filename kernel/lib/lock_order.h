// A lock-order validator (Linux's lockdep, cut down to what a handful of locks needs). Each
// lock belongs to a LockClass; every CPU keeps the classes it holds, in the order it took
// them. Taking class B while holding A records "A before B", with the stack that first did
// so; taking A while holding B once that pair is on record is an inversion — two CPUs doing
// the two orders at once would deadlock, even if this run never did — and is reported with
// both stacks (the kernel panics). Two locks of one class held at once count too: nothing
// orders them.
//
// The order itself is written down once, in docs/locking.md ("The lock order"); this checks
// that the code keeps it, in builds with PAGODA_LOCK_ORDER_CHECKS (CMake option of the same
// name; tools/test's 4-CPU run uses one). Spinning locks only: a CPU's held set is
// meaningful because they are never held across a thread switch (the kernel-mode lock,
// handed to the next thread with the CPU, is held by the CPU the whole time).
#pragma once

#include "types.h"

#ifdef PAGODA_LOCK_ORDER_CHECKS
constexpr bool LOCK_ORDER_CHECKS = true;
#else
constexpr bool LOCK_ORDER_CHECKS = false;
#endif

struct LockClass {
    char const* name;
    u32 id { 0 }; // given on first use, 1..LOCK_CLASS_LIMIT
};
constexpr u32 LOCK_CLASS_LIMIT = 16;
constexpr u32 LOCK_STACK_DEPTH = 8;

// The classes one CPU holds, oldest first.
struct HeldLocks {
    static constexpr u32 CAPACITY = 8;
    LockClass* classes[CAPACITY];
    u32 count;
};

struct LockStack {
    u64 return_addresses[LOCK_STACK_DEPTH]; // innermost first, 0 past the end
};

struct LockInversion {
    LockClass const* held; // what the CPU held ...
    LockClass const* taken; // ... when it took this
    LockStack recorded; // where `taken` was first taken before `held`
    LockStack now; // and where it is taken after it now
};

// What the validator needs from its surroundings: the kernel binds these at boot
// (arch/x86_64/lock_order_hooks.cpp), a host test binds fakes. Until then nothing is checked.
struct LockOrderHooks {
    HeldLocks& (*held_here)(); // this CPU's
    void (*capture_stack)(LockStack&); // the caller's return addresses
    void (*report)(LockInversion const&); // the kernel panics
};
void lock_order_set_hooks(LockOrderHooks const*);

// Call right after taking a lock of `lock_class`, and right before letting it go.
void lock_order_acquired(LockClass& lock_class);
void lock_order_released(LockClass& lock_class);

// Forgets every recorded pair and hands out class ids from 1 again — for host tests, between
// cases whose classes are made afresh (id 0). A class that has an id keeps it, so a class
// used before the reset and after it could share an id with a new one: only fresh classes
// may be used after a reset.
void lock_order_reset();
