// X86PageTable: the MMU side of one user address space, a 4-level x86_64 page table whose
// lower half holds the user's pages and whose upper half is the kernel's, shared by all.
#pragma once

#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/page_table.h"

class X86PageTable final : public PageTable {
public:
    static Result<X86PageTable*> create(FrameAllocator&);
    ~X86PageTable() override;

    Result<void> map(VirtAddr, FrameNumber, PageAccess) override;
    void unmap(VirtAddr) override;
    void protect(VirtAddr, PageAccess) override;
    void clear_dirty(VirtAddr) override;
    PteInfo query(VirtAddr) const override;
    void for_each_present(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> visit) const override;
    usize table_pages() const override { return m_table_pages; }

    u64 pml4_physical() const { return frame_to_physical(m_pml4); }
    // Loads this table into CR3 (flushing the whole non-global TLB).
    void activate() const;

private:
    X86PageTable(FrameAllocator& frames, FrameNumber pml4) : m_frames(frames), m_pml4(pml4) { }
    // The entries on the path to `va`: entry[3] in the PML4 down to entry[0], the leaf, and
    // the frame of the table holding each.
    struct Walk {
        u64* entry[4];
        FrameNumber table[4];
    };
    // Walks to the leaf entry for `va`, allocating intermediate tables if `allocate` is set.
    // False if a table is absent (or could not be allocated).
    bool walk(VirtAddr va, bool allocate, Walk&);
    u64* leaf_entry(VirtAddr va) const;
    // Frees intermediate tables left empty by clearing the leaf entry of `walk`.
    void release_empty_tables(Walk const&);
    void flush(VirtAddr) const;
    bool is_active() const;

    FrameAllocator& m_frames;
    FrameNumber m_pml4;
    usize m_table_pages { 1 };
};

class X86PageTableFactory final : public PageTableFactory {
public:
    explicit X86PageTableFactory(FrameAllocator& frames) : m_frames(frames) { }
    Result<PageTable*> create() override;

private:
    FrameAllocator& m_frames;
};
