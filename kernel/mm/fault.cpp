// The page-fault path: the pure decision (decide_fault) and one AddressSpace handler per
// case, named as in Serenity's Region and Linux's do_wp_page (reuse / copy / shared).
#include "address_space.h"
#include "../lib/profile.h"
#include "fault.h"

#include "../lib/assert.h"

bool prot_allows(u32 prot, FaultAccess access)
{
    switch (access) {
    case FaultAccess::Read:
        return prot & VM_PROT_MASK;
    case FaultAccess::Write:
        return prot & VM_WRITE;
    case FaultAccess::Execute:
        return prot & VM_EXEC;
    }
    return false;
}

FaultCase decide_fault(Mapping const* mapping, PteInfo const& pte, FaultAccess access, u32 frame_ref_count, bool is_zero_frame,
    FilePageInfo file)
{
    if (!mapping || !prot_allows(mapping->prot(), access))
        return FaultCase::Segv;
    bool write = access == FaultAccess::Write;
    if (mapping->cache()) {
        if (!pte.present) {
            if (file.past_eof)
                return FaultCase::FileBus;
            if (!write)
                return FaultCase::FileRead;
            return mapping->is_shared() ? FaultCase::FileSharedWrite : FaultCase::FileCow;
        }
        if (!write || pte.writable)
            return FaultCase::Spurious;
        if (mapping->is_shared())
            return FaultCase::FileSharedWrite;
        if (file.pte_is_cache_frame)
            return FaultCase::FileCow;
        // A private copy made earlier: copy-on-write like anonymous memory (after fork).
        return frame_ref_count == 1 ? FaultCase::CowReuse : FaultCase::CowCopy;
    }
    if (!pte.present) {
        if (mapping->is_shared())
            return FaultCase::SharedZero;
        return write ? FaultCase::ZeroWrite : FaultCase::ZeroRead;
    }
    if (!write || pte.writable)
        return FaultCase::Spurious; // e.g. a stale TLB entry, or a kernel copy that raced nothing
    if (mapping->is_shared())
        return FaultCase::SharedWrite;
    if (is_zero_frame)
        return FaultCase::ZeroWrite;
    return frame_ref_count == 1 ? FaultCase::CowReuse : FaultCase::CowCopy;
}

char const* fault_case_name(FaultCase fault_case)
{
    switch (fault_case) {
    case FaultCase::Segv:
        return "segv";
    case FaultCase::ZeroRead:
        return "zero_read";
    case FaultCase::ZeroWrite:
        return "zero_write";
    case FaultCase::CowReuse:
        return "cow_reuse";
    case FaultCase::CowCopy:
        return "cow_copy";
    case FaultCase::SharedZero:
        return "shared_zero";
    case FaultCase::SharedWrite:
        return "shared_write";
    case FaultCase::Spurious:
        return "spurious";
    case FaultCase::FileBus:
        return "file_bus";
    case FaultCase::FileRead:
        return "file_read";
    case FaultCase::FileCow:
        return "file_cow";
    case FaultCase::FileSharedWrite:
        return "file_shared_write";
    }
    return "?";
}

FaultResult AddressSpace::handle_fault(VirtAddr fault_address, FaultAccess access)
{
    PROFILE("fault: AddressSpace::handle_fault (all kinds)");
    ++m_context.stats.page_faults;
    // An address no mapping can ever cover (the kernel half, the last page below 2^47) is
    // the program's own error: refuse it before any page-table walk.
    if (fault_address >= USER_TOP)
        return FaultResult::Segv;
    VirtAddr va = page_round_down(fault_address);
    // A write in a leaf table shared since a fork: get a private copy of the table before
    // anything is decided from frame refcounts (page_table.h).
    if (access == FaultAccess::Write && m_page_table->unshare(va, va + PAGE_SIZE, false).is_error())
        return FaultResult::OutOfMemory;
    Mapping const* mapping = m_mappings.find(va);
    PteInfo pte = m_page_table->query(va);
    u32 ref_count = 0;
    bool is_zero = false;
    if (pte.present) {
        ref_count = m_context.frames.ref_count(pte.frame);
        is_zero = pte.frame == m_context.zero_frame;
    }
    FilePageInfo file;
    if (mapping && mapping->cache()) {
        u64 index = mapping->file_index(va);
        file.past_eof = index >= mapping->cache()->page_count();
        file.pte_is_cache_frame = pte.present && maps_cache_frame(*mapping, va, pte.frame);
    }
    switch (decide_fault(mapping, pte, access, ref_count, is_zero, file)) {
    case FaultCase::Segv:
        return FaultResult::Segv;
    case FaultCase::ZeroRead:
        return handle_zero_read_fault(*mapping, va);
    case FaultCase::ZeroWrite:
        return handle_zero_write_fault(*mapping, va, pte);
    case FaultCase::CowReuse:
        return handle_cow_reuse_fault(*mapping, va, pte);
    case FaultCase::CowCopy:
        return handle_cow_copy_fault(*mapping, va, pte);
    case FaultCase::SharedZero:
        return handle_shared_zero_fault(*mapping, va);
    case FaultCase::SharedWrite:
        return handle_shared_write_fault(*mapping, va, pte);
    case FaultCase::Spurious:
        return handle_spurious_fault(*mapping, va, pte);
    case FaultCase::FileBus:
        return FaultResult::Bus;
    case FaultCase::FileRead:
        return handle_file_read_fault(*mapping, va);
    case FaultCase::FileCow:
        return handle_file_cow_fault(*mapping, va, pte);
    case FaultCase::FileSharedWrite:
        return handle_shared_file_write_fault(*mapping, va, pte);
    }
    VERIFY_NOT_REACHED();
}

