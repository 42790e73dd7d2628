// The seam between the VM core and the MMU (trimmed from Zircon's ArchVmAspaceInterface,
// batched like Linux's mmu_gather). kernel/mm sees page tables only through this interface,
// so the VM core builds on the host against a FakePageTable, and an architecture is one
// class (X86PageTable, which also builds on the host).
//
// Range operations change every present entry in [start, end) and invalidate the TLB once
// for the whole range: page by page for a few pages, one full flush past a threshold. On
// several CPUs that one invalidation becomes one shootdown, with nothing to change here. A
// frame an operation takes out of the table reaches the caller (`release`) only after the
// invalidation, so nothing can still translate to it when the caller frees it.
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
    bool dirty { false }; // set by the MMU on write
    bool accessed { false }; // set by the MMU on any access
    bool in_shared_table { false }; // the leaf table is shared with other address spaces (fork)

    // Same translation and rights: what a fault that slept compares to see whether someone
    // else changed the entry meanwhile (Linux's pte_same).
    bool same_mapping(PteInfo const& other) const
    {
        return present == other.present && (!present || (frame == other.frame && writable == other.writable));
    }
};

using PteVisitor = FunctionRef<void(VirtAddr, PteInfo const&)>;

// fork_range's verdict on one present entry of the parent: what the child gets (if
// anything) and what the parent's entry becomes.
struct ForkedEntry {
    bool give_child { true };
    FrameNumber child_frame { 0 };
    PageAccess child_access;
    PageAccess parent_access;
};

class PageTable {
public:
    virtual ~PageTable() = default;

    // --- One page ---
    // Installs a user entry for the page at `va`, replacing (and invalidating) any entry
    // there. Does not touch frame refcounts: the caller owns that bookkeeping. NoMemory when
    // a page-table page cannot be allocated.
    virtual Result<void> map(VirtAddr va, FrameNumber frame, PageAccess access) = 0;
    virtual PteInfo query(VirtAddr va) const = 0;
    // Installs an entry for `va` only where there is none, in a leaf table of this address
    // space's own: what a page fault running beside others may do (mm/parallel_fault.h).
    // Refused where that is not all it takes — the leaf table is shared since a fork and
    // would be copied, or a table cannot be allocated — so the caller takes the serial path.
    enum class Fill {
        Filled,
        AlreadyPresent,
        Refused
    };
    virtual Fill fill_absent(VirtAddr, FrameNumber, PageAccess) { return Fill::Refused; }

    // --- Ranges: [start, end) page aligned ---
    // Removes every entry, calling `release` for each present one whose frame reference the
    // caller must drop. A leaf table shared since a fork and wholly inside the range is let
    // go as a whole: its frames stay referenced by the table, for its other sharers, and
    // `release` is not called for them. NoMemory if a shared table only partly inside the
    // range cannot be made private (call unshare(..., partial_only) first to rule that out).
    virtual Result<void> unmap(VirtAddr start, VirtAddr end, PteVisitor release) = 0;
    // Gives every present entry the access `decide` returns for it. Shared leaf tables in
    // the range are made private first (NoMemory if that fails).
    virtual Result<void> protect(VirtAddr start, VirtAddr end, FunctionRef<PageAccess(VirtAddr, PteInfo const&)> decide) = 0;
    // Clears the hardware dirty bit of every present entry that has it, calling `was_dirty`
    // for each (write-back moves the bit into the page cache).
    virtual Result<void> clean(VirtAddr start, VirtAddr end, PteVisitor was_dirty) = 0;
    // Reclaim's second chance: clears the accessed bit of the entry at `va` and says whether
    // it was set (a page used since the last look). The translation is invalidated too, so
    // the next use sets the bit again. An entry in a leaf table shared since fork is left as
    // it is and counts as used. False for an absent entry.
    virtual bool clear_accessed(VirtAddr va) = 0;
    // Calls `visit` for every present entry, in ascending address order. The visitor must
    // not change this table.
    virtual void for_each_present(VirtAddr start, VirtAddr end, PteVisitor visit) const = 0;

