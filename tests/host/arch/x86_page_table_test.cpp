// The real X86PageTable on the host (over the test frame arena and a RecordingMmu): range
// operations and their batched invalidation, and copy-on-write of whole leaf tables at fork
// driven through AddressSpace (and fork's step over absent tables) — first writes, munmap and mprotect across a shared chunk,
// exit of either side, out of memory while a table is made private — checking refcounts,
// contents and that no frame leaks.
#include "kernel/mm/remote_memory.h"
#include "tests/host/mm/mm_test_helpers.h"
#include <vector>

namespace {

constexpr u64 CHUNK = 2 * MiB;
constexpr u64 CHUNK_PAGES = CHUNK / PAGE_SIZE;
constexpr VirtAddr REGION = 0x40000000; // 2 MiB aligned

PageAccess rw() { return { .writable = true, .executable = false, .accessible = true }; }

struct X86Test : ::testing::Test {
    MmEnvironment env { 4096, ForkMode::CopyOnWrite, TableKind::X86 };

    // Takes every free frame (to drive out-of-memory); give_back() returns them.
    std::vector<FrameNumber> hoard;
    void take_all_frames()
    {
        while (true) {
            auto frame = env.frames.allocate();
            if (frame.is_error())
                return;
            hoard.push_back(frame.value());
        }
    }
    void give_back()
    {
        for (FrameNumber frame : hoard)
            env.frames.unref(frame);
        hoard.clear();
    }
    // A parent with REGION..REGION+2 MiB mapped and every page written (a full leaf table).
    RefPtr<AddressSpace> filled_parent()
    {
        auto parent = env.new_space();
        EXPECT_EQ(map_private(*parent, CHUNK_PAGES, RW, REGION), REGION);
        for (u64 i = 0; i < CHUNK_PAGES; ++i)
            poke(*parent, REGION + i * P, u8(i));
        return parent;
    }
};

}

