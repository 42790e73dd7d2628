// The page fault that runs beside others (mm/parallel_fault.h): which faults it takes and
// which it leaves to the serial path untouched, the counters, and — with real threads on the
// host's cores, over the real X86PageTable — that faults racing for the same pages and
// for the free list map each page once and lose no frame.
#include "kernel/mm/parallel_fault.h"
#include "kernel/mm/vm_trace.h"
#include "mm_test_helpers.h"
#include "tests/host/fakes/fake_pager.h"
#include <memory>
#include <thread>
#include <vector>

namespace {

constexpr VirtAddr REGION = 0x40000000; // 2 MiB aligned
constexpr u64 CHUNK_PAGES = 512;

struct ParallelFaultTest : ::testing::Test {
    MmEnvironment env { 4096, ForkMode::CopyOnWrite, TableKind::X86 };

    ParallelFault fault(AddressSpace& space, VirtAddr va, FaultAccess access = FaultAccess::Write)
    {
        return try_parallel_fault(space, va, access);
    }
};

}

TEST_F(ParallelFaultTest, AFirstWriteToPrivateMemoryIsAZeroFillHere)
{
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 4);
    poke(*space, a + 2 * P, 0x5a); // the serial path, for comparison: one zero fill
    u64 free_before = env.frames.free_frames();
    EXPECT_EQ(fault(*space, a + P + 123), ParallelFault::Handled);
    PteInfo pte = space->page_table().query(a + P);
    EXPECT_TRUE(pte.present && pte.writable);
    EXPECT_EQ(env.frames.ref_count(pte.frame), 1u);
    EXPECT_EQ(peek(*space, a + P + 123), 0);
    EXPECT_EQ(env.frames.free_frames(), free_before - 1);
    EXPECT_EQ(env.stats.zero_fill_write, 2u);
    EXPECT_EQ(env.stats.parallel_faults, 1u);
    EXPECT_EQ(env.stats.parallel_faults_raced, 0u);
}

TEST_F(ParallelFaultTest, AFirstReadSharesTheZeroFrameHere)
{
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2);
    u32 zero_refs = env.frames.ref_count(env.context.zero_frame);
    u64 free_before = env.frames.free_frames();
    EXPECT_EQ(fault(*space, a, FaultAccess::Read), ParallelFault::Handled);
    PteInfo pte = space->page_table().query(a);
    EXPECT_TRUE(pte.present && !pte.writable);
    EXPECT_EQ(pte.frame, env.context.zero_frame);
    EXPECT_EQ(env.frames.ref_count(env.context.zero_frame), zero_refs + 1);
    EXPECT_EQ(env.frames.free_frames() + 3, free_before); // the page-table pages, no frame
    EXPECT_EQ(env.stats.zero_fill_read, 1u);
    EXPECT_EQ(env.stats.parallel_faults, 1u);
    // The write after it finds the zero frame present: serial work (a zero fill over it).
    EXPECT_EQ(fault(*space, a), ParallelFault::NotHere);
    poke(*space, a, 7);
    EXPECT_EQ(env.frames.ref_count(env.context.zero_frame), zero_refs);
    EXPECT_EQ(peek(*space, a), 7);
}

TEST_F(ParallelFaultTest, EverythingElseIsLeftToTheSerialPathUnchanged)
{
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 4);
    VirtAddr none = map_private(*space, 1, VM_NONE);
    VirtAddr read_only = map_private(*space, 1, VM_READ);
    VirtAddr shared = MUST(space->map_anonymous(0, P, RW, true, MapPlacement::Anywhere, ""));
    (void)peek(*space, a); // the zero frame, read-only: a write to it is serial work
    u64 free_before = env.frames.free_frames();
    u64 faults_before = env.stats.page_faults;

    EXPECT_EQ(fault(*space, a + P, FaultAccess::Execute), ParallelFault::NotHere);
    EXPECT_EQ(fault(*space, a), ParallelFault::NotHere); // present: the zero frame
    EXPECT_EQ(fault(*space, read_only), ParallelFault::NotHere); // a write where none is allowed
    EXPECT_EQ(fault(*space, none, FaultAccess::Read), ParallelFault::NotHere);
    EXPECT_EQ(fault(*space, shared), ParallelFault::NotHere); // has a page cache
    EXPECT_EQ(fault(*space, shared, FaultAccess::Read), ParallelFault::NotHere);
    EXPECT_EQ(fault(*space, a + 64 * P), ParallelFault::NotHere); // no mapping
    EXPECT_EQ(fault(*space, USER_TOP), ParallelFault::NotHere);

    EXPECT_EQ(env.frames.free_frames(), free_before);
    EXPECT_EQ(env.stats.page_faults, faults_before);
    EXPECT_EQ(env.stats.parallel_faults, 0u);
    EXPECT_FALSE(space->page_table().query(a + P).present);
}

