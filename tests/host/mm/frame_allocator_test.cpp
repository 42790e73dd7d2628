#include "kernel/mm/frame_allocator.h"
#include <gtest/gtest.h>
#include <memory>
#include <set>
#include <vector>

namespace {

struct Allocator64 {
    static constexpr FrameNumber BASE = 1000;
    Frame table[64];
    FrameAllocator frames { table, BASE, 64 };
};

}

TEST(FrameAllocator, StartsReservedAndEmpty)
{
    Allocator64 a;
    EXPECT_EQ(a.frames.total_frames(), 0u);
    EXPECT_EQ(a.frames.free_frames(), 0u);
    EXPECT_EQ(a.frames.frame(1000).flags, Frame::Reserved);
    auto result = a.frames.allocate();
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::NoMemory);
}

TEST(FrameAllocator, AllocateAllThenNoMemoryThenFree)
{
    Allocator64 a;
    a.frames.add_free_range(1000, 64);
    EXPECT_EQ(a.frames.total_frames(), 64u);
    std::set<FrameNumber> seen;
    for (int i = 0; i < 64; ++i) {
        auto result = a.frames.allocate();
        ASSERT_FALSE(result.is_error());
        FrameNumber frame = result.value();
        EXPECT_GE(frame, 1000u);
        EXPECT_LT(frame, 1064u);
        EXPECT_EQ(a.frames.ref_count(frame), 1u);
        EXPECT_TRUE(seen.insert(frame).second) << "frame handed out twice";
    }
    EXPECT_EQ(a.frames.free_frames(), 0u);
    auto exhausted = a.frames.allocate();
    ASSERT_TRUE(exhausted.is_error());
    EXPECT_EQ(exhausted.error(), Errno::NoMemory);

    for (FrameNumber frame : seen)
        a.frames.unref(frame);
    EXPECT_EQ(a.frames.free_frames(), 64u);
    EXPECT_FALSE(a.frames.allocate().is_error());
}

TEST(FrameAllocator, HandsOutAscendingFrames)
{
    Allocator64 a;
    a.frames.add_free_range(1010, 4);
    EXPECT_EQ(MUST(a.frames.allocate()), 1010u);
    EXPECT_EQ(MUST(a.frames.allocate()), 1011u);
    EXPECT_EQ(a.frames.frame(1000).flags, Frame::Reserved); // outside the free range
}

TEST(FrameAllocator, RefcountFreesAtZeroOnly)
{
    Allocator64 a;
    a.frames.add_free_range(1000, 2);
    FrameNumber frame = MUST(a.frames.allocate());
    a.frames.ref(frame);
    a.frames.ref(frame);
    EXPECT_EQ(a.frames.ref_count(frame), 3u);
    a.frames.unref(frame);
    a.frames.unref(frame);
    EXPECT_EQ(a.frames.free_frames(), 1u);
    a.frames.unref(frame);
    EXPECT_EQ(a.frames.free_frames(), 2u);
    EXPECT_TRUE(a.frames.frame(frame).flags & Frame::Free);
}

TEST(FrameAllocator, ReservedAndZeroFramesAreNeverFreed)
{
    Allocator64 a;
    a.frames.add_free_range(1001, 2);
    a.frames.ref(1000); // reserved: ignored
    a.frames.unref(1000);
    EXPECT_EQ(a.frames.free_frames(), 2u);
    EXPECT_EQ(a.frames.frame(1000).flags, Frame::Reserved);

    FrameNumber zero = MUST(a.frames.allocate());
    a.frames.mark_zero(zero);
    EXPECT_TRUE(a.frames.is_zero(zero));
    a.frames.ref(zero);
    a.frames.unref(zero);
    a.frames.unref(zero); // count reaches 0, but the zero frame stays
    EXPECT_EQ(a.frames.free_frames(), 1u);
    EXPECT_FALSE(a.frames.frame(zero).flags & Frame::Free);
}

TEST(FrameAllocator, FreeListThreadsThroughFrameRecords)
{
    Allocator64 a;
    a.frames.add_free_range(1000, 3);
    EXPECT_EQ(a.frames.frame(1000).next_free, 1001u);
    EXPECT_EQ(a.frames.frame(1001).next_free, 1002u);
}

