// File-backed mappings: mmap of a PageCache, msync, madvise(MADV_DONTNEED), the PTE side of
// write-back and truncation, and the three file fault handlers.
//
//   VA ──Mapping (cache, file_offset)──▶ file page index ──PageCache──▶ frame ──Pager──▶ file
//
// A PTE of a file mapping maps either the cache's frame for its page (read-only in private
// mappings; in shared mappings of a backed file writable only while the page is dirty) or,
// in a private mapping, the process's own anonymous copy made by the first write.
#include "address_space.h"
#include "../lib/profile.h"

#include "../lib/assert.h"
#include <new>

Result<VirtAddr> AddressSpace::map_file(VirtAddr addr, u64 length, u32 prot, bool shared, MapPlacement placement,
    RefPtr<PageCache> cache, u64 offset, char const* name)
{
    if (!cache || length == 0 || (prot & ~VM_PROT_MASK) || !is_page_aligned(offset))
        return Errno::Invalid;
    if (length > USER_TOP)
        return Errno::NoMemory;
    length = page_round_up(length);
    constexpr u64 limit = PageIndex::MAX_PAGES * PAGE_SIZE;
    if (offset >= limit || length > limit - offset)
        return Errno::Invalid; // Linux: EOVERFLOW
    VirtAddr start = TRY(place_mapping(addr, length, placement));
    auto* mapping = new (std::nothrow) Mapping(start, start + length, prot,
        shared ? MappingSharing::Shared : MappingSharing::Private, name);
    if (!mapping)
        return Errno::NoMemory;
    mapping->set_address_space(this);
    mapping->set_backing(std::move(cache), offset);
    TRY(m_mappings.insert(OwnPtr<Mapping>(mapping)));
    return start;
}

bool AddressSpace::maps_cache_frame(Mapping const& mapping, VirtAddr va, FrameNumber frame) const
{
    FrameNumber cached;
    return mapping.cache() && mapping.cache()->find_page(mapping.file_index(va), cached) && cached == frame;
}

void AddressSpace::collect_pte_dirty(Mapping const& mapping, VirtAddr start, VirtAddr end)
{
    PageCache* cache = mapping.cache();
    if (!mapping.is_shared() || !cache || !cache->is_backed())
        return;
    // With write-notify faults a writable PTE's page is dirty in the cache already; folding
    // the hardware bit in as well costs little and misses nothing.
    m_page_table->for_each_present(start, end, [&](VirtAddr va, PteInfo const& pte) {
        if (!pte.dirty)
            return;
        if (maps_cache_frame(mapping, va, pte.frame))
            cache->mark_dirty(mapping.file_index(va));
        m_page_table->clear_dirty(va);
    });
}

Result<void> AddressSpace::write_back_range(Mapping const& mapping, VirtAddr start, VirtAddr end, WriteBackReason reason)
{
    PageCache* cache = mapping.cache();
    if (!mapping.is_shared() || !cache || !cache->is_backed() || start >= end)
        return {};
    collect_pte_dirty(mapping, start, end);
    return cache->write_back(mapping.file_index(start), mapping.file_index(end - 1), reason);
}

void AddressSpace::write_protect_file_page(Mapping const& mapping, u64 index)
{
    if (index < mapping.first_file_index() || index > mapping.last_file_index())
        return;
    VirtAddr va = mapping.address_of_index(index);
    PteInfo pte = m_page_table->query(va);
    if (!pte.present || !maps_cache_frame(mapping, va, pte.frame))
        return;
    if (pte.writable) {
        PageAccess access = access_for(mapping);
        access.writable = false;
        m_page_table->protect(va, access);
    }
    if (pte.dirty)
        m_page_table->clear_dirty(va);
}

void AddressSpace::unmap_clean_cache_page(Mapping const& mapping, u64 index)
{
    if (index < mapping.first_file_index() || index > mapping.last_file_index())
        return;
    VirtAddr va = mapping.address_of_index(index);
    PteInfo pte = m_page_table->query(va);
    // A page in a leaf table shared since a fork stays: unmapping it would need a copy of
    // the table, i.e. memory, which is what reclaim is short of.
    if (!pte.present || pte.dirty || pte.in_shared_table || !maps_cache_frame(mapping, va, pte.frame))
        return;
    m_page_table->unmap(va);
    m_context.frames.unref(pte.frame);
}