TEST_F(ParallelFaultTest, ALeafTableSharedSinceForkIsRefusedAndTheFrameGoesBack)
{
    auto parent = env.new_space();
    MUST(parent->map_anonymous(REGION, CHUNK_PAGES * P, RW, false, MapPlacement::Fixed, ""));
    for (u64 i = 0; i + 1 < CHUNK_PAGES; ++i) // all but the last page: a well-filled table
        poke(*parent, REGION + i * P, 1);
    auto child = MUST(fork_address_space(*parent));
    ASSERT_EQ(env.stats.page_tables_shared, 1u);
    u64 free_before = env.frames.free_frames();
    EXPECT_EQ(fault(*child, REGION + (CHUNK_PAGES - 1) * P), ParallelFault::NotHere);
    EXPECT_EQ(env.frames.free_frames(), free_before);
    EXPECT_EQ(env.stats.page_tables_copied, 0u); // copying the table is the serial path's
    EXPECT_FALSE(child->page_table().query(REGION + (CHUNK_PAGES - 1) * P).present);
}

TEST_F(ParallelFaultTest, ATracedOrLowMemoryFaultIsSerial)
{
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2);
    g_vm_trace_enabled = true;
    EXPECT_EQ(fault(*space, a), ParallelFault::NotHere);
    g_vm_trace_enabled = false;
    std::vector<FrameNumber> hoard;
    while (env.frames.user_free_frames() > 8)
        hoard.push_back(MUST(env.frames.allocate()));
    EXPECT_EQ(fault(*space, a), ParallelFault::NotHere); // reclaim first: serial work
    for (FrameNumber frame : hoard)
        env.frames.unref(frame);
    EXPECT_EQ(fault(*space, a), ParallelFault::Handled);
}

// Two threads (on two host cores when the machine has them) fault every page of one range,
// both in the same order, so most pages are raced for: each page gets one frame, the loser
// of each race gives its frame back (or, finding the page mapped at its first look, leaves
// it to the serial path, which would call it spurious), and the counters add up.
TEST_F(ParallelFaultTest, ThreadsRacingForThePagesOfOneSpaceMapEachOnce)
{
    auto space = env.new_space();
    constexpr u64 PAGES = 3 * CHUNK_PAGES; // several leaf tables, made as the faults go
    MUST(space->map_anonymous(REGION, PAGES * P, RW, false, MapPlacement::Fixed, ""));
    u64 free_before = env.frames.free_frames();
    std::atomic<bool> go { false };
    auto run = [&] {
        while (!go.load()) { }
        for (u64 i = 0; i < PAGES; ++i) {
            if (fault(*space, REGION + i * P) != ParallelFault::Handled) { // only when the other was first
                EXPECT_TRUE(space->page_table().query(REGION + i * P).present);
            }
        }
    };
    std::thread first(run), second(run);
    go = true;
    first.join();
    second.join();
    EXPECT_EQ(env.stats.zero_fill_write, PAGES);
    EXPECT_EQ(env.stats.parallel_faults, PAGES);
    EXPECT_EQ(env.stats.page_faults, PAGES + env.stats.parallel_faults_raced);
    // One frame per page, plus the page-table pages: the leaf tables and the upper levels.
    EXPECT_EQ(free_before - env.frames.free_frames(), PAGES + 3 + 2);
    for (u64 i = 0; i < PAGES; ++i)
        EXPECT_EQ(env.frames.ref_count(space->page_table().query(REGION + i * P).frame), 1u);
}

// The same with reads: each page maps the zero frame once, and its count — raised by both
// threads at once — comes out exactly one per page.
TEST_F(ParallelFaultTest, ThreadsReadingTheSamePagesRefTheZeroFrameOncePerPage)
{
    auto space = env.new_space();
    constexpr u64 PAGES = 2 * CHUNK_PAGES;
    MUST(space->map_anonymous(REGION, PAGES * P, RW, false, MapPlacement::Fixed, ""));
    u32 zero_refs = env.frames.ref_count(env.context.zero_frame);
    std::atomic<bool> go { false };
    auto run = [&] {
        while (!go.load()) { }
        for (u64 i = 0; i < PAGES; ++i)
            (void)fault(*space, REGION + i * P, FaultAccess::Read);
    };
    std::thread first(run), second(run);
    go = true;
    first.join();
    second.join();
    EXPECT_EQ(env.stats.zero_fill_read, PAGES);
    EXPECT_EQ(env.frames.ref_count(env.context.zero_frame), zero_refs + PAGES);
    for (u64 i = 0; i < PAGES; ++i)
        EXPECT_EQ(space->page_table().query(REGION + i * P).frame, env.context.zero_frame);
}

