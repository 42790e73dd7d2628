// mremap (kernel/mm/remap.cpp): shrink, grow in place, move by carrying page-table entries
// over, MREMAP_FIXED and MREMAP_DONTUNMAP, the errnos, and what happens under fork and out
// of memory — contents, frames and refcounts checked.
#include "mm_test_helpers.h"
#include <vector>

namespace {

RemapRequest request(VirtAddr from, u64 old_pages, u64 new_pages, bool may_move = false)
{
    return RemapRequest { .old_start = from,
        .old_length = old_pages * P,
        .new_length = new_pages * P,
        .may_move = may_move,
        .fixed = false,
        .keep_old = false,
        .new_start = 0 };
}

Errno error_of(Result<VirtAddr> result) { return result.is_error() ? result.error() : Errno {}; }

}

TEST(Remap, ShrinkUnmapsTheTail)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 4);
    for (u64 i = 0; i < 4; ++i)
        poke(*space, a + i * P, u8(i + 1));
    EXPECT_EQ(MUST(space->remap(request(a, 4, 1))), a);
    EXPECT_EQ(peek(*space, a), 1);
    EXPECT_EQ(space->find_mapping(a + P), nullptr);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free() - 1);
}

TEST(Remap, GrowsInPlaceWhenTheGapAllows)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2, RW, 0x400000);
    poke(*space, a, 7);
    EXPECT_EQ(MUST(space->remap(request(a, 2, 5))), a);
    Mapping const* grown = space->find_mapping(a + 4 * P);
    ASSERT_NE(grown, nullptr);
    EXPECT_EQ(grown->start(), a);
    EXPECT_EQ(grown->end(), a + 5 * P);
    EXPECT_EQ(peek(*space, a), 7);
    poke(*space, a + 4 * P, 9);
}

TEST(Remap, MovesEntriesWithoutCopyingFrames)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 3, RW, 0x400000);
    map_private(*space, 1, RW, a + 3 * P); // no room to grow in place
    for (u64 i = 0; i < 3; ++i)
        poke(*space, a + i * P, u8(10 + i));
    FrameNumber frames[3];
    for (u64 i = 0; i < 3; ++i)
        frames[i] = space->page_table().query(a + i * P).frame;
    u64 free_before = env.frames.free_frames(), zero_fills = env.stats.zero_fill_write;

    EXPECT_EQ(error_of(space->remap(request(a, 3, 6))), Errno::NoMemory); // no MREMAP_MAYMOVE
    VirtAddr b = MUST(space->remap(request(a, 3, 6, true)));
    EXPECT_NE(b, a);
    EXPECT_EQ(space->find_mapping(a), nullptr);
    for (u64 i = 0; i < 3; ++i) {
        PteInfo pte = space->page_table().query(b + i * P);
        EXPECT_TRUE(pte.present);
        EXPECT_EQ(pte.frame, frames[i]); // the same frame: moved, not copied
        EXPECT_EQ(env.frames.ref_count(pte.frame), 1u);
        EXPECT_EQ(peek(*space, b + i * P), 10 + i);
    }
    EXPECT_EQ(env.frames.free_frames(), free_before);
    EXPECT_EQ(env.stats.zero_fill_write, zero_fills);
    poke(*space, b + 5 * P, 1); // the grown part is fresh memory
    EXPECT_EQ(env.stats.zero_fill_write, zero_fills + 1);
}

TEST(Remap, FixedReplacesTheTarget)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 1, RW, 0x400000);
    VirtAddr target = map_private(*space, 2, RW, 0x800000);
    poke(*space, a, 1);
    poke(*space, target, 2);
    RemapRequest fixed = request(a, 1, 1, true);
    fixed.fixed = true;
    fixed.new_start = target;
    EXPECT_EQ(MUST(space->remap(fixed)), target);
    EXPECT_EQ(peek(*space, target), 1);
    EXPECT_EQ(space->find_mapping(a), nullptr);
    ASSERT_NE(space->find_mapping(target + P), nullptr); // the rest of the target stays
    EXPECT_EQ(peek(*space, target + P), 0);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free() - 1); // the target's own page went back
}

TEST(Remap, DontUnmapLeavesTheOldRangeEmpty)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 1, RW, 0x400000);
    poke(*space, a, 5);
    RemapRequest keep = request(a, 1, 1, true);
    keep.keep_old = true;
    VirtAddr b = MUST(space->remap(keep));
    EXPECT_NE(b, a);
    EXPECT_EQ(peek(*space, b), 5);
    ASSERT_NE(space->find_mapping(a), nullptr);
    EXPECT_FALSE(space->page_table().query(a).present);
    EXPECT_EQ(peek(*space, a), 0); // demand zero again
}

