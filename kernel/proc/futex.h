// futex(2): sleeping on a 32-bit word in user memory until someone wakes that word.
// A waiter is keyed by what the word *is*, not where one process sees it: a word in a
// shared mapping (a file's, or MAP_SHARED|MAP_ANONYMOUS memory) is keyed by its page cache,
// page and offset, so processes that map it at different addresses still meet — which is
// what process-shared pthread mutexes and semaphores need. Any other word is keyed by
// (address space, address).
#pragma once

#include "futex_table.h"
#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class AddressSpace;

// FUTEX_WAIT(_BITSET): if the word at `address` still holds `expected`, sleeps until woken
// by a wake whose bitset shares a bit with `bitset`, or until `deadline_ns` (monotonic; 0 =
// none). TryAgain if the value differs, TimedOut, Interrupted.
Result<void> futex_wait(
    AddressSpace&, u64 address, u32 expected, u64 deadline_ns, bool process_private, u32 bitset = FUTEX_BITSET_MATCH_ANY);
// futex_waitv(2): one of the words it waits on (FUTEX2_SIZE_U32 each), as user space gave it.
struct FutexVectorEntry {
    u64 address;
    u32 expected;
    bool process_private;
};
// Sleeps until a wake reaches any of the `count` words, if each still holds its `expected`
// (else TryAgain), or until `deadline_ns` (monotonic; 0 = none: TimedOut); returns the index
// of the word woken. A signal restarts the call or ends it with EINTR (RestartSys).
Result<u32> futex_wait_vector(AddressSpace&, FutexVectorEntry const* entries, u32 count, u64 deadline_ns);
// FUTEX_WAKE(_BITSET): wakes up to `count` waiters of the word; returns how many.
Result<u32> futex_wake(AddressSpace&, u64 address, u32 count, bool process_private, u32 bitset = FUTEX_BITSET_MATCH_ANY);
// FUTEX_(CMP_)REQUEUE: wakes up to `wake_count` waiters of `address` and moves up to
// `move_count` more to wait on `target` (what a condition variable's broadcast does rather
// than wake them all onto one mutex). With `compare`, TryAgain unless the word holds
// `expected`. Returns woken + moved.
Result<u32> futex_requeue(
    AddressSpace&, u64 address, u32 wake_count, u32 move_count, u64 target, bool process_private, bool compare, u32 expected);
// FUTEX_WAKE_OP: changes the word at `second` by the operation encoded in `encoded`, wakes up
// to `wake_count` waiters of `address`, and, if the old value of `second` passes the
// encoded comparison, up to `second_wake_count` of `second`. Returns how many woke.
Result<u32> futex_wake_op(
    AddressSpace&, u64 address, u32 wake_count, u64 second, u32 second_wake_count, u32 encoded, bool process_private);

// Priority-inheritance locks (futex_pi.h has the word's layout). FUTEX_LOCK_PI(2) and
// FUTEX_TRYLOCK_PI: takes the lock at `address` for the calling thread, or, unless
// `try_only` (then TryAgain), sleeps in line until its owner hands it over or ends, or
// until `deadline_ns` (monotonic; 0 = none: TimedOut). Deadlock if the caller owns it,
// NoProcess if the word names a TID no thread has; a signal restarts the call.
Result<void> futex_lock_pi(AddressSpace&, u64 address, u64 deadline_ns, bool process_private, bool try_only);
// FUTEX_UNLOCK_PI: the caller lets go; the oldest waiter becomes the owner (its TID is
// written into the word) and wakes. NotPermitted unless the caller owns the lock.
Result<void> futex_unlock_pi(AddressSpace&, u64 address, bool process_private);
// The thread `tid` is ending, its robust list released: each PI lock it still owns goes to
// its oldest waiter, as Linux's exit_pi_state_list hands it over.
void futex_pi_owner_exited(u32 tid);