namespace {

// File mappings: a page the cache holds is served here; what would change the cache is not.
struct ParallelFileFaultTest : ParallelFaultTest {
    std::unique_ptr<FakePager> pager;
    RefPtr<PageCache> cache;

    void open_file(u64 pages, bool backed = true)
    {
        pager = std::make_unique<FakePager>(backed);
        pager->fill(pages * P);
        cache = MUST(PageCache::create(env.context, *pager, pages * P));
    }
    VirtAddr map_file(AddressSpace& space, u64 pages, bool shared, VirtAddr at = REGION)
    {
        return MUST(space.map_file(at, pages * P, RW, shared, MapPlacement::Fixed, cache, 0, "file"));
    }
    // Brings pages [first, first+count) into the cache the way read() would, without mapping them.
    void cache_pages(u64 first, u64 count)
    {
        std::vector<u8> bytes(count * P);
        EXPECT_EQ(MUST(cache->read(first * P, bytes.data(), bytes.size())), bytes.size());
    }
    FrameNumber cache_frame(u64 index)
    {
        FrameNumber frame = 0;
        EXPECT_TRUE(cache->find_page(index, frame));
        return frame;
    }
};

}

TEST_F(ParallelFileFaultTest, AReadOfACachedPageMapsTheCacheFrameAndItsNeighbours)
{
    open_file(32);
    cache_pages(0, 32);
    u64 reads = pager->reads;
    auto space = env.new_space();
    VirtAddr a = map_file(*space, 32, false);
    EXPECT_EQ(fault(*space, a + 3 * P + 5, FaultAccess::Read), ParallelFault::Handled);
    PteInfo pte = space->page_table().query(a + 3 * P);
    EXPECT_TRUE(pte.present && !pte.writable);
    EXPECT_EQ(pte.frame, cache_frame(3));
    EXPECT_EQ(peek(*space, a + 3 * P + 5), FakePager::pattern(3 * P + 5));
    // Fault-around, as the serial path's: the aligned window of 16 pages, all cached.
    for (u64 i = 0; i < 32; ++i) {
        EXPECT_EQ(space->page_table().query(a + i * P).present, i < 16) << i;
        EXPECT_EQ(env.frames.ref_count(cache_frame(i)), i < 16 ? 2u : 1u) << i;
    }
    EXPECT_EQ(pager->reads, reads); // no I/O
    EXPECT_EQ(env.stats.file_faults, 1u);
    EXPECT_EQ(env.stats.parallel_file_faults, 1u);
    EXPECT_EQ(env.stats.parallel_faults, 0u); // that counter is the zero fills'
}

TEST_F(ParallelFileFaultTest, AnInstructionFetchOfACachedPageIsServedHereToo)
{
    open_file(1);
    cache_pages(0, 1);
    auto space = env.new_space();
    VirtAddr a = MUST(space->map_file(REGION, P, VM_READ | VM_EXEC, false, MapPlacement::Fixed, cache, 0, "text"));
    EXPECT_EQ(fault(*space, a, FaultAccess::Execute), ParallelFault::Handled);
    EXPECT_EQ(space->page_table().query(a).frame, cache_frame(0));
}

TEST_F(ParallelFileFaultTest, APrivateWriteCopiesTheCachedPageAndTheFileStays)
{
    open_file(2);
    cache_pages(0, 2);
    auto space = env.new_space();
    VirtAddr a = map_file(*space, 2, false);
    u64 free_before = env.frames.free_frames();
    EXPECT_EQ(fault(*space, a + P), ParallelFault::Handled);
    PteInfo pte = space->page_table().query(a + P);
    EXPECT_TRUE(pte.present && pte.writable);
    EXPECT_NE(pte.frame, cache_frame(1));
    EXPECT_EQ(env.frames.ref_count(pte.frame), 1u);
    EXPECT_EQ(env.frames.ref_count(cache_frame(1)), 1u); // the cache's own only
    EXPECT_EQ(peek(*space, a + P + 9), FakePager::pattern(P + 9));
    poke(*space, a + P + 9, 0);
    u8 byte = 0xee;
    EXPECT_EQ(MUST(cache->read(P + 9, &byte, 1)), 1u);
    EXPECT_EQ(byte, FakePager::pattern(P + 9));
    EXPECT_FALSE(space->page_table().query(a).present); // a write maps no neighbours
    EXPECT_EQ(env.frames.free_frames() + 3 + 1, free_before); // the tables and the copy
    EXPECT_EQ(env.stats.file_cow, 1u);
    EXPECT_EQ(env.stats.parallel_file_faults, 1u);
}

