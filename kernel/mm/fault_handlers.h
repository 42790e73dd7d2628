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
