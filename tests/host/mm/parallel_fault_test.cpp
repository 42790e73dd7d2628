// The page fault that runs beside others (mm/parallel_fault.h): which faults it takes and
// which it leaves to the serial path untouched, the counters, and — with real threads on the
// host's cores, over the real X86PageTable — that faults racing for the same pages and
// for the free list map each page once and lose no frame.
#include "kernel/mm/parallel_fault.h"
#include "kernel/mm/vm_trace.h"
#include "mm_test_helpers.h"
#include <thread>
#include <vector>

namespace {

constexpr VirtAddr REGION = 0x40000000; // 2 MiB aligned
constexpr u64 CHUNK_PAGES = 512;

struct ParallelFaultTest : ::testing::Test {
    MmEnvironment env { 4096, ForkMode::CopyOnWrite, TableKind::X86 };

    ParallelFault fault(AddressSpace& space, VirtAddr va, FaultAccess access = FaultAccess::Write)
    {
        return try_parallel_anonymous_fault(space, va, access);
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

TEST_F(ParallelFaultTest, EverythingElseIsLeftToTheSerialPathUnchanged)
{
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 4);
    VirtAddr read_only = map_private(*space, 1, VM_READ);
    VirtAddr shared = MUST(space->map_anonymous(0, P, RW, true, MapPlacement::Anywhere, ""));
    (void)peek(*space, a); // the zero frame, read-only: a write to it is serial work
    u64 free_before = env.frames.free_frames();
    u64 faults_before = env.stats.page_faults;

    EXPECT_EQ(fault(*space, a + P, FaultAccess::Read), ParallelFault::NotHere);
    EXPECT_EQ(fault(*space, a + P, FaultAccess::Execute), ParallelFault::NotHere);
    EXPECT_EQ(fault(*space, a), ParallelFault::NotHere); // present: the zero frame
    EXPECT_EQ(fault(*space, read_only), ParallelFault::NotHere);
    EXPECT_EQ(fault(*space, shared), ParallelFault::NotHere); // has a page cache
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
