// VmStats: counters for everything the VM notes talk about (faults by kind, COW copies vs
// reuses, page-cache state, forks). Tests and demos read them to check that the mechanism,
// not just the result, is right; /proc/vmstat prints them with format_vmstat().
#pragma once

#include "../lib/types.h"

class FrameAllocator;

// Why PageCache::write_back() ran. The work is the same; the counters tell the reasons apart,
// so a test can see which path wrote a page.
enum class WriteBackReason {
    Sync, // msync(MS_SYNC), fsync()
    Periodic, // the flusher thread: pages dirty for longer than the age limit
    Unmap, // munmap() or address-space teardown of a MAP_SHARED mapping
    Release, // last open file / mapping gone, or the Pager detached
    Shutdown, // clean shutdown
    Throttle, // a writer over the dirty limit writes back before it goes on (mm/dirty_limit.h)
};
constexpr usize WRITE_BACK_REASONS = 6;

// An increment that may meet another CPU's (a page fault served in parallel,
// parallel_fault.h); the serial kernel's plain increments never run at the same time.
inline void count_concurrently(u64& counter) { __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); }

struct VmStats {
    u64 page_faults { 0 }; // every handle_fault() call, user or user-copy
    u64 zero_fill_read { 0 }; // read fault mapped the shared zero frame read-only
    u64 zero_fill_write { 0 }; // fresh zeroed frame (incl. first write over the zero frame)
    // Of those zero fills, the ones served on several CPUs at once (parallel_fault.h), and
    // such faults that found the page already mapped by another thread's (not in zero_fill_write).
    u64 parallel_faults { 0 };
    u64 parallel_faults_raced { 0 };
    u64 cow_copy { 0 }; // write to a shared COW frame: copied into a new frame
    u64 cow_reuse { 0 }; // write to a COW frame nobody else holds: made writable in place
    u64 file_faults { 0 }; // faults of file mappings served from the page cache (any kind)
    u64 file_cow { 0 }; // of those: a MAP_PRIVATE write copying a cache page (not in cow_copy)
    u64 parallel_file_faults { 0 }; // of file_faults, those served on several CPUs at once (parallel_fault.h)
    u64 page_cache_reads { 0 }; // pages read through a Pager on a cache miss ("major" faults/reads)
    u64 page_cache_evictions { 0 }; // clean unmapped pages dropped by evict_clean_pages()
    u64 readahead_pages { 0 }; // pages read ahead of their reader (read_ahead.h), in page_cache_reads too
    u64 readahead_hits { 0 }; // read-ahead pages a reader (read or fault) then used
    u64 readahead_async { 0 }; // windows read because a reader reached a marker page
    u64 page_cache_pages { 0 }; // frames currently held by page caches
    u64 unbacked_pages { 0 }; // of those, pages that are the only copy (tmpfs, shared anonymous): never evicted
    u64 dirty_pages { 0 }; // page-cache frames currently dirty
    u64 dirty_pages_peak { 0 }; // the highest dirty_pages has been
    u64 dirty_throttled { 0 }; // writers made to write back first (mm/dirty_limit.h)
    u64 written_back_pages { 0 }; // page-cache frames written back so far
    u64 written_back_for[WRITE_BACK_REASONS] {}; // the same, by WriteBackReason
    u64 write_back_batches { 0 }; // Pager::write_pages calls by write-back (one wait each)
    u64 write_back_batch_peak { 0 }; // the most pages one of them carried
    u64 forks { 0 }; // successful fork_address_space() calls
    u64 page_tables_shared { 0 }; // leaf page tables shared with a child at fork (2 MiB each)
    u64 page_tables_copied { 0 }; // shared leaf tables copied on a first change afterwards
    u64 oom_kills { 0 }; // processes killed because a page fault found no frame (proc/oom.h)
    u64 stack_growths { 0 }; // MAP_GROWSDOWN mappings grown down by a fault below them (stack_growth.cpp)
    u64 stack_growths_refused { 0 }; // such faults refused (guard gap, RLIMIT_STACK/AS): SIGSEGV
    u64 drop_pagecache { 0 }; // writes of 1 or 3 to /proc/sys/vm/drop_caches (the pages: in page_cache_evictions)
    u64 drop_slab { 0 }; // writes of 2 or 3 to it (reclaim.h: what Pagoda has to drop for them)
    // TLB shootdowns (arch/x86_64/tlb_shootdown.h): a page-table change that other CPUs
    // running the same address space had to flush before it took effect.
    u64 tlb_shootdowns { 0 }; // requests sent (each to one or more CPUs)
    // Thread switches that loaded a user page table (a CR3 write: the TLB's user entries
    // go). Kernel threads and the idle loop borrow the table loaded last instead, and a
    // thread of the address space already loaded needs none (sched/scheduler.cpp).
    u64 address_space_loads { 0 };
    u64 tlb_shootdown_cpus { 0 }; // CPUs that flushed for them
    u64 tlb_shootdown_pages { 0 }; // pages named one by one in those requests
    u64 tlb_shootdown_full { 0 }; // requests that flushed everything instead
};

// Writes the counters plus the frame totals and the reserve as /proc/vmstat-style
// "name value\n" lines into buffer (NUL-terminated, truncated to size). Returns the length
// the full text would have, so a caller can detect truncation as with snprintf.
usize format_vmstat(VmStats const& stats, FrameAllocator const& frames, char* buffer, usize size);
