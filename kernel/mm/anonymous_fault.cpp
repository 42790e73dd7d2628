// Faults of private anonymous memory: demand-zero fill, and copy-on-write after fork —
// reuse the frame when nobody else holds it, copy it otherwise. None of these sleeps.
#include "../lib/profile.h"
#include "fault_handlers.h"

FaultResult install_new_frame(PageFault& fault, FrameNumber frame, PageAccess access)
{
    MemoryContext& context = fault.space.context();
    if (fault.space.page_table().map(fault.address, frame, access).is_error()) {
        context.frames.unref(frame);
        return FaultResult::OutOfMemory;
    }
    if (fault.pte.present)
        context.frames.unref(fault.pte.frame); // the reference the replaced entry held
    return FaultResult::Handled;
}

// Read of untouched private memory: share the zero frame read-only; a later write replaces it.
FaultResult handle_zero_read_fault(PageFault& fault)
{
    MemoryContext& context = fault.space.context();
    PageAccess access = AddressSpace::access_for(*fault.mapping);
    access.writable = false;
    if (fault.space.page_table().map(fault.address, context.zero_frame, access).is_error())
        return FaultResult::OutOfMemory;
    context.frames.ref(context.zero_frame);
    ++context.stats.zero_fill_read;
    return FaultResult::Handled;
}

// Write to untouched private memory, or to the zero frame mapped by an earlier read: a
// fresh zeroed frame of this space's own.
FaultResult handle_zero_write_fault(PageFault& fault)
{
    PROFILE("fault: zero fill (write)");
    MemoryContext& context = fault.space.context();
    auto frame = allocate_zeroed_frame(context);
    if (frame.is_error())
        return FaultResult::OutOfMemory;
    FaultResult result = install_new_frame(fault, frame.value(), AddressSpace::access_for(*fault.mapping));
    if (result == FaultResult::Handled)
        ++context.stats.zero_fill_write;
    return result;
}

// Write to a COW page nobody else holds any more (the other side exited or copied already):
// the frame is ours alone, so make it writable in place; copying would only waste a frame.
FaultResult handle_cow_reuse_fault(PageFault& fault)
{
    PROFILE("fault: copy-on-write reuse");
    if (fault.space.page_table().protect_page(fault.address, AddressSpace::access_for(*fault.mapping)).is_error())
        return FaultResult::OutOfMemory;
    ++fault.space.context().stats.cow_reuse;
    return FaultResult::Handled;
}

// Write to a COW page still shared with another address space: copy it into a frame of our
// own, map the copy writable, and drop our reference to the shared original.
FaultResult handle_cow_copy_fault(PageFault& fault)
{
    PROFILE("fault: copy-on-write copy");
    MemoryContext& context = fault.space.context();
    auto frame = allocate_copy_of(context, fault.pte.frame);
    if (frame.is_error())
        return FaultResult::OutOfMemory;
    FaultResult result = install_new_frame(fault, frame.value(), AddressSpace::access_for(*fault.mapping));
    if (result == FaultResult::Handled)
        ++context.stats.cow_copy;
    return result;
}

// The PTE already permits the access (a stale TLB entry, or an exec bit to refresh): bring
// the entry in line with the mapping, keeping a read-only entry read-only.
FaultResult handle_spurious_fault(PageFault& fault)
{
    PageAccess access = AddressSpace::access_for(*fault.mapping);
    access.writable = access.writable && fault.pte.writable;
    if (access.writable != fault.pte.writable || access.executable != fault.pte.executable)
        if (fault.space.page_table().protect_page(fault.address, access).is_error())
            return FaultResult::OutOfMemory;
    return FaultResult::Handled;
}
