#include "reclaim.h"
#include "page_cache.h"

Reclaimed reclaim_clean_pages(MemoryContext& context, u64 wanted, ReclaimMapped mapped, u64 scan_limit)
{
    Reclaimed result;
    context.backed_caches->for_each([&](PageCache& cache) {
        if (result.dropped >= wanted)
            return;
        PageCache::Eviction eviction = cache.evict_clean_pages(wanted - result.dropped, mapped == ReclaimMapped::Yes, scan_limit);
        result.dropped += eviction.evicted;
        result.spared += eviction.spared;
    });
    return result;
}

u64 drop_clean_unmapped_pages(MemoryContext& context)
{
    ++context.stats.drop_pagecache;
    return reclaim_clean_pages(context, ~u64(0), ReclaimMapped::No).dropped;
}

namespace {

// Counted above the reserve: user allocations cannot have those frames anyway.
u64 low_watermark(MemoryContext const& context) { return min<u64>(2048, context.frames.total_frames() / 16); } // 8 MiB at most

}

bool memory_is_low(MemoryContext const& context) { return context.frames.user_free_frames() < low_watermark(context); }

void reclaim_if_low(MemoryContext& context)
{
    u64 low = low_watermark(context);
    u64 free = context.frames.user_free_frames();
    if (free < low) {
        u64 wanted = 2 * low - free;
        reclaim_clean_pages(context, wanted, ReclaimMapped::No, 4 * wanted);
    }
}
