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
    bool in_shared_table { false }; // the leaf table is shared with other address spaces (fork)
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
    // Makes this the table the MMU translates user addresses with (on x86: loads CR3).
    virtual void activate() = 0;
    // Number of page-table pages (not leaf frames) this table holds, for accounting.
    virtual usize table_pages() const = 0;

    // --- Copy-on-write of page tables themselves (fork; docs/mm.md "Sharing page tables") ---
    // A leaf table maps 2 MiB. fork() may hand the child the parent's leaf tables instead of
    // copying their entries: both address spaces then map that range through the same table,
    // write-protected at the upper level, and the table holds one reference on each frame
    // for all of them. The first change to an entry there gives the changing address space
    // its own copy of the table (all entries write-protected, each frame referenced again).

    // True if share_leaf_tables works (X86PageTable); false makes fork copy entries.
    virtual bool can_share_leaf_tables() const { return false; }
    // How many entries the leaf table of the 2 MiB chunk at `chunk` holds (0 if none): fork
    // shares only well-filled tables, since the first write after fork copies all 512.
    virtual u32 leaf_table_entries(VirtAddr /*chunk*/) const { return 0; }
    // Makes `child` (same kind of table) map [start, end) — 2 MiB aligned — through this
    // table's leaf tables. Returns how many tables are now shared. NoMemory if an upper-level
    // table of the child cannot be allocated.
    virtual Result<u64> share_leaf_tables(PageTable& /*child*/, VirtAddr /*start*/, VirtAddr /*end*/) { return u64(0); }
    // Gives this address space its own copy of each shared leaf table covering [start, end)
    // — with `partial_only`, only of those the range does not cover whole — so entries there
    // may change. Call before deciding anything from frame reference counts there. NoMemory.
    virtual Result<void> unshare(VirtAddr /*start*/, VirtAddr /*end*/, bool /*partial_only*/) { return {}; }
    // Removes every entry in [start, end), calling `release` for each present one whose
    // frame reference the caller must drop. A shared leaf table wholly inside the range is
    // let go as a whole: its frames stay referenced by the table, for its other users.
    virtual void release_range(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> release);
};

// Creates empty page tables for new address spaces (X86PageTable in the kernel, FakePageTable in tests).
class PageTableFactory {
public:
    virtual ~PageTableFactory() = default;
    virtual Result<PageTable*> create() = 0; // caller owns the result (delete)
};
