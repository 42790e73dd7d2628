// The fault handlers, one per FaultCase (private to kernel/mm): anonymous memory in
// anonymous_fault.cpp, file and shared memory in file_fault.cpp, dispatched by
// handle_page_fault (fault.cpp). Each gets the fault's record; those that may sleep check
// fault.still_valid() after waking.
#pragma once

#include "address_space.h"
#include "fault.h"

FaultResult handle_zero_read_fault(PageFault&);
FaultResult handle_zero_write_fault(PageFault&);
FaultResult handle_cow_reuse_fault(PageFault&);
FaultResult handle_cow_copy_fault(PageFault&);
FaultResult handle_spurious_fault(PageFault&);
FaultResult handle_file_read_fault(PageFault&);
FaultResult handle_file_cow_fault(PageFault&);
FaultResult handle_shared_file_write_fault(PageFault&);

// Maps `frame` (a fresh frame whose one reference the caller hands over) at the fault's
// address, replacing the entry the fault found; that entry's frame reference is dropped.
// On failure the new frame is released and OutOfMemory returned.
FaultResult install_new_frame(PageFault&, FrameNumber frame, PageAccess access);

// What a PTE mapping the cache frame of page `index` may allow: private mappings read-only
// (a write copies); shared ones writable only if the mapping is and the page is already
// dirty, or the cache is not backed (nothing to notice); otherwise the first write takes
// handle_shared_file_write_fault.
PageAccess cache_frame_access(Mapping const& mapping, PageCache const& cache, u64 index);

// The pages a file read fault at `va` maps besides its own where they are cached
// (fault-around): an aligned window of 16 pages, cut to the mapping.
struct PageRange {
    VirtAddr start, end;
};
PageRange fault_around_window(Mapping const& mapping, VirtAddr va);
