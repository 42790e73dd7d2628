// Faults of mappings with a page cache (files, and shared anonymous memory):
//
//   VA ──Mapping (cache, file_offset)──▶ file page index ──PageCache──▶ frame ──Pager──▶ file
//
// A PTE of a file mapping maps either the cache's frame for its page (read-only in private
// mappings; in shared mappings of a backed file writable only while the page is dirty) or,
// in a private mapping, the process's own anonymous copy made by the first write.
//
// A page-cache miss may sleep while the Pager reads the disk; afterwards the handler checks
// that its decision still holds (PageFault::still_valid) and backs out with Retry if not.
#include "../lib/profile.h"
#include "fault_handlers.h"
#include "reverse_map.h"
#include "vm_trace_events.h"

namespace {

// Linux: an I/O error while faulting a file page is SIGBUS.
FaultResult fault_result_for(Errno error) { return error == Errno::NoMemory ? FaultResult::OutOfMemory : FaultResult::Bus; }

// Counts a fault served from the cache: a first touch of shared anonymous memory is a
// demand-zero fill (as before it had a cache); everything else is a file fault.
void count_file_fault(VmStats& stats, PageCache const& cache, bool was_hole)
{
    if (was_hole && cache.is_anonymous())
        ++stats.zero_fill_write;
    else
        ++stats.file_faults;
}

// The cache's frame for the fault's page, read through the Pager on a miss. `was_hole` says
// whether it had to be filled. Handled with `frame` set, or the result to return: a read
// error, Retry when the world changed while the read slept, Bus when the file shrank.
FaultResult fetch_cache_page(PageFault& fault, PageCache& cache, u64 index, FrameNumber& frame, bool& was_hole)
{
    was_hole = !cache.find_page(index, frame);
    if (!was_hole && !cache.is_read_ahead_marker(index)) {
        (void)cache.get_page_reading_ahead(index, PageCache::ReadAheadUse::Fault); // a hit: no I/O, no sleep
        return FaultResult::Handled;
    }
    // A miss, or the marker of a read-ahead window (the next window is read now).
    auto page = cache.get_page_reading_ahead(index, PageCache::ReadAheadUse::Fault); // may sleep
    if (page.is_error())
        return fault_result_for(page.error());
    if (!fault.still_valid())
        return FaultResult::Retry; // the page stays cached for the retried access
    if (index >= cache.page_count())
        return FaultResult::Bus; // truncated meanwhile
    frame = page.value();
    return FaultResult::Handled;
}

// Fault-around (as Linux does for file reads): also map the pages around the fault, within
// an aligned window of FAULT_AROUND_PAGES in the same mapping, that are already in the page
// cache — no I/O, no allocation beyond the leaf table the fault just used — so that reading
// through a mapping takes one fault per window rather than one per page. The miss itself
// read ahead (page_cache_read_ahead.cpp), so the window is usually all cached; a read-ahead
// marker is left unmapped, so that the program's touch faults there and reads the next
// window before it reaches the end of this one (Linux's filemap_map_pages does the same).
void map_cached_neighbours(PageFault& fault, PageCache& cache)
{
    PROFILE("fault: fault-around (neighbours mapped)");
    Mapping const& mapping = *fault.mapping;
    PageTable& table = fault.space.page_table();
    PageRange window = fault_around_window(mapping, fault.address);
    for (VirtAddr neighbour = window.start; neighbour < window.end; neighbour += PAGE_SIZE) {
        if (neighbour == fault.address)
            continue;
        u64 index = mapping.file_index(neighbour);
        FrameNumber frame;
        if (index >= cache.page_count() || table.query(neighbour).present || !cache.find_page_to_map_around(index, frame))
            continue;
        if (table.map(neighbour, frame, cache_frame_access(mapping, cache, index)).is_error())
            return;
        fault.space.context().frames.ref(frame);
        VM_TRACE(trace_mapped_page(fault.space, mapping, neighbour));
    }
}

}