void AddressSpace::unmap_file_pages(Mapping const& mapping, u64 first_index)
{
    if (first_index > mapping.last_file_index())
        return;
    VirtAddr start = first_index <= mapping.first_file_index() ? mapping.start() : mapping.address_of_index(first_index);
    release_pages(start, mapping.end());
}

Result<void> AddressSpace::sync_range(VirtAddr addr, u64 length, SyncMode)
{
    if (!is_page_aligned(addr))
        return Errno::Invalid;
    if (length == 0)
        return {};
    if (length > USER_TOP || !is_user_range(addr, page_round_up(length)))
        return Errno::NoMemory;
    VirtAddr end = addr + page_round_up(length);
    Result<void> result;
    for (Mapping* mapping = m_mappings.first_ending_after(addr); mapping && mapping->start() < end; mapping = m_mappings.next(*mapping)) {
        auto written = write_back_range(*mapping, max(addr, mapping->start()), min(end, mapping->end()), WriteBackReason::Sync);
        if (written.is_error() && !result.is_error())
            result = written.error();
    }
    if (!m_mappings.is_fully_mapped(addr, end))
        return Errno::NoMemory;
    return result;
}

Result<void> AddressSpace::discard(VirtAddr addr, u64 length)
{
    if (!is_page_aligned(addr))
        return Errno::Invalid;
    if (length == 0)
        return {};
    if (length > USER_TOP || !is_user_range(addr, page_round_up(length)))
        return Errno::Invalid;
    VirtAddr end = addr + page_round_up(length);
    TRY(m_page_table->unshare(addr, end, true));
    for (Mapping* mapping = m_mappings.first_ending_after(addr); mapping && mapping->start() < end; mapping = m_mappings.next(*mapping)) {
        VirtAddr start = max(addr, mapping->start());
        VirtAddr stop = min(end, mapping->end());
        collect_pte_dirty(*mapping, start, stop); // shared data lives on in the cache
        release_pages(start, stop);
    }
    if (!m_mappings.is_fully_mapped(addr, end))
        return Errno::NoMemory;
    return {};
}

FaultResult AddressSpace::fault_result_for(Errno error)
{
    // Linux: an I/O error while faulting a file page is SIGBUS.
    return error == Errno::NoMemory ? FaultResult::OutOfMemory : FaultResult::Bus;
}

// Counts a fault served from the cache: a first touch of shared anonymous memory is a
// demand-zero fill (as before it had a cache); everything else is a file fault.
static void count_file_fault(VmStats& stats, PageCache const& cache, bool was_hole)
{
    if (was_hole && cache.is_anonymous())
        ++stats.zero_fill_write;
    else
        ++stats.file_faults;
}

// Read (or exec) of an absent page of a file mapping: map the cache frame, reading it
// through the Pager on a miss. Private: read-only (a write copies). Shared: writable only if
// the mapping is and the page is already dirty, or the cache is not backed (no write-back
// to notice); otherwise the first write takes handle_shared_file_write_fault.
FaultResult AddressSpace::handle_file_read_fault(Mapping const& mapping, VirtAddr va)
{
    PROFILE("fault: file page mapped from the cache");
    PageCache& cache = *mapping.cache();
    u64 index = mapping.file_index(va);
    FrameNumber frame;
    bool was_hole = !cache.find_page(index, frame);
    auto page = cache.get_page(index);
    if (page.is_error())
        return fault_result_for(page.error());
    frame = page.value();
    PageAccess access = access_for(mapping);
    if (mapping.is_private())
        access.writable = false;
    else if (cache.is_backed())
        access.writable = access.writable && cache.is_dirty(index);
    if (m_page_table->map(va, frame, access).is_error())
        return FaultResult::OutOfMemory; // the page stays cached; nothing leaks
    m_context.frames.ref(frame);
    count_file_fault(m_context.stats, cache, was_hole);
    if (!cache.is_anonymous())
        map_cached_neighbours(mapping, va);
    return FaultResult::Handled;
}

