// The page-fault path: the pure decision (decide_fault) and the dispatcher that gathers
// what the decision needs and runs the handler named after the case (Serenity's Region and
// Linux's do_wp_page dispatch the same way: reuse / copy / shared).
#include "fault.h"
#include "../lib/assert.h"
#include "../lib/profile.h"
#include "fault_handlers.h"
#include "reverse_map.h"
#include "vm_trace_events.h"

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

FaultCase decide_fault(
    Mapping const* mapping, PteInfo const& pte, FaultAccess access, u32 frame_ref_count, bool is_zero_frame, FilePageInfo file)
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
    if (!pte.present)
        return write ? FaultCase::ZeroWrite : FaultCase::ZeroRead;
    if (!write || pte.writable)
        return FaultCase::Spurious; // e.g. a stale TLB entry, or a kernel copy that raced nothing
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

bool PageFault::still_valid() const
{
    return space.layout_version() == layout_version && space.page_table().query(address).same_mapping(pte);
}

namespace {

// Runs the handler named after the case (inlined into both copies of serve_fault: as a
// function of its own it would cost every fault a call).
[[gnu::always_inline]] inline FaultResult run_fault_handler(PageFault& fault, FaultCase fault_case)
{
    switch (fault_case) {
    case FaultCase::Segv:
        return FaultResult::Segv;
    case FaultCase::ZeroRead:
        return handle_zero_read_fault(fault);
    case FaultCase::ZeroWrite:
        return handle_zero_write_fault(fault);
    case FaultCase::CowReuse:
        return handle_cow_reuse_fault(fault);
    case FaultCase::CowCopy:
        return handle_cow_copy_fault(fault);
    case FaultCase::Spurious:
        return handle_spurious_fault(fault);
    case FaultCase::FileBus:
        return FaultResult::Bus;
    case FaultCase::FileRead:
        return handle_file_read_fault(fault);
    case FaultCase::FileCow:
        return handle_file_cow_fault(fault);
    case FaultCase::FileSharedWrite:
        return handle_shared_file_write_fault(fault);
    }
    VERIFY_NOT_REACHED();
}

// The fault, served, and recorded when TRACED. handle_page_fault() tests the trace once, on
// entry, and runs one of two copies of this: recording after the handler (VM_TRACE's way)
// kept the case, the refcount and the fault's address alive across the handler's call, in
// registers and stack slots every fault paid for with the trace off (docs/benchmarks.md, "The
// VM trace's cost"); the untraced copy has no trace in it at all.
template<bool TRACED>
[[gnu::always_inline]] inline FaultResult serve_fault(AddressSpace& space, VirtAddr fault_address, FaultAccess access)
{
    space.verify_locked();
    MemoryContext& context = space.context();
    ++context.stats.page_faults;
    // An address no mapping can ever cover (the kernel half, the last page below 2^47) is
    // the program's own error: refuse it before any page-table walk.
    if (fault_address >= USER_TOP)
        return FaultResult::Segv;
    VirtAddr va = page_round_down(fault_address);
    PageTable& table = space.page_table();
    PteInfo pte = table.query(va);
    // A write in a leaf table shared since a fork: get a private copy of the table before
    // anything is decided from frame refcounts (page_table.h).
    if (access == FaultAccess::Write && pte.in_shared_table) {
        if (table.unshare(va, va + PAGE_SIZE, false).is_error())
            return FaultResult::OutOfMemory;
        pte = table.query(va);
    }

    PageFault fault { space, va, access, space.find_mapping(va) ?: space.grow_down_to(va), pte, space.layout_version() };
    u32 ref_count = 0;
    bool is_zero = false;
    if (fault.pte.present) {
        ref_count = context.frames.ref_count(fault.pte.frame);
        is_zero = fault.pte.frame == context.zero_frame;
    }
    FilePageInfo file;
    if (fault.mapping && fault.mapping->cache()) {
        file.past_eof = fault.mapping->file_index(va) >= fault.mapping->cache()->page_count();
        file.pte_is_cache_frame = fault.pte.present && maps_cache_frame(*fault.mapping, va, fault.pte.frame);
    }
    FaultCase fault_case = decide_fault(fault.mapping, fault.pte, access, ref_count, is_zero, file);
    FaultResult result = run_fault_handler(fault, fault_case);
    if constexpr (TRACED)
        trace_fault(fault, fault_case, result, ref_count);
    return result;
}

}

FaultResult handle_page_fault(AddressSpace& space, VirtAddr fault_address, FaultAccess access)
{
    PROFILE("fault: handle_page_fault (all kinds)");
    if (vm_trace_enabled())
        return serve_fault<true>(space, fault_address, access);
    return serve_fault<false>(space, fault_address, access);
}