TEST_F(X86Test, MapQueryAndUnmapARange)
{
    auto space = env.new_space();
    X86PageTable& table = env.x86(*space);
    std::vector<FrameNumber> frames;
    for (int i = 0; i < 4; ++i) {
        frames.push_back(MUST(env.frames.allocate()));
        MUST(table.map(REGION + i * P, frames.back(), rw()));
    }
    PteInfo pte = table.query(REGION + P);
    EXPECT_TRUE(pte.present && pte.writable && !pte.executable);
    EXPECT_EQ(pte.frame, frames[1]);
    EXPECT_FALSE(table.query(REGION + 4 * P).present);
    std::vector<VirtAddr> released;
    MUST(table.unmap(REGION + P, REGION + 3 * P, [&](VirtAddr va, PteInfo const& old) {
        released.push_back(va);
        env.frames.unref(old.frame);
    }));
    EXPECT_EQ(released, (std::vector<VirtAddr> { REGION + P, REGION + 2 * P }));
    EXPECT_FALSE(table.query(REGION + P).present);
    EXPECT_TRUE(table.query(REGION + 3 * P).present);
    MUST(table.unmap(0, X86PageTable::USER_HALF_END, [&](VirtAddr, PteInfo const& old) { env.frames.unref(old.frame); }));
    EXPECT_EQ(table.table_pages(), 1u); // only the PML4 is left: empty tables are freed
    space.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(X86Test, NextChunkWithTableStepsOverAbsentTables)
{
    auto space = env.new_space();
    X86PageTable& table = env.x86(*space);
    constexpr VirtAddr FAR = REGION + 3 * 512 * GiB + 7 * CHUNK; // another PML4 entry
    MUST(table.map(REGION + 5 * CHUNK + P, MUST(env.frames.allocate()), rw()));
    MUST(table.map(FAR, MUST(env.frames.allocate()), rw()));
    VirtAddr end = FAR + 64 * CHUNK;
    EXPECT_EQ(table.next_chunk_with_table(REGION, end), REGION + 5 * CHUNK);
    EXPECT_EQ(table.next_chunk_with_table(REGION + 5 * CHUNK, end), REGION + 5 * CHUNK);
    EXPECT_EQ(table.next_chunk_with_table(REGION + 6 * CHUNK, end), FAR);
    EXPECT_EQ(table.next_chunk_with_table(FAR + CHUNK, end), end);
    EXPECT_EQ(table.next_chunk_with_table(REGION + 6 * CHUNK, FAR), FAR); // nothing below `end`
    MUST(table.unmap(0, X86PageTable::USER_HALF_END, [&](VirtAddr, PteInfo const& old) { env.frames.unref(old.frame); }));
    space.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(X86Test, RangeProtectInvalidatesOnceForTheWholeRange)
{
    auto space = env.new_space();
    X86PageTable& table = env.x86(*space);
    table.activate();
    for (u64 i = 0; i < 64; ++i)
        MUST(table.map(REGION + i * P, MUST(env.frames.allocate()), rw()));
    PageAccess read_only { .writable = false, .executable = false, .accessible = true };

    // A few pages: one invlpg each, nothing more.
    env.mmu.page_invalidations = env.mmu.full_invalidations = 0;
    MUST(table.protect(REGION, REGION + 8 * P, [&](VirtAddr, PteInfo const&) { return read_only; }));
    EXPECT_EQ(env.mmu.page_invalidations, 8u);
    EXPECT_EQ(env.mmu.full_invalidations, 0u);
    // Past the threshold: one full flush instead of 56 invlpg.
    env.mmu.page_invalidations = 0;
    MUST(table.protect(REGION + 8 * P, REGION + 64 * P, [&](VirtAddr, PteInfo const&) { return read_only; }));
    EXPECT_EQ(env.mmu.page_invalidations, 0u);
    EXPECT_EQ(env.mmu.full_invalidations, 1u);
    // Nothing changed: nothing to invalidate.
    MUST(table.protect(REGION, REGION + 64 * P, [&](VirtAddr, PteInfo const&) { return read_only; }));
    EXPECT_EQ(env.mmu.full_invalidations, 1u);
    EXPECT_FALSE(table.query(REGION + 63 * P).writable);
    // A table that is not loaded has nothing in the TLB.
    env.mmu.loaded = 0;
    MUST(table.protect(REGION, REGION + 64 * P, [&](VirtAddr, PteInfo const&) { return rw(); }));
    EXPECT_EQ(env.mmu.full_invalidations, 1u);
    EXPECT_TRUE(table.query(REGION + 63 * P).writable);
    MUST(table.unmap(0, X86PageTable::USER_HALF_END, [&](VirtAddr, PteInfo const& old) { env.frames.unref(old.frame); }));
}

TEST_F(X86Test, UnmapHandsFramesBackOnlyAfterTheirInvalidation)
{
    auto space = env.new_space();
    X86PageTable& table = env.x86(*space);
    table.activate();
    for (u64 i = 0; i < 100; ++i)
        MUST(table.map(REGION + i * P, MUST(env.frames.allocate()), rw()));
    usize before = env.mmu.invalidations();
    usize released = 0;
    MUST(table.unmap(REGION, REGION + 100 * P, [&](VirtAddr, PteInfo const& old) {
        // The frame may be reused the moment it is freed: no TLB may still map it.
        EXPECT_GT(env.mmu.invalidations(), before);
        env.frames.unref(old.frame);
        ++released;
    }));
    EXPECT_EQ(released, 100u);
    env.mmu.loaded = 0;
}

TEST_F(X86Test, ATableLoadedOnOtherCpusIsShotDownThereBeforeFramesComeBack)
{
    auto space = env.new_space();
    X86PageTable& table = env.x86(*space);
    for (u64 i = 0; i < 8; ++i)
        MUST(table.map(REGION + i * P, MUST(env.frames.allocate()), rw()));
    // Not loaded on this CPU, but another thread of the address space runs on two others.
    env.mmu.loaded = 0;
    env.mmu.loaded_elsewhere = table.pml4_physical();
    env.mmu.other_cpus = 2;
    PageAccess read_only { .writable = false, .executable = false, .accessible = true };
    MUST(table.protect(REGION, REGION + 4 * P, [&](VirtAddr, PteInfo const&) { return read_only; }));
    EXPECT_EQ(env.mmu.shootdowns, 1u);
    EXPECT_EQ(env.mmu.invalidations(), 0u); // nothing of it in this CPU's TLB
    EXPECT_EQ(env.stats.tlb_shootdowns, 1u);
    EXPECT_EQ(env.stats.tlb_shootdown_cpus, 2u);
    EXPECT_EQ(env.stats.tlb_shootdown_pages, 4u);
    // Unmapping gathers the frames until the other CPUs have flushed (not "immediately", as
    // for a table loaded nowhere).
    usize released = 0;
    MUST(table.unmap(REGION, REGION + 8 * P, [&](VirtAddr, PteInfo const& old) {
        EXPECT_EQ(env.mmu.shootdowns, 2u);
        env.frames.unref(old.frame);
        ++released;
    }));
    EXPECT_EQ(released, 8u);
    env.mmu.loaded_elsewhere = 0;
}

TEST_F(X86Test, ForkSharesAFullLeafTableAndTheFirstWriteCopiesIt)
{
    auto parent = filled_parent();
    u64 free_before = env.frames.free_frames();
    auto child = MUST(fork_address_space(*parent));
    EXPECT_EQ(env.stats.page_tables_shared, 1u);
    // The child got upper-level tables only (PML4, PDPT, directory): no leaf entry was copied.
    EXPECT_EQ(free_before - env.frames.free_frames(), 3u);
    PteInfo p = parent->page_table().query(REGION + 5 * P);
    PteInfo c = child->page_table().query(REGION + 5 * P);
    EXPECT_EQ(p.frame, c.frame);
    EXPECT_TRUE(p.in_shared_table && c.in_shared_table && !p.writable && !c.writable);
    EXPECT_EQ(env.frames.ref_count(p.frame), 1u); // one reference, held by the shared table

    poke(*child, REGION + 5 * P, 200);
    EXPECT_EQ(env.stats.page_tables_copied, 1u); // the child's own copy of the table
    EXPECT_EQ(env.stats.cow_copy, 1u);
    EXPECT_EQ(peek(*parent, REGION + 5 * P), 5);
    EXPECT_EQ(peek(*child, REGION + 5 * P), 200);
    EXPECT_EQ(peek(*child, REGION + 6 * P), 6);
    // Every other frame is now held by the parent's table and the child's copy.
    EXPECT_EQ(env.frames.ref_count(parent->page_table().query(REGION + 6 * P).frame), 2u);
    // The parent is the table's last sharer: it keeps it, write-protected, and copies on write.
    poke(*parent, REGION + 6 * P, 66);
    EXPECT_EQ(env.stats.page_tables_copied, 1u);
    EXPECT_EQ(env.stats.cow_copy, 2u);
    EXPECT_EQ(peek(*child, REGION + 6 * P), 6);

    child.clear();
    parent.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(X86Test, ExitOfEitherSideLeavesTheOtherIntact)
{
    for (bool parent_first : { false, true }) {
        SCOPED_TRACE(parent_first ? "parent exits first" : "child exits first");
        auto parent = filled_parent();
        auto child = MUST(fork_address_space(*parent));
        if (parent_first)
            parent.clear();
        else
            child.clear();
        AddressSpace& survivor = parent ? *parent : *child;
        for (u64 i = 0; i < CHUNK_PAGES; i += 37)
            EXPECT_EQ(peek(survivor, REGION + i * P), u8(i));
        poke(survivor, REGION, 9); // the last sharer writes without copying the table
        EXPECT_EQ(env.stats.page_tables_copied, 0u);
        parent.clear();
        child.clear();
        EXPECT_EQ(env.frames.free_frames(), env.initial_free());
        env.stats = {};
    }
}

TEST_F(X86Test, MunmapAndMprotectAcrossASharedChunk)
{
    auto parent = filled_parent();
    auto child = MUST(fork_address_space(*parent));
    // The parent unmaps the upper half of the chunk: it needs its own copy of the table.
    MUST(parent->unmap(REGION + CHUNK / 2, CHUNK / 2));
    EXPECT_EQ(env.stats.page_tables_copied, 1u);
    EXPECT_FALSE(parent->page_table().query(REGION + CHUNK / 2).present);
    EXPECT_EQ(peek(*child, REGION + CHUNK / 2 + 3 * P), u8(CHUNK_PAGES / 2 + 3));
    // The child makes the lower half read-only: its entries change, so it copies too.
    MUST(child->protect(REGION, CHUNK / 2, VM_READ));
    EXPECT_FALSE(child->page_table().query(REGION).writable);
    EXPECT_EQ(peek(*child, REGION + 7 * P), 7);
    // The parent still writes its lower half (copy-on-write, not the child's protection).
    poke(*parent, REGION + 7 * P, 77);
    EXPECT_EQ(peek(*child, REGION + 7 * P), 7);
    parent.clear();
    child.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(X86Test, OutOfMemoryWhileMakingATablePrivateLeavesEverythingConsistent)
{
    auto parent = filled_parent();
    auto child = MUST(fork_address_space(*parent));
    take_all_frames();
    // The child's first write needs a copy of the shared table: there is no frame for it.
    EXPECT_EQ(handle_page_fault(*child, REGION + P, FaultAccess::Write), FaultResult::OutOfMemory);
    EXPECT_EQ(env.stats.page_tables_copied, 0u);
    // Nothing changed: both still read the shared table, and the parent can exit.
    EXPECT_TRUE(child->page_table().query(REGION + P).in_shared_table);
    EXPECT_EQ(peek(*child, REGION + P), 1);
    parent.clear(); // frees nothing but our share: the child keeps the table
    give_back();
    poke(*child, REGION + P, 11); // the child is now the last sharer: no copy needed
    EXPECT_EQ(peek(*child, REGION + P), 11);
    child.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(X86Test, ProtectThatChangesNothingNeedsNoMemory)
{
    auto parent = filled_parent();
    auto child = MUST(fork_address_space(*parent));
    take_all_frames();
    // Already read-only in the shared table: nothing to change, so no copy is needed.
    PageAccess read_only { .writable = false, .executable = false, .accessible = true };
    EXPECT_FALSE(
        child->page_table().protect(REGION, REGION + CHUNK, [&](VirtAddr, PteInfo const&) { return read_only; }).is_error());
    EXPECT_EQ(env.stats.page_tables_copied, 0u);
    give_back();
    child.clear();
    parent.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

// A forced write (/proc/<pid>/mem, remote_memory.h) into a PROT_READ page of a leaf table
// shared since fork: the frame's one reference is the shared table's, so it must not be
// taken for the child's own — the table is unshared and the page copied.
TEST_F(X86Test, ForcedWriteIntoASharedTableCopiesThePage)
{
    auto parent = filled_parent();
    MUST(parent->protect(REGION, CHUNK, VM_READ));
    auto child = MUST(fork_address_space(*parent));
    ASSERT_TRUE(child->page_table().query(REGION + 5 * P).in_shared_table);
    Errno error = Errno::Invalid;
    u8 value = 200;
    EXPECT_EQ(remote_write_forced(*child, REGION + 5 * P, &value, 1, error), 1u);
    EXPECT_EQ(env.stats.page_tables_copied, 1u);
    EXPECT_EQ(env.stats.cow_copy, 1u);
    EXPECT_EQ(peek(*child, REGION + 5 * P), 200);
    EXPECT_EQ(peek(*parent, REGION + 5 * P), 5);
    EXPECT_FALSE(child->page_table().query(REGION + 5 * P).writable);
    child.clear();
    parent.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}