TEST(Remap, ErrorsAreLinuxErrnos)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2, RW, 0x400000);
    EXPECT_EQ(error_of(space->remap(request(0x10000000, 1, 2, true))), Errno::BadAddress); // nothing mapped
    EXPECT_EQ(error_of(space->remap(request(a, 3, 4, true))), Errno::BadAddress); // runs past the mapping
    EXPECT_EQ(error_of(space->remap(request(a, 0, 1, true))), Errno::Invalid); // a copy of private memory
    EXPECT_EQ(error_of(space->remap(request(a, 1, USER_TOP / P + 1, true))), Errno::Invalid);
    RemapRequest overlap = request(a, 2, 2, true);
    overlap.fixed = true;
    overlap.new_start = a + P;
    EXPECT_EQ(error_of(space->remap(overlap)), Errno::Invalid);
    overlap.new_start = a + 0x10000 + 1;
    EXPECT_EQ(error_of(space->remap(overlap)), Errno::Invalid); // unaligned
    RemapRequest resize = request(a, 1, 2, true);
    resize.keep_old = true;
    EXPECT_EQ(error_of(space->remap(resize)), Errno::Invalid); // DONTUNMAP does not resize
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST(Remap, SharedMemoryGetsASecondMapping)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = MUST(space->map_anonymous(0, 2 * P, RW, true, MapPlacement::Anywhere, ""));
    poke(*space, a + P, 3);
    VirtAddr b = MUST(space->remap(request(a, 0, 2, true)));
    EXPECT_NE(b, a);
    EXPECT_EQ(peek(*space, b + P), 3);
    poke(*space, b, 4);
    EXPECT_EQ(peek(*space, a), 4); // one memory, two mappings
}

TEST(Remap, MoveAfterForkKeepsCopyOnWrite)
{
    MmEnvironment env;
    auto parent = env.new_space();
    VirtAddr a = map_private(*parent, 2, RW, 0x400000);
    poke(*parent, a, 1);
    auto child = MUST(fork_address_space(*parent));
    FrameNumber shared = parent->page_table().query(a).frame;
    EXPECT_EQ(env.frames.ref_count(shared), 2u);
    map_private(*parent, 1, RW, a + 2 * P);
    VirtAddr moved = MUST(parent->remap(request(a, 2, 4, true)));
    EXPECT_EQ(parent->page_table().query(moved).frame, shared);
    EXPECT_EQ(env.frames.ref_count(shared), 2u); // still one reference each
    poke(*parent, moved, 9); // copy-on-write, as before the move
    EXPECT_EQ(env.stats.cow_copy, 1u);
    EXPECT_EQ(peek(*child, a), 1);
    child.clear();
    parent.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST(Remap, MoveThroughSharedLeafTablesKeepsRefcounts)
{
    MmEnvironment env(2048, ForkMode::CopyOnWrite, TableKind::X86);
    auto parent = env.new_space();
    constexpr u64 pages = 512; // one whole leaf table, shared at fork
    VirtAddr a = map_private(*parent, pages, RW, 0x40000000);
    for (u64 i = 0; i < pages; ++i)
        poke(*parent, a + i * P, u8(i));
    auto child = MUST(fork_address_space(*parent));
    map_private(*parent, 1, RW, a + pages * P);
    VirtAddr moved = MUST(parent->remap(request(a, pages, pages + 1, true)));
    for (u64 i = 0; i < pages; i += 97) {
        EXPECT_EQ(peek(*parent, moved + i * P), u8(i));
        EXPECT_EQ(peek(*child, a + i * P), u8(i));
        EXPECT_EQ(env.frames.ref_count(parent->page_table().query(moved + i * P).frame), 2u);
    }
    child.clear();
    parent.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST(Remap, OutOfPageTablesChangesNothing)
{
    MmEnvironment env(64, ForkMode::CopyOnWrite, TableKind::X86);
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2, RW, 0x400000);
    poke(*space, a, 1);
    poke(*space, a + P, 2);
    u64 free_before = env.frames.free_frames();
    // Far away, so the move needs new upper-level tables; there are none left.
    std::vector<FrameNumber> taken;
    while (env.frames.free_frames() > 0)
        taken.push_back(MUST(env.frames.allocate()));
    RemapRequest far = request(a, 2, 2, true);
    far.fixed = true;
    far.new_start = 0x500000000000;
    EXPECT_EQ(error_of(space->remap(far)), Errno::NoMemory);
    for (FrameNumber frame : taken)
        env.frames.unref(frame);
    EXPECT_EQ(env.frames.free_frames(), free_before);
    EXPECT_EQ(peek(*space, a), 1);
    EXPECT_EQ(peek(*space, a + P), 2);
    EXPECT_EQ(space->find_mapping(far.new_start), nullptr);
}