FaultResult AddressSpace::install_new_frame(VirtAddr va, FrameNumber frame, PageAccess access)
{
    if (m_page_table->map(va, frame, access).is_error()) {
        m_context.frames.unref(frame);
        return FaultResult::OutOfMemory;
    }
    return FaultResult::Handled;
}

// Read of untouched private memory: share the zero frame read-only; a later write replaces it.
FaultResult AddressSpace::handle_zero_read_fault(Mapping const& mapping, VirtAddr va)
{
    PageAccess access = access_for(mapping);
    access.writable = false;
    if (m_page_table->map(va, m_context.zero_frame, access).is_error())
        return FaultResult::OutOfMemory;
    m_context.frames.ref(m_context.zero_frame);
    ++m_context.stats.zero_fill_read;
    return FaultResult::Handled;
}

// First write to private memory that is absent or maps the zero frame: a fresh zeroed frame.
FaultResult AddressSpace::handle_zero_write_fault(Mapping const& mapping, VirtAddr va, PteInfo const& pte)
{
    PROFILE("fault: zero fill (write)");
    auto frame = allocate_zeroed_frame();
    if (frame.is_error())
        return FaultResult::OutOfMemory;
    FaultResult result = install_new_frame(va, frame.value(), access_for(mapping));
    if (result != FaultResult::Handled)
        return result;
    if (pte.present)
        m_context.frames.unref(pte.frame); // the zero frame's reference held by the old PTE
    ++m_context.stats.zero_fill_write;
    return FaultResult::Handled;
}

// Write to a COW page nobody else holds any more (the other side exited or copied already):
// the frame is ours alone, so make it writable in place; copying would only waste a frame.
FaultResult AddressSpace::handle_cow_reuse_fault(Mapping const& mapping, VirtAddr va, PteInfo const&)
{
    PROFILE("fault: copy-on-write reuse");
    m_page_table->protect(va, access_for(mapping));
    ++m_context.stats.cow_reuse;
    return FaultResult::Handled;
}

// Write to a COW page still shared with another address space: copy it into a frame of our
// own, map the copy writable, and drop our reference to the shared original.
FaultResult AddressSpace::handle_cow_copy_fault(Mapping const& mapping, VirtAddr va, PteInfo const& pte)
{
    PROFILE("fault: copy-on-write copy");
    auto frame = m_context.frames.allocate();
    if (frame.is_error())
        return FaultResult::OutOfMemory;
    copy_frame(frame.value(), pte.frame);
    FaultResult result = install_new_frame(va, frame.value(), access_for(mapping));
    if (result != FaultResult::Handled)
        return result;
    m_context.frames.unref(pte.frame);
    ++m_context.stats.cow_copy;
    return FaultResult::Handled;
}

// First touch of shared anonymous memory: a zeroed frame, writable at once if prot allows,
// since a shared page is never copy-on-write.
FaultResult AddressSpace::handle_shared_zero_fault(Mapping const& mapping, VirtAddr va)
{
    auto frame = allocate_zeroed_frame();
    if (frame.is_error())
        return FaultResult::OutOfMemory;
    FaultResult result = install_new_frame(va, frame.value(), access_for(mapping));
    if (result == FaultResult::Handled)
        ++m_context.stats.zero_fill_write;
    return result;
}

// Write to a read-only PTE of a writable shared mapping without a cache (left read-only by
// an earlier mprotect). Shared mappings with a cache go to handle_shared_file_write_fault.
FaultResult AddressSpace::handle_shared_write_fault(Mapping const& mapping, VirtAddr va, PteInfo const&)
{
    m_page_table->protect(va, access_for(mapping));
    return FaultResult::Handled;
}

// The PTE already permits the access (a stale TLB entry, or an exec bit to refresh): bring
// the entry in line with the mapping, keeping a read-only entry read-only.
FaultResult AddressSpace::handle_spurious_fault(Mapping const& mapping, VirtAddr va, PteInfo const& pte)
{
    PageAccess access = access_for(mapping);
    access.writable = access.writable && pte.writable;
    if (access.writable != pte.writable || access.executable != pte.executable)
        m_page_table->protect(va, access);
    return FaultResult::Handled;
}
