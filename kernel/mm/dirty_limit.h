// Dirty throttling: how much of memory may be dirty page-cache pages at once, and what a
// writer does about it (Linux's balance_dirty_pages, in miniature).
//
// A page dirtied by write() exists only in memory until it is written back. Left alone, one
// process writing a large file would turn all of memory into dirty pages, which reclaim
// cannot drop, and whose write-back someone pays for later all at once. So:
//
//   hard limit        20% of the frames (Linux's vm.dirty_ratio default): before write()
//                     copies a slice that could take nr_dirty above it, the writer itself
//                     writes back all of its own file's dirty pages (long sequential runs
//                     for the disk) and then, while nr_dirty is still above
//   background limit  10% of the frames (Linux's vm.dirty_background_ratio), other files'
//                     dirty pages, one file at a time, so that it is not throttled again at once.
//
// Linux takes its ratios of "dirtyable" memory (free plus file pages), Pagoda of all frames;
// Linux makes the writer sleep while the flusher threads write, Pagoda's writer does the
// write-back itself (as the flusher would, on the same caches). The flusher's age rule
// (fs/flusher.h) still runs for pages below the limits. Stores through a MAP_SHARED mapping
// dirty pages too but are not throttled here: only write(2) and the kernel's own writes are.
// /proc/vmstat: nr_dirty, nr_dirty_threshold, nr_dirty_background_threshold (Linux's names),
// dirty_throttle (writers throttled), nr_dirty_peak (the highest nr_dirty since boot) and
// nr_written_throttle (pages the throttled writers wrote).
#pragma once

#include "../lib/types.h"

class PageCache;

struct DirtyLimits {
    u64 background; // pages
    u64 hard; // pages
};
DirtyLimits dirty_limits(u64 total_frames);

// write() copies at most this much between two balance_dirty_pages() calls: it bounds how
// far past the check one write can go (Linux checks every 32 pages or so).
constexpr usize DIRTY_WRITE_SLICE = 64 * PAGE_SIZE;

// Called before a writer dirties the pages under [offset, offset + bytes) of `cache`. If
// nr_dirty plus those pages would pass the hard limit, writes back until nr_dirty is at or
// below the background limit (or nothing more can be written: a failed write-back leaves its
// pages dirty and the writer goes on) and counts one dirty_throttle. May sleep on the disk.
void balance_dirty_pages(PageCache& cache, u64 offset, usize bytes);
