#include "reclaim.h"
#include "page_cache.h"

u64 reclaim_clean_pages(MemoryContext& context, u64 wanted)
{
    u64 dropped = 0;
    context.backed_caches->for_each([&](PageCache& cache) {
        if (dropped < wanted)
            dropped += cache.evict_clean_pages(wanted - dropped);
    });
    return dropped;
}

void reclaim_if_low(MemoryContext& context)
{
    // Counted above the reserve: user allocations cannot have those frames anyway.
    u64 total = context.frames.total_frames();
    u64 low_watermark = min<u64>(2048, total / 16); // 8 MiB at most
    u64 free = context.frames.user_free_frames();
    if (free < low_watermark)
        reclaim_clean_pages(context, 2 * low_watermark - free);
}
