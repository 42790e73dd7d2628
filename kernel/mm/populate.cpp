// Faulting a range in ahead of use: MAP_POPULATE, mlock, mlockall and the locked mappings
// of mlockall(MCL_FUTURE), madvise(MADV_POPULATE_READ/WRITE). Each page goes through the
// page-fault handler exactly as a first touch by the program would, so the counters and
// the copy-on-write rules are the same; a page the table already allows costs one lookup.
#include "address_space.h"

namespace {

// The access a first touch of `mapping` takes when populating it (Linux's
// populate_vma_page_range): private writable memory is written, so copy-on-write is broken
// now rather than at the program's first store; shared memory is only read, so that
// populating never dirties a file.
FaultAccess access_for_populate(Mapping const& mapping, AddressSpace::PopulateAccess wanted)
{
    switch (wanted) {
    case AddressSpace::PopulateAccess::Read:
        return FaultAccess::Read;
    case AddressSpace::PopulateAccess::Write:
        return FaultAccess::Write;
    case AddressSpace::PopulateAccess::AsMapped:
        break;
    }
    return mapping.is_private() && mapping.is_writable() ? FaultAccess::Write : FaultAccess::Read;
}

bool entry_allows(PteInfo const& pte, FaultAccess access)
{
    return pte.present && (access != FaultAccess::Write || pte.writable);
}

}

Result<void> AddressSpace::populate(VirtAddr start, VirtAddr end, PopulateAccess wanted)
{
    verify_locked();
    VirtAddr va = page_round_down(start);
    while (va < end) {
        // Looked up afresh for every page: a fault that read the disk may have slept, and
        // the mapping found before may be gone.
        Mapping const* mapping = m_mappings.first_ending_after(va);
        if (!mapping || mapping->start() >= end)
            return {};
        va = max(va, mapping->start());
        bool skipped = mapping->prot() == VM_NONE || mapping->has(VM_LOCKONFAULT);
        if (wanted != PopulateAccess::AsMapped)
            skipped = false; // MADV_POPULATE_* asks for every page: a refusal is an error
        if (skipped) {
            va = mapping->end();
            continue;
        }
        FaultAccess access = access_for_populate(*mapping, wanted);
        if (!prot_allows(mapping->prot(), access))
            return Errno::Invalid; // MADV_POPULATE_* of memory that may not be accessed so
        VirtAddr mapping_end = min(end, mapping->end());
        u64 version = m_layout_version;
        for (u64 step = 1; va < mapping_end && m_layout_version == version; va += PAGE_SIZE, ++step) {
            // A range of terabytes takes minutes: let others run (and a kill arrive) meanwhile.
            // They may change the mappings; the loop's condition sees that.
            if (step % 64 == 0 && m_context.offer_cpu) {
                m_context.offer_cpu();
                if (m_layout_version != version)
                    break;
            }
            if (entry_allows(m_page_table->query(va), access))
                continue;
            if (m_context.caller_dying && m_context.caller_dying())
                return Errno::Interrupted; // killed (by the OOM policy, say) meanwhile

            FaultResult result = handle_page_fault(*this, va, access);
            if (result == FaultResult::Retry)
                break; // the same page again, from a fresh lookup
            if (result == FaultResult::OutOfMemory)
                return Errno::NoMemory;
            if (result != FaultResult::Handled)
                return Errno::BadAddress; // SIGBUS or SIGSEGV on a real access (past the end of a file)
        }
    }
    return {};
}
