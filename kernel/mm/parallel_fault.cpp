#include "parallel_fault.h"
#include "reclaim.h"
#include "vm_trace.h"

namespace {

void count(u64& counter) { __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); }

}

ParallelFault try_parallel_anonymous_fault(AddressSpace& space, VirtAddr fault_address, FaultAccess access)
{
    MemoryContext& context = space.context();
    // A traced fault is recorded in the trace's ring, which has no lock; a reclaim scan is
    // serial work. Both go the serial way.
    if (access != FaultAccess::Write || fault_address >= USER_TOP || vm_trace_enabled() || memory_is_low(context))
        return ParallelFault::NotHere;
    VirtAddr va = page_round_down(fault_address);
    Mapping const* mapping = space.find_mapping(va);
    if (!mapping || mapping->cache() || !mapping->is_writable())
        return ParallelFault::NotHere;
    // A present entry is a copy-on-write, a zero-frame page or a stale TLB entry: serial
    // work. Only other parallel faults change entries now, and only from absent to a
    // writable present, so an absent entry seen here stays ours to fill unless one of
    // them gets there first — which fill_absent will tell.
    {
        SpinLockGuard guard(space.parallel_fault_lock());
        if (space.page_table().query(va).present)
            return ParallelFault::NotHere;
    }
    // The work, allocation and zeroing, needs no lock of the space.
    auto frame = context.frames.allocate(FrameUse::User);
    if (frame.is_error())
        return ParallelFault::NotHere; // the serial path's out-of-memory handling
    __builtin_memset(context.physical.map_frame(frame.value()), 0, PAGE_SIZE);

    PageTable::Fill filled;
    {
        SpinLockGuard guard(space.parallel_fault_lock());
        filled = space.page_table().fill_absent(va, frame.value(), AddressSpace::access_for(*mapping));
    }
    if (filled != PageTable::Fill::Filled) {
        context.frames.unref(frame.value());
        if (filled == PageTable::Fill::Refused)
            return ParallelFault::NotHere;
        // Another thread's fault mapped the page first: this access just runs again (the
        // serial path calls that a spurious fault).
        count(context.stats.page_faults);
        count(context.stats.parallel_faults_raced);
        return ParallelFault::Handled;
    }
    count(context.stats.page_faults);
    count(context.stats.zero_fill_write);
    count(context.stats.parallel_faults);
    return ParallelFault::Handled;
}
