// futex(2): sleeping on a 32-bit word in user memory until someone wakes that word.
// A waiter is keyed by what the word *is*, not where one process sees it: a word in a
// shared mapping (a file's, or MAP_SHARED|MAP_ANONYMOUS memory) is keyed by its page cache,
// page and offset, so processes that map it at different addresses still meet — which is
// what process-shared pthread mutexes and semaphores need. Any other word is keyed by
// (address space, address).
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class AddressSpace;

// FUTEX_WAIT: if the word at `address` still holds `expected`, sleeps until woken or until
// `deadline_ns` (monotonic; 0 = none). TryAgain if the value differs, TimedOut, Interrupted.
Result<void> futex_wait(AddressSpace&, u64 address, u32 expected, u64 deadline_ns, bool process_private);
// FUTEX_WAKE: wakes up to `count` waiters of the word; returns how many.
Result<u32> futex_wake(AddressSpace&, u64 address, u32 count, bool process_private);
