// mincore: which pages of a range are in memory. A page is resident when the page table
// maps it (any present entry: the zero frame and PROT_NONE pages count, as on Linux), or,
// in a mapping with a page cache, when the cache holds the file's page — whether or not
// this process ever touched it (Linux's mincore_page). Anonymous memory that is not
// mapped is not resident: with no swap, it does not exist yet.
#include "address_space.h"

Result<u64> AddressSpace::residency(VirtAddr start, u64 count, u8* vector) const
{
    verify_locked();
    Mapping const* mapping = m_mappings.find(start);
    if (!mapping)
        return Errno::NoMemory;
    u64 pages = min(count, (mapping->end() - start) / PAGE_SIZE);
    PageCache const* cache = mapping->cache();
    for (u64 i = 0; i < pages; ++i) {
        VirtAddr va = start + i * PAGE_SIZE;
        FrameNumber frame;
        bool resident = m_page_table->query(va).present;
        if (!resident && cache)
            resident = cache->find_page(mapping->file_index(va), frame);
        vector[i] = resident ? 1 : 0;
    }
    return pages;
}