    // One page: what the fault path changes (a table may do it faster than the range form).
    virtual Result<void> protect_page(VirtAddr va, PageAccess access)
    {
        return protect(va, va + PAGE_SIZE, [&](VirtAddr, PteInfo const&) { return access; });
    }
    Result<void> unmap_page(VirtAddr va, PteVisitor release) { return unmap(va, va + PAGE_SIZE, release); }

    // fork: for each present entry of [start, end) asks `decide` what the child (a table of
    // the same kind) gets and what this entry becomes, and does both — one walk, a leaf
    // table at a time, one TLB invalidation for this table's changes (Linux's
    // copy_pte_range). Frame references are the caller's business: `decide` is called only
    // once the child's entry is sure to be installed, so the references it takes cannot
    // leak. NoMemory when a table of the child cannot be allocated, or `decide`'s own error;
    // what was done before stays done.
    virtual Result<void> fork_range(
        PageTable& child, VirtAddr start, VirtAddr end, FunctionRef<Result<ForkedEntry>(VirtAddr, PteInfo const&)> decide)
        = 0;

    // Makes this the table the MMU translates user addresses with (on x86: loads CR3).
    virtual void activate() = 0;
    // True if this is the table the MMU translates user addresses with on this CPU now: the
    // kernel's copies to and from this address space may then go through the MMU
    // (user_memory.h). A table that is never loaded (a host test's) says false.
    virtual bool is_loaded() const { return false; }
    // Number of page-table pages (not leaf frames) this table holds, for accounting.
    virtual usize table_pages() const = 0;

    // --- Copy-on-write of page tables themselves (fork; docs/mm.md "Sharing page tables") ---
    // fork() may hand the child the parent's leaf tables instead of copying their entries:
    // both address spaces then map that range through the same table, write-protected at the
    // upper level, and the table holds one reference on each frame for all of them. The
    // first change to an entry there gives the changing address space its own copy of the
    // table (all entries write-protected, each frame referenced again).

    // The span one leaf table maps (2 MiB on x86_64); 0 if this table cannot share them.
    virtual u64 leaf_table_span() const { return 0; }
    // How many entries the leaf table of the chunk at `chunk` holds (0 if none): fork
    // shares only well-filled tables, since the first write after fork copies a whole one.
    virtual u32 leaf_table_entries(VirtAddr /*chunk*/) const { return 0; }
    // The first leaf-span chunk at or after `chunk` and below `end` that has a leaf table, or
    // `end`: how fork steps over the never-touched parts of a large mapping without looking
    // at each of its chunks. A table that cannot tell returns `chunk` (skip nothing).
    virtual VirtAddr next_chunk_with_table(VirtAddr chunk, VirtAddr /*end*/) const { return chunk; }
    // Makes `child` (same kind of table) map [start, end) — leaf-span aligned — through this
    // table's leaf tables. Returns how many tables are now shared. NoMemory if an upper-level
    // table of the child cannot be allocated.
    virtual Result<u64> share_leaf_tables(PageTable& /*child*/, VirtAddr /*start*/, VirtAddr /*end*/) { return u64(0); }
    // Gives this address space its own copy of each shared leaf table covering [start, end)
    // — with `partial_only`, only of those the range does not cover whole — so entries there
    // may change. Call before deciding anything from frame reference counts there. NoMemory.
    virtual Result<void> unshare(VirtAddr /*start*/, VirtAddr /*end*/, bool /*partial_only*/) { return {}; }
};

// Creates empty page tables for new address spaces (X86PageTable in the kernel, FakePageTable in tests).
class PageTableFactory {
public:
    virtual ~PageTableFactory() = default;
    virtual Result<PageTable*> create() = 0; // caller owns the result (delete)
};