TEST_F(ParallelFileFaultTest, WhatWouldChangeTheCacheIsLeftToTheSerialPath)
{
    open_file(40);
    auto space = env.new_space();
    VirtAddr a = map_file(*space, 40, false);
    VirtAddr shared = map_file(*space, 40, true, REGION + 64 * P);
    u64 faults = env.stats.page_faults;
    EXPECT_EQ(fault(*space, a, FaultAccess::Read), ParallelFault::NotHere); // a miss: a read
    // The serial fault reads a window ahead (read_ahead.h); its pages are read-ahead pages
    // until used, and one of them is the marker where the next window is read.
    EXPECT_EQ(handle_page_fault(*space, a, FaultAccess::Read), FaultResult::Handled);
    u64 marker = 0;
    while (marker < 40 && !cache->is_read_ahead_marker(marker))
        ++marker;
    ASSERT_LT(marker, 40u);
    ASSERT_FALSE(space->page_table().query(a + marker * P).present);
    EXPECT_EQ(fault(*space, a + marker * P, FaultAccess::Read), ParallelFault::NotHere);
    EXPECT_TRUE(cache->is_read_ahead_marker(marker));
    cache_pages(0, 40);
    EXPECT_EQ(fault(*space, shared, FaultAccess::Write), ParallelFault::NotHere); // the page becomes dirty
    EXPECT_FALSE(cache->is_dirty(0));
    cache->set_size(10 * P);
    EXPECT_EQ(fault(*space, a + 20 * P, FaultAccess::Read), ParallelFault::NotHere); // past the end: SIGBUS
    EXPECT_EQ(env.stats.page_faults, faults + 1);
    EXPECT_EQ(env.stats.parallel_file_faults, 0u);
}

TEST_F(ParallelFileFaultTest, ASharedWriteOfMemoryWithoutBackingIsServedHere)
{
    open_file(1, false); // tmpfs: nothing to write back, so nothing to note
    u8 byte = 1;
    EXPECT_EQ(MUST(cache->write(0, &byte, 1)), 1u); // a hole reads as zeros: a write makes the page
    auto space = env.new_space();
    VirtAddr a = map_file(*space, 1, true);
    EXPECT_EQ(fault(*space, a), ParallelFault::Handled);
    PteInfo pte = space->page_table().query(a);
    EXPECT_TRUE(pte.present && pte.writable);
    EXPECT_EQ(pte.frame, cache_frame(0));
}

// Two address spaces (two processes), one thread each, read every page of one cached file
// at once: each page is mapped once in each space, and the cache frame's count — raised by
// both at once — ends at the cache's reference plus one per space.
TEST_F(ParallelFileFaultTest, TwoProcessesReadingOneFileAtOnceCountEachMappingOnce)
{
    constexpr u64 PAGES = 2 * CHUNK_PAGES;
    open_file(PAGES);
    cache_pages(0, PAGES);
    auto first_space = env.new_space(), second_space = env.new_space();
    map_file(*first_space, PAGES, false);
    map_file(*second_space, PAGES, false);
    std::atomic<bool> go { false };
    auto run = [&](AddressSpace& space) {
        while (!go.load()) { }
        for (u64 i = 0; i < PAGES; ++i)
            (void)fault(space, REGION + i * P, FaultAccess::Read);
    };
    std::thread first(run, std::ref(*first_space)), second(run, std::ref(*second_space));
    go = true;
    first.join();
    second.join();
    EXPECT_EQ(env.stats.parallel_file_faults, 2 * PAGES / 16); // one a fault-around window
    for (u64 i = 0; i < PAGES; ++i) {
        EXPECT_EQ(first_space->page_table().query(REGION + i * P).frame, cache_frame(i));
        EXPECT_EQ(second_space->page_table().query(REGION + i * P).frame, cache_frame(i));
        EXPECT_EQ(env.frames.ref_count(cache_frame(i)), 3u) << i;
    }
}
