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

void reclaim_if_low(MemoryContext& context)
{
    // Counted above the reserve: user allocations cannot have those frames anyway.
    u64 total = context.frames.total_frames();
    u64 low_watermark = min<u64>(2048, total / 16); // 8 MiB at most
    u64 free = context.frames.user_free_frames();
    if (free < low_watermark) {
        u64 wanted = 2 * low_watermark - free;
        reclaim_clean_pages(context, wanted, ReclaimMapped::No, 4 * wanted);
    }
}