// Fault-around (as Linux does for file reads): also map the pages around `va`, within an
// aligned window of FAULT_AROUND_PAGES in the same mapping, that are already in the page
// cache — no I/O, no allocation beyond the leaf table the fault just used — so that reading
// through a mapping takes one fault per window rather than one per page. Only absent
// entries are filled, read-only unless the rules above allow writing.
void AddressSpace::map_cached_neighbours(Mapping const& mapping, VirtAddr va)
{
    PROFILE("fault: fault-around (neighbours mapped)");
    constexpr u64 FAULT_AROUND_PAGES = 16;
    PageCache& cache = *mapping.cache();
    VirtAddr window = va & ~(FAULT_AROUND_PAGES * PAGE_SIZE - 1);
    VirtAddr start = max(window, mapping.start());
    VirtAddr end = min(window + FAULT_AROUND_PAGES * PAGE_SIZE, mapping.end());
    for (VirtAddr neighbour = start; neighbour < end; neighbour += PAGE_SIZE) {
        if (neighbour == va)
            continue;
        u64 index = mapping.file_index(neighbour);
        FrameNumber frame;
        if (index >= cache.page_count() || !cache.find_page(index, frame) || m_page_table->query(neighbour).present)
            continue;
        PageAccess access = access_for(mapping);
        if (mapping.is_private())
            access.writable = false;
        else if (cache.is_backed())
            access.writable = access.writable && cache.is_dirty(index);
        if (m_page_table->map(neighbour, frame, access).is_error())
            return;
        m_context.frames.ref(frame);
    }
}

// Write to a private file page that is absent or still maps the cache frame: copy the cache
// page into a fresh anonymous frame of this process (the file never changes). Counted in
// file_cow (and file_faults), not in cow_copy, which stays about anonymous memory.
FaultResult AddressSpace::handle_file_cow_fault(Mapping const& mapping, VirtAddr va, PteInfo const& pte)
{
    PROFILE("fault: private copy of a file page");
    PageCache& cache = *mapping.cache();
    auto page = cache.get_page(mapping.file_index(va));
    if (page.is_error())
        return fault_result_for(page.error());
    auto frame = m_context.frames.allocate();
    if (frame.is_error())
        return FaultResult::OutOfMemory;
    copy_frame(frame.value(), page.value());
    FaultResult result = install_new_frame(va, frame.value(), access_for(mapping));
    if (result != FaultResult::Handled)
        return result;
    if (pte.present)
        m_context.frames.unref(pte.frame); // the cache frame's reference held by the old PTE
    ++m_context.stats.file_faults;
    ++m_context.stats.file_cow;
    return FaultResult::Handled;
}

// Write to a shared file page that is absent or read-only (write-notify, Linux's
// wp_page_shared): mark the page dirty in the cache and map it writable. Write-back makes
// it read-only again, so the next write after a write-back comes here and re-dirties it.
FaultResult AddressSpace::handle_shared_file_write_fault(Mapping const& mapping, VirtAddr va, PteInfo const& pte)
{
    PageCache& cache = *mapping.cache();
    u64 index = mapping.file_index(va);
    if (pte.present) {
        m_page_table->protect(va, access_for(mapping));
        cache.mark_dirty(index);
        ++m_context.stats.file_faults;
        return FaultResult::Handled;
    }
    FrameNumber frame;
    bool was_hole = !cache.find_page(index, frame);
    auto page = cache.get_page(index);
    if (page.is_error())
        return fault_result_for(page.error());
    if (m_page_table->map(va, page.value(), access_for(mapping)).is_error())
        return FaultResult::OutOfMemory;
    m_context.frames.ref(page.value());
    cache.mark_dirty(index);
    count_file_fault(m_context.stats, cache, was_hole);
    return FaultResult::Handled;
}
