// X86PageTable: the MMU side of one user address space, a 4-level x86_64 page table whose
// lower half holds the user's pages and whose upper half is the kernel's, shared by all.
//
// Leaf tables (each maps 2 MiB) may be shared copy-on-write between address spaces after a
// fork (share_leaf_tables): a shared table is referenced from each sharer's page directory
// through an entry with the writable bit clear, the table frame's refcount counts the
// sharers, and the table holds one reference on each frame it maps, for all of them. Any
// change to an entry first makes the table private (make_private): a copy with every entry
// write-protected and every frame referenced again, or — for the last sharer — the table
// itself, write-protected. mm decides copy-on-write from frame refcounts only after that.
#pragma once

#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/page_table.h"
#include "kernel/mm/vm_stats.h"

class X86PageTable final : public PageTable {
public:
    static Result<X86PageTable*> create(FrameAllocator&, VmStats&);
    ~X86PageTable() override;

    Result<void> map(VirtAddr, FrameNumber, PageAccess) override;
    void unmap(VirtAddr) override;
    void protect(VirtAddr, PageAccess) override;
    void clear_dirty(VirtAddr) override;
    PteInfo query(VirtAddr) const override;
    void for_each_present(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> visit) const override;
    usize table_pages() const override { return m_table_pages; }

    bool can_share_leaf_tables() const override { return true; }
    u32 leaf_table_entries(VirtAddr chunk) const override;
    Result<u64> share_leaf_tables(PageTable& child, VirtAddr start, VirtAddr end) override;
    Result<void> unshare(VirtAddr start, VirtAddr end, bool partial_only) override;
    void release_range(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> release) override;

    u64 pml4_physical() const { return frame_to_physical(m_pml4); }
    // Loads this table into CR3 (flushing the whole non-global TLB).
    void activate() override;

private:
    X86PageTable(FrameAllocator& frames, VmStats& stats, FrameNumber pml4) : m_frames(frames), m_stats(stats), m_pml4(pml4) { }

    // The entries on the path to `va`: entry[3] in the PML4 down to entry[0], the leaf, and
    // the frame of the table holding each.
    struct Walk {
        u64* entry[4];
        FrameNumber table[4];
    };
    enum class Intent { Read, Modify, ModifyAllocating };
    // Walks to the leaf entry for `va`. With Modify, a shared leaf table on the way is made
    // private first; with ModifyAllocating, missing tables are allocated too. False if a
    // table is absent (Read, Modify) or memory ran out.
    bool walk(VirtAddr va, Intent, Walk&);
    // Points `entry` (in table `parent`) at a new, empty table. False when out of memory.
    bool add_table(u64& entry, FrameNumber parent);
    // The leaf entry for `va` (nullptr if absent) and, through `directory_entry`, the entry
    // pointing at its table: its writable bit says whether the table is shared.
    u64 const* find_leaf(VirtAddr va, u64* directory_entry) const;
    // Gives this address space a private leaf table behind `directory_entry` (which lives in
    // page directory `directory`). False when out of memory.
    bool make_private(u64& directory_entry);
    // Frees intermediate tables left empty by clearing the leaf entry of `walk`.
    void release_empty_tables(Walk const&);
    // Frees the page directory of `va`'s 2 MiB chunk, and the level above, if left empty.
    // True if the directory was freed.
    bool release_empty_directories(VirtAddr va);
    // release_range for one chunk whose directory entry is `entry` (in `directory`). True if
    // the chunk's leaf table is gone from this address space (the entry is now empty).
    bool release_chunk(VirtAddr chunk, u64& entry, FrameNumber directory, VirtAddr start, VirtAddr end,
        FunctionRef<void(VirtAddr, PteInfo const&)> release, usize& pages_cleared);
    // The page-directory entry for the 2 MiB chunk at `va`, allocating the upper levels if
    // asked; nullptr if absent or out of memory. `directory` receives the frame holding it.
    u64* directory_entry(VirtAddr va, bool allocate, FrameNumber* directory = nullptr);
    void flush(VirtAddr) const;
    void flush_all() const;
    bool is_active() const;

    FrameAllocator& m_frames;
    VmStats& m_stats;
    FrameNumber m_pml4;
    usize m_table_pages { 1 };
};

class X86PageTableFactory final : public PageTableFactory {
public:
    X86PageTableFactory(FrameAllocator& frames, VmStats& stats) : m_frames(frames), m_stats(stats) { }
    Result<PageTable*> create() override;

private:
    FrameAllocator& m_frames;
    VmStats& m_stats;
};
