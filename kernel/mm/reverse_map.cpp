#include "reverse_map.h"
#include "../lib/log.h"
#include "address_space.h"

bool maps_cache_frame(Mapping const& mapping, VirtAddr va, FrameNumber frame)
{
    FrameNumber cached;
    return mapping.cache() && mapping.cache()->find_page(mapping.file_index(va), cached) && cached == frame;
}

namespace {

// The address at which `mapping` maps cache page `index`, if it covers it.
bool address_of(Mapping const& mapping, u64 index, VirtAddr& va)
{
    if (index < mapping.first_file_index() || index > mapping.last_file_index())
        return false;
    va = mapping.address_of_index(index);
    return true;
}

}

void write_protect_cache_page(PageCache& cache, u64 index)
{
    for (Mapping& mapping : cache.mappings()) {
        VirtAddr va;
        if (!mapping.is_shared() || !address_of(mapping, index, va))
            continue;
        PageTable& table = mapping.address_space()->page_table();
        PteInfo pte = table.query(va);
        if (!pte.present || !maps_cache_frame(mapping, va, pte.frame))
            continue;
        // Shared mappings never lie in leaf tables shared by fork (only wholly private
        // chunks are), so neither call needs memory.
        PageAccess access = AddressSpace::access_for(mapping);
        access.writable = false;
        if (pte.writable)
            MUST(table.protect_page(va, access));
        if (pte.dirty)
            MUST(table.clean(va, va + PAGE_SIZE, [](VirtAddr, PteInfo const&) {}));
    }
}

void unmap_cache_pages_from(PageCache& cache, u64 first_index)
{
    for (Mapping& mapping : cache.mappings()) {
        if (first_index > mapping.last_file_index())
            continue;
        VirtAddr start = first_index <= mapping.first_file_index() ? mapping.start() : mapping.address_of_index(first_index);
        if (mapping.address_space()->release_pages(start, mapping.end()).is_error())
            klog("truncate: out of memory unsharing a page table at %lx; pages past the end stay mapped", start);
    }
}

void unmap_clean_cache_page(PageCache& cache, u64 index)
{
    for (Mapping& mapping : cache.mappings()) {
        VirtAddr va;
        if (!address_of(mapping, index, va))
            continue;
        AddressSpace& space = *mapping.address_space();
        PteInfo pte = space.page_table().query(va);
        if (!pte.present || pte.dirty || pte.in_shared_table || !maps_cache_frame(mapping, va, pte.frame))
            continue;
        MUST(space.page_table().unmap_page(va, [&](VirtAddr, PteInfo const& old) { space.context().frames.unref(old.frame); }));
    }
}

bool clear_cache_page_referenced(PageCache& cache, u64 index)
{
    bool referenced = false;
    for (Mapping& mapping : cache.mappings()) {
        VirtAddr va;
        if (!address_of(mapping, index, va))
            continue;
        PageTable& table = mapping.address_space()->page_table();
        PteInfo pte = table.query(va);
        if (pte.present && maps_cache_frame(mapping, va, pte.frame) && table.clear_accessed(va))
            referenced = true;
    }
    return referenced;
}

void collect_dirty_bits(Mapping const& mapping, VirtAddr start, VirtAddr end)
{
    PageCache* cache = mapping.cache();
    if (!mapping.is_shared() || !cache || !cache->is_backed())
        return;
    // With write-notify faults a writable PTE's page is dirty in the cache already; folding
    // the hardware bit in as well costs little and misses nothing.
    MUST(mapping.address_space()->page_table().clean(start, end, [&](VirtAddr va, PteInfo const& pte) {
        if (maps_cache_frame(mapping, va, pte.frame))
            cache->mark_dirty(mapping.file_index(va));
    }));
}
