// The seam between the VM core and the MMU (trimmed from Zircon's ArchVmAspaceInterface).
// kernel/mm sees hardware page tables only through this interface, so the whole VM core
// builds on the host against a FakePageTable. One PageTable = one address space's tables.
#pragma once

#include "../lib/function_ref.h"
#include "../lib/result.h"
#include "../lib/types.h"
#include "frame.h"

using VirtAddr = u64;

// What a user page-table entry permits. Kernel-only entries never pass through this seam.
struct PageAccess {
    bool writable { false };
    bool executable { false };
    // False for PROT_NONE: the entry stays present, because the page table is the record of
    // which frames an address space holds, but every user access must fault (x86: clear the
    // U/S bit, so the frame is kept and user mode cannot touch it).
    bool accessible { true };
};

struct PteInfo {
    bool present { false };
    FrameNumber frame { 0 };
    bool writable { false };
    bool executable { false };
    bool dirty { false };    // set by the MMU on write
    bool accessed { false }; // set by the MMU on any access
};

class PageTable {
public:
    virtual ~PageTable() = default;

    // Installs a user entry for the page at `va` (page aligned), replacing any entry there.
    // Does not touch frame refcounts: the caller owns that bookkeeping. Fails only when a
    // page-table page cannot be allocated (NoMemory).
    virtual Result<void> map(VirtAddr va, FrameNumber frame, PageAccess access) = 0;
    // Removes the entry for the page at `va`, if any, and flushes it from the TLB.
    virtual void unmap(VirtAddr va) = 0;
    // Changes the permissions of a present entry (no-op if absent) and flushes it.
    virtual void protect(VirtAddr va, PageAccess access) = 0;
    // Clears the hardware dirty bit of a present entry and flushes it.
    virtual void clear_dirty(VirtAddr va) = 0;
    virtual PteInfo query(VirtAddr va) const = 0;
    // Calls `visit` for every present entry in [start, end), in ascending address order.
    // The callback may protect() or clear_dirty() the entry it is given, but must not map or
    // unmap entries of this table.
    virtual void for_each_present(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> visit) const = 0;
    // Number of page-table pages (not leaf frames) this table holds, for accounting.
    virtual usize table_pages() const = 0;
};

// Creates empty page tables for new address spaces (X86PageTable in the kernel, FakePageTable in tests).
class PageTableFactory {
public:
    virtual ~PageTableFactory() = default;
    virtual Result<PageTable*> create() = 0; // caller owns the result (delete)
};