// The reserve: user frames stop at it, kernel frames may take it; both are counted.
TEST(FrameAllocator, UserFramesStopAtTheReserveKernelFramesMayTakeIt)
{
    Allocator64 a;
    a.frames.add_free_range(1000, 64);
    a.frames.set_reserve(8);
    EXPECT_EQ(a.frames.reserve(), 8u);
    EXPECT_EQ(a.frames.user_free_frames(), 56u);
    std::vector<FrameNumber> user;
    for (int i = 0; i < 56; ++i)
        user.push_back(MUST(a.frames.allocate(FrameUse::User)));
    EXPECT_EQ(a.frames.free_frames(), 8u);
    EXPECT_EQ(a.frames.user_free_frames(), 0u);
    auto refused = a.frames.allocate(FrameUse::User);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error(), Errno::NoMemory);
    EXPECT_EQ(a.frames.reserve_refusals(), 1u);
    EXPECT_EQ(a.frames.free_frames(), 8u) << "a refused allocation takes nothing";

    std::vector<FrameNumber> kernel;
    for (int i = 0; i < 8; ++i)
        kernel.push_back(MUST(a.frames.allocate(FrameUse::Kernel)));
    EXPECT_EQ(a.frames.reserve_allocations(), 8u);
    EXPECT_TRUE(a.frames.allocate().is_error()) << "the reserve is used up: nothing left at all";

    // Freeing user frames gives user allocations room again only above the reserve.
    a.frames.unref(user.back());
    user.pop_back();
    EXPECT_TRUE(a.frames.allocate(FrameUse::User).is_error());
    for (FrameNumber frame : kernel)
        a.frames.unref(frame);
    EXPECT_EQ(a.frames.user_free_frames(), 1u);
    user.push_back(MUST(a.frames.allocate(FrameUse::User)));
    EXPECT_EQ(a.frames.reserve_refusals(), 2u);
    for (FrameNumber frame : user)
        a.frames.unref(frame);
    EXPECT_EQ(a.frames.free_frames(), 64u);
}

TEST(FrameAllocator, KernelAllocationsAboveTheReserveAreNotCountedAsUsingIt)
{
    Allocator64 a;
    a.frames.add_free_range(1000, 64);
    a.frames.set_reserve(60);
    for (int i = 0; i < 4; ++i)
        (void)MUST(a.frames.allocate());
    EXPECT_EQ(a.frames.reserve_allocations(), 0u);
    (void)MUST(a.frames.allocate());
    EXPECT_EQ(a.frames.reserve_allocations(), 1u);
}

TEST(FrameAllocator, DefaultReserveScalesWithMemoryWithinBounds)
{
    EXPECT_EQ(FrameAllocator::default_reserve(1024), 64u); // 4 MiB of RAM: the floor
    EXPECT_EQ(FrameAllocator::default_reserve(24576), 192u); // 96 MiB: 1/128
    EXPECT_EQ(FrameAllocator::default_reserve(1u << 20), 1024u); // 4 GiB: the ceiling
}

TEST(FrameAllocator, PageTableFramesCountsAllocatedTablesOnce)
{
    Allocator64 a;
    a.frames.add_free_range(1000, 64);
    EXPECT_EQ(a.frames.page_table_frames(), 0u);
    FrameNumber table = MUST(a.frames.allocate());
    FrameNumber data = MUST(a.frames.allocate());
    a.frames.frame(table).flags |= Frame::PageTable;
    EXPECT_EQ(a.frames.page_table_frames(), 1u);
    a.frames.ref(table); // shared by a second address space: still one frame of memory
    EXPECT_EQ(a.frames.page_table_frames(), 1u);
    a.frames.unref(table);
    a.frames.unref(table); // freed: the flag goes with it
    EXPECT_EQ(a.frames.page_table_frames(), 0u);
    FrameNumber again = MUST(a.frames.allocate());
    EXPECT_EQ(again, table);
    EXPECT_EQ(a.frames.page_table_frames(), 0u);
    a.frames.unref(again);
    a.frames.unref(data);
}
