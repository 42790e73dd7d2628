#include "parallel_fault.h"
#include "fault_handlers.h"
#include "reclaim.h"
#include "vm_trace.h"

namespace {

// Maps `frame` at `va` where nothing is mapped yet; a frame of the page cache (or the zero
// frame) gains the PTE's reference when the entry goes in.
[[gnu::always_inline]] inline PageTable::Fill fill(
    AddressSpace& space, VirtAddr va, FrameNumber frame, PageAccess rights, bool shared_frame)
{
    SpinLockGuard guard(space.parallel_fault_lock());
    PageTable::Fill filled = space.page_table().fill_absent(va, frame, rights);
    if (filled == PageTable::Fill::Filled && shared_frame)
        space.context().frames.ref_concurrently(frame); // other CPUs' faults may ref it at once
    return filled;
}

// Another thread's fault mapped the page first: this access just runs again (the serial
// path calls that a spurious fault) — and faults again if it needs more, a write where a
// read mapped the zero frame.
ParallelFault lost_the_race(MemoryContext& context)
{
    count_concurrently(context.stats.page_faults);
    count_concurrently(context.stats.parallel_faults_raced);
    return ParallelFault::Handled;
}

// The same for a fault that made a fresh frame, which goes back; or it was refused.
ParallelFault after_losing(MemoryContext& context, PageTable::Fill filled, FrameNumber fresh)
{
    context.frames.unref(fresh);
    return filled == PageTable::Fill::Refused ? ParallelFault::NotHere : lost_the_race(context);
}

// (Inlined: the commonest fault of all should not pay for a call on the way.)
[[gnu::always_inline]] inline ParallelFault anonymous_fault(
    AddressSpace& space, Mapping const& mapping, VirtAddr va, FaultAccess access)
{
    if (access == FaultAccess::Execute)
        return ParallelFault::NotHere;
    // A read shares the zero frame read-only, as the serial path's zero_read does; a write
    // gets a frame of its own. The work, allocation and zeroing, needs no lock of the space.
    MemoryContext& context = space.context();
    PageAccess rights = AddressSpace::access_for(mapping);
    if (access == FaultAccess::Read) {
        rights.writable = false;
        PageTable::Fill filled = fill(space, va, context.zero_frame, rights, true);
        if (filled != PageTable::Fill::Filled)
            return filled == PageTable::Fill::Refused ? ParallelFault::NotHere : lost_the_race(context);
        count_concurrently(context.stats.page_faults);
        count_concurrently(context.stats.zero_fill_read);
        count_concurrently(context.stats.parallel_faults);
        return ParallelFault::Handled;
    }
    auto fresh = context.frames.allocate(FrameUse::User);
    if (fresh.is_error())
        return ParallelFault::NotHere; // the serial path's out-of-memory handling
    FrameNumber frame = fresh.value();
    __builtin_memset(context.physical.map_frame(frame), 0, PAGE_SIZE);
    PageTable::Fill filled = fill(space, va, frame, rights, false);
    if (filled != PageTable::Fill::Filled)
        return after_losing(context, filled, frame);
    count_concurrently(context.stats.page_faults);
    count_concurrently(context.stats.zero_fill_write);
    count_concurrently(context.stats.parallel_faults);
    return ParallelFault::Handled;
}

// Fault-around (file_fault.cpp's map_cached_neighbours), beside others: the window's other
// pages that are cached and need no read, each filled where nothing is mapped yet.
void map_cached_neighbours(AddressSpace& space, Mapping const& mapping, PageCache& cache, VirtAddr va)
{
    PageRange window = fault_around_window(mapping, va);
    for (VirtAddr neighbour = window.start; neighbour < window.end; neighbour += PAGE_SIZE) {
        u64 index = mapping.file_index(neighbour);
        FrameNumber frame;
        if (neighbour == va || index >= cache.page_count() || !cache.find_page_to_map_around(index, frame))
            continue;
        if (fill(space, neighbour, frame, cache_frame_access(mapping, cache, index), true) == PageTable::Fill::Refused)
            return;
    }
}

// A page of a file mapping (or of shared anonymous memory) that is in the page cache: a read
// maps the cache's frame, a write to a private mapping copies it; the cache's pages and
// read-ahead state are kept by its parallel-fault lock. A miss or a read-ahead marker (a
// read to start), a shared write (the page becomes dirty) or a page past the end (SIGBUS)
// is serial work.
ParallelFault file_fault(AddressSpace& space, Mapping const& mapping, VirtAddr va, FaultAccess access)
{
    PageCache& cache = *mapping.cache(); // the mapping holds it, and no mapping goes now
    MemoryContext& context = space.context();
    u64 index = mapping.file_index(va);
    bool write = access == FaultAccess::Write;
    if (index >= cache.page_count() || (write && mapping.is_shared() && cache.is_backed()))
        return ParallelFault::NotHere;
    SpinLockGuard cache_guard(cache.parallel_fault_lock());
    FrameNumber cached;
    if (!cache.find_page_for_parallel_fault(index, cached))
        return ParallelFault::NotHere;
    if (write && mapping.is_private()) {
        auto copy = allocate_copy_of(context, cached);
        if (copy.is_error())
            return ParallelFault::NotHere;
        PageTable::Fill filled = fill(space, va, copy.value(), AddressSpace::access_for(mapping), false);
        if (filled != PageTable::Fill::Filled)
            return after_losing(context, filled, copy.value());
        count_concurrently(context.stats.file_cow);
    } else {
        PageTable::Fill filled = fill(space, va, cached, cache_frame_access(mapping, cache, index), true);
        if (filled != PageTable::Fill::Filled)
            return filled == PageTable::Fill::Refused ? ParallelFault::NotHere : lost_the_race(context);
        if (!cache.is_anonymous())
            map_cached_neighbours(space, mapping, cache, va);
    }
    count_concurrently(context.stats.page_faults);
    count_concurrently(context.stats.file_faults);
    count_concurrently(context.stats.parallel_file_faults);
    return ParallelFault::Handled;
}

}

ParallelFault try_parallel_fault(AddressSpace& space, VirtAddr fault_address, FaultAccess access)
{
    // A traced fault is recorded in the trace's ring, which has no lock; a reclaim scan is
    // serial work. Both go the serial way.
    if (fault_address >= USER_TOP || vm_trace_enabled() || memory_is_low(space.context()))
        return ParallelFault::NotHere;
    VirtAddr va = page_round_down(fault_address);
    Mapping const* mapping = space.find_mapping(va);
    if (!mapping || !prot_allows(mapping->prot(), access))
        return ParallelFault::NotHere;
    // A present entry is a copy-on-write, a zero-frame page or a stale TLB entry, and an
    // entry of a leaf table shared since fork is decided from frame counts only after the
    // table is copied: serial work. Only other parallel faults change entries now, and only
    // from absent to present, so an absent entry seen here stays ours to fill unless one of
    // them gets there first — which fill_absent will tell.
    {
        SpinLockGuard guard(space.parallel_fault_lock());
        PteInfo pte = space.page_table().query(va);
        if (pte.present || pte.in_shared_table)
            return ParallelFault::NotHere;
    }
    return mapping->cache() ? file_fault(space, *mapping, va, access) : anonymous_fault(space, *mapping, va, access);
}
