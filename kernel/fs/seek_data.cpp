#include "seek_data.h"
#include "inode.h"
#include "kernel/mm/page_cache.h"

Result<u64> seek_data_or_hole(Inode& inode, u64 size, i64 offset, SeekFor wanted)
{
    if (!inode.is_regular())
        return Errno::Invalid;
    if (offset < 0 || static_cast<u64>(offset) >= size)
        return Errno::NoDeviceOrAddress;
    u64 position = static_cast<u64>(offset);
    RefPtr<PageCache> cache = TRY(inode.page_cache());
    if (cache->is_backed())
        return wanted == SeekFor::Data ? position : size;
    // Page by page from the one holding `position`: a page is data when the cache has it.
    for (u64 index = position / PAGE_SIZE; index * PAGE_SIZE < size; ++index) {
        FrameNumber frame;
        bool data = cache->find_page(index, frame);
        if (data == (wanted == SeekFor::Data))
            return max(position, index * PAGE_SIZE);
    }
    return wanted == SeekFor::Data ? Result<u64>(Errno::NoDeviceOrAddress) : Result<u64>(size); // the end is a hole
}