PageAccess cache_frame_access(Mapping const& mapping, PageCache const& cache, u64 index)
{
    PageAccess access = AddressSpace::access_for(mapping);
    if (mapping.is_private())
        access.writable = false;
    else if (cache.is_backed())
        access.writable = access.writable && cache.is_dirty(index);
    return access;
}

PageRange fault_around_window(Mapping const& mapping, VirtAddr va)
{
    constexpr u64 FAULT_AROUND_PAGES = 16;
    VirtAddr window = va & ~(FAULT_AROUND_PAGES * PAGE_SIZE - 1);
    return { max(window, mapping.start()), min(window + FAULT_AROUND_PAGES * PAGE_SIZE, mapping.end()) };
}

// Read (or exec) of an absent page of a file mapping: map the cache frame.
FaultResult handle_file_read_fault(PageFault& fault)
{
    PROFILE("fault: file page mapped from the cache");
    RefPtr<PageCache> cache = fault.mapping->cache(); // kept alive across a sleep
    u64 index = fault.mapping->file_index(fault.address);
    FrameNumber frame;
    bool was_hole;
    if (FaultResult fetched = fetch_cache_page(fault, *cache, index, frame, was_hole); fetched != FaultResult::Handled)
        return fetched;
    MemoryContext& context = fault.space.context();
    if (fault.space.page_table().map(fault.address, frame, cache_frame_access(*fault.mapping, *cache, index)).is_error())
        return FaultResult::OutOfMemory; // the page stays cached; nothing leaks
    context.frames.ref(frame);
    count_file_fault(context.stats, *cache, was_hole);
    if (!cache->is_anonymous())
        map_cached_neighbours(fault, *cache);
    return FaultResult::Handled;
}

// Write to a private file page that is absent or still maps the cache frame: copy the cache
// page into a fresh anonymous frame of this process (the file never changes). Counted in
// file_cow (and file_faults), not in cow_copy, which stays about anonymous memory.
FaultResult handle_file_cow_fault(PageFault& fault)
{
    PROFILE("fault: private copy of a file page");
    RefPtr<PageCache> cache = fault.mapping->cache();
    FrameNumber cached;
    bool was_hole;
    if (FaultResult fetched = fetch_cache_page(fault, *cache, fault.mapping->file_index(fault.address), cached, was_hole);
        fetched != FaultResult::Handled)
        return fetched;
    MemoryContext& context = fault.space.context();
    auto frame = allocate_copy_of(context, cached);
    if (frame.is_error())
        return FaultResult::OutOfMemory;
    FaultResult result = install_new_frame(fault, frame.value(), AddressSpace::access_for(*fault.mapping));
    if (result == FaultResult::Handled) {
        ++context.stats.file_faults;
        ++context.stats.file_cow;
    }
    return result;
}

// Write to a shared file page that is absent or read-only (write-notify, Linux's
// wp_page_shared): mark the page dirty in the cache and map it writable. Write-back makes
// it read-only again, so the next write after a write-back comes here and re-dirties it.
FaultResult handle_shared_file_write_fault(PageFault& fault)
{
    RefPtr<PageCache> cache = fault.mapping->cache();
    u64 index = fault.mapping->file_index(fault.address);
    MemoryContext& context = fault.space.context();
    PageAccess access = AddressSpace::access_for(*fault.mapping);
    if (fault.pte.present) {
        if (fault.space.page_table().protect_page(fault.address, access).is_error())
            return FaultResult::OutOfMemory;
        cache->mark_dirty(index);
        ++context.stats.file_faults;
        return FaultResult::Handled;
    }
    FrameNumber frame;
    bool was_hole;
    if (FaultResult fetched = fetch_cache_page(fault, *cache, index, frame, was_hole); fetched != FaultResult::Handled)
        return fetched;
    if (fault.space.page_table().map(fault.address, frame, access).is_error())
        return FaultResult::OutOfMemory;
    context.frames.ref(frame);
    cache->mark_dirty(index);
    count_file_fault(context.stats, *cache, was_hole);
    return FaultResult::Handled;
}
