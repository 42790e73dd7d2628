#include "dirty_limit.h"

#include "memory_context.h"
#include "page_cache.h"

DirtyLimits dirty_limits(u64 total_frames)
{
    // At least a slice of headroom, so that a tiny machine still lets a write through.
    u64 slice_pages = DIRTY_WRITE_SLICE / PAGE_SIZE;
    u64 hard = max<u64>(total_frames / 5, 2 * slice_pages);
    u64 background = max<u64>(total_frames / 10, slice_pages);
    return { min(background, hard - slice_pages), hard };
}

void balance_dirty_pages(PageCache& cache, u64 offset, usize bytes)
{
    MemoryContext& context = cache.context();
    VmStats& stats = context.stats;
    if (!cache.is_backed() || bytes == 0)
        return;
    u64 pages = (page_round_up(offset + bytes) - page_round_down(offset)) / PAGE_SIZE;
    DirtyLimits limits = dirty_limits(context.frames.total_frames());
    if (stats.dirty_pages + pages <= limits.hard)
        return;
    ++stats.dirty_throttled;
    // The writer's own file first: its pages are the ones it keeps making dirty.
    if (cache.has_dirty_pages())
        (void)cache.write_back_all(WriteBackReason::Throttle);
    // Then the others, until at the background limit. Each write-back may sleep: the count
    // is read again after every one.
    if (stats.dirty_pages > limits.background && context.backed_caches) {
        context.backed_caches->for_each([&](PageCache& other) {
            if (stats.dirty_pages > limits.background && other.has_dirty_pages())
                (void)other.write_back_all(WriteBackReason::Throttle);
        });
    }
}
