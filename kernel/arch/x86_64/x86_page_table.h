// X86PageTable: the MMU side of one user address space, a 4-level x86_64 page table whose
// lower half holds the user's pages and whose upper half is the kernel's, shared by all.
// It reaches table memory through PhysicalAccess and the processor through X86Mmu, so it
// builds on the host too (tests/host/arch).
//
//   PML4 (512 GiB per entry) → PDPT (1 GiB) → page directory (2 MiB) → leaf table (4 KiB pages)
//
// Leaf tables (each maps 2 MiB) may be shared copy-on-write between address spaces after a
// fork (share_leaf_tables, x86_table_sharing.cpp): a shared table is referenced from each
// sharer's page directory through an entry with the writable bit clear, the table frame's
// refcount counts the sharers, and the table holds one reference on each frame it maps, for
// all of them. Any change to an entry first makes the table private (make_private): a copy
// with every entry write-protected and every frame referenced again, or — for the last
// sharer — the table itself, write-protected. mm decides copy-on-write from frame refcounts
// only after that.
//
// TLB invalidation is batched per operation (TlbFlush): range operations collect the pages
// they changed and invalidate once at the end; frames and tables they take out reach their
// releasers only after that (Unmapped).
#pragma once

#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/page_table.h"
#include "kernel/mm/physical_access.h"
#include "kernel/mm/vm_stats.h"
#include "x86_mmu.h"

// Above this many pages one full invalidation is cheaper than one invlpg each.
constexpr usize X86_FLUSH_ALL_THRESHOLD = 32;

// The pages whose translations an operation changed, invalidated once at its end: each
// page, or everything past X86_FLUSH_ALL_THRESHOLD pages or once a table itself went away
// (its paging-structure cache entries must go too).
class TlbFlush {
public:
    void add_page(VirtAddr va)
    {
        if (m_count < X86_FLUSH_ALL_THRESHOLD)
            m_pages[m_count] = va;
        ++m_count;
    }
    void add_everything() { m_everything = true; }
    bool is_empty() const { return m_count == 0 && !m_everything; }
    bool everything() const { return m_everything || m_count > X86_FLUSH_ALL_THRESHOLD; }
    usize count() const { return m_count; }
    VirtAddr page(usize i) const { return m_pages[i]; }
    void reset() { m_count = 0, m_everything = false; }

private:
    VirtAddr m_pages[X86_FLUSH_ALL_THRESHOLD];
    usize m_count { 0 };
    bool m_everything { false };
};

class X86PageTable final : public PageTable {
public:
    struct Services {
        FrameAllocator& frames;
        PhysicalAccess& physical;
        VmStats& stats;
        X86Mmu& mmu;
    };
    static Result<X86PageTable*> create(Services const&);
    ~X86PageTable() override;

    Result<void> map(VirtAddr, FrameNumber, PageAccess) override;
    Fill fill_absent(VirtAddr, FrameNumber, PageAccess) override;
    bool clear_accessed(VirtAddr) override;
    PteInfo query(VirtAddr) const override;
    Result<void> unmap(VirtAddr start, VirtAddr end, PteVisitor release) override;
    Result<void> protect(VirtAddr start, VirtAddr end, FunctionRef<PageAccess(VirtAddr, PteInfo const&)> decide) override;
    Result<void> protect_page(VirtAddr, PageAccess) override;
    Result<void> fork_range(PageTable& child, VirtAddr start, VirtAddr end,
        FunctionRef<Result<ForkedEntry>(VirtAddr, PteInfo const&)> decide) override;
    Result<void> clean(VirtAddr start, VirtAddr end, PteVisitor was_dirty) override;
    void for_each_present(VirtAddr start, VirtAddr end, PteVisitor visit) const override;
    void activate() override;
    bool is_loaded() const override { return m_mmu.is_loaded(pml4_physical()); }
    usize table_pages() const override { return m_table_pages; }

    u64 leaf_table_span() const override { return LEAF_TABLE_SPAN; }
    u32 leaf_table_entries(VirtAddr chunk) const override;
    VirtAddr next_chunk_with_table(VirtAddr chunk, VirtAddr end) const override;
    Result<u64> share_leaf_tables(PageTable& child, VirtAddr start, VirtAddr end) override;
    Result<void> unshare(VirtAddr start, VirtAddr end, bool partial_only) override;

    u64 pml4_physical() const { return frame_to_physical(m_pml4); }

    static constexpr u64 LEAF_TABLE_SPAN = 2 * MiB;
    static constexpr u64 USER_HALF_END = 0x0000800000000000ull;

private:
    explicit X86PageTable(Services const& services, FrameNumber pml4)
        : m_frames(services.frames), m_physical(services.physical), m_stats(services.stats), m_mmu(services.mmu), m_pml4(pml4)
    { }

    class Unmapped;

    u64* table_of(FrameNumber frame) const { return reinterpret_cast<u64*>(m_physical.map_frame(frame)); }
    // The page-directory entry for the 2 MiB chunk at `va`, allocating the upper levels if
    // asked; nullptr if absent or out of memory. `directory` receives the frame holding it.
    u64* directory_entry(VirtAddr va, bool allocate, FrameNumber* directory = nullptr) const;
    // The first address at or after `va` whose PML4 and PDPT entries are present (so that
    // walks over huge ranges skip absent 512 GiB and 1 GiB subtrees at once), or >= `end`.
    VirtAddr skip_absent_subtrees(VirtAddr va, VirtAddr end) const;
    // The private leaf table for the 2 MiB chunk at `va`, made (with the levels above) if
    // absent; its frame in `frame`. A leaf table shared since fork is copied first, or
    // refused. nullptr when out of memory or refused.
    enum class SharedLeafTable {
        MakePrivate,
        Refuse
    };
    u64* private_leaf_table(VirtAddr va, FrameNumber& frame, SharedLeafTable);
    // Points `entry` (in table `parent`) at a new, empty table. False when out of memory.
    bool add_table(u64& entry, FrameNumber parent);
    // Gives each present leaf entry of [start, end) the value `updated` returns for it,
    // given the entry's effective value (in a shared table: without its W bit). A shared
    // leaf table is made private only when one of its entries actually changes, so an
    // update that changes nothing needs no memory. NoMemory stops the walk; `batch`
    // collects the pages whose entries changed.
    Result<void> update_entries(
        VirtAddr start, VirtAddr end, FunctionRef<u64(VirtAddr, u64 entry, u64 directory_entry)> updated, TlbFlush& batch);
    // Gives this address space a private leaf table behind `directory_entry`. False when
    // out of memory (x86_table_sharing.cpp).
    bool make_private(u64& directory_entry);
    // unmap() for one 2 MiB chunk whose directory entry is `entry` (in `directory`).
    Result<void> unmap_chunk(VirtAddr chunk, u64& entry, FrameNumber directory, VirtAddr start, VirtAddr end, Unmapped&);
    void flush(TlbFlush const&);

    FrameAllocator& m_frames;
    PhysicalAccess& m_physical;
    VmStats& m_stats;
    X86Mmu& m_mmu;
    FrameNumber m_pml4;
    usize m_table_pages { 1 };
};

class X86PageTableFactory final : public PageTableFactory {
public:
    explicit X86PageTableFactory(X86PageTable::Services const& services) : m_services(services) { }
    Result<PageTable*> create() override;

private:
    X86PageTable::Services m_services;
};
