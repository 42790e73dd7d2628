// fork(): copy-on-write and eager copy, checked by contents, counters and frame counts.
#include "mm_test_helpers.h"

TEST(Fork, ThenChildWriteCopiesOnePage)
{
    MmEnvironment env;
    auto parent = env.new_space();
    VirtAddr a = map_private(*parent, 4);
    for (u64 i = 0; i < 4; ++i)
        poke(*parent, a + i * P, u8(10 + i));
    u64 free_before_fork = env.frames.free_frames();

    auto child = MUST(fork_address_space(*parent));
    EXPECT_EQ(env.stats.forks, 1u);
    EXPECT_EQ(env.frames.free_frames(), free_before_fork); // nothing copied
    for (u64 i = 0; i < 4; ++i) {
        PteInfo p = parent->page_table().query(a + i * P);
        PteInfo c = child->page_table().query(a + i * P);
        EXPECT_EQ(p.frame, c.frame);
        EXPECT_FALSE(p.writable);
        EXPECT_FALSE(c.writable);
        EXPECT_EQ(env.frames.ref_count(p.frame), 2u);
    }

    poke(*child, a + P, 99);
    EXPECT_EQ(env.stats.cow_copy, 1u);
    EXPECT_EQ(env.stats.cow_reuse, 0u);
    EXPECT_EQ(env.frames.free_frames(), free_before_fork - 1);
    // Isolation both ways.
    EXPECT_EQ(peek(*parent, a + P), 11);
    EXPECT_EQ(peek(*child, a + P), 99);
    EXPECT_EQ(peek(*child, a + 2 * P), 12);
    poke(*parent, a + 2 * P, 55); // still shared with the child: the parent copies too
    EXPECT_EQ(env.stats.cow_copy, 2u);
    EXPECT_EQ(peek(*child, a + 2 * P), 12);
    EXPECT_EQ(peek(*parent, a + 2 * P), 55);
    // The parent's page 1 is no longer shared (the child copied): writing reuses it.
    poke(*parent, a + P, 7);
    EXPECT_EQ(env.stats.cow_reuse, 1u);
    EXPECT_EQ(peek(*child, a + P), 99);
}

TEST(Fork, ParentWritesAfterChildDestroyedReuse)
{
    MmEnvironment env;
    auto parent = env.new_space();
    VirtAddr a = map_private(*parent, 3);
    for (u64 i = 0; i < 3; ++i)
        poke(*parent, a + i * P, 1);
    u64 free_before = env.frames.free_frames();
    {
        auto child = MUST(fork_address_space(*parent));
    }
    EXPECT_EQ(env.frames.free_frames(), free_before);
    for (u64 i = 0; i < 3; ++i)
        poke(*parent, a + i * P, 2);
    EXPECT_EQ(env.stats.cow_reuse, 3u);
    EXPECT_EQ(env.stats.cow_copy, 0u);
    EXPECT_EQ(env.frames.free_frames(), free_before);
}

TEST(Fork, ReadOnlyZeroAndSharedPagesAreSharedAsTheyAre)
{
    MmEnvironment env;
    auto parent = env.new_space();
    VirtAddr text = map_private(*parent, 1, RW, 0x400000);
    poke(*parent, text, 0xc3);
    ASSERT_FALSE(parent->protect(text, P, VM_READ | VM_EXEC).is_error());
    VirtAddr zero = map_private(*parent, 1, RW, 0x500000);
    EXPECT_EQ(peek(*parent, zero), 0);
    VirtAddr shared = MUST(parent->map_anonymous(0x600000, 2 * P, RW, true, MapPlacement::Fixed, ""));
    poke(*parent, shared, 5); // second page untouched: shared through the mapping's page cache

    auto child = MUST(fork_address_space(*parent));
    EXPECT_EQ(child->page_table().query(text).frame, parent->page_table().query(text).frame);
    EXPECT_TRUE(child->page_table().query(text).executable);
    EXPECT_EQ(child->page_table().query(zero).frame, env.context.zero_frame);
    EXPECT_TRUE(parent->page_table().query(shared).writable);
    EXPECT_TRUE(child->page_table().query(shared).writable);

    poke(*child, shared, 6);
    poke(*child, shared + P, 8);
    EXPECT_EQ(peek(*parent, shared), 6);
    EXPECT_EQ(peek(*parent, shared + P), 8);
    poke(*parent, shared, 7);
    EXPECT_EQ(peek(*child, shared), 7);
    EXPECT_EQ(env.stats.cow_copy, 0u);

    // The zero page in the child: a write gets a fresh frame, the parent still reads zero.
    poke(*child, zero, 1);
    EXPECT_EQ(peek(*parent, zero), 0);
    EXPECT_EQ(env.stats.cow_copy, 0u);
}

TEST(Fork, ChildSeesBrkAndMappings)
{
    MmEnvironment env;
    auto parent = env.new_space();
    parent->set_brk(0x700000, 0x700000);
    parent->brk(0x702000);
    map_private(*parent, 2);
    auto child = MUST(fork_address_space(*parent));
    EXPECT_EQ(child->current_brk(), 0x702000u);
    EXPECT_EQ(child->brk_base(), 0x700000u);
    EXPECT_EQ(child->mappings().count(), parent->mappings().count());
}

TEST(Fork, EagerCopyCopiesPrivateWritablePages)
{
    MmEnvironment env(256, ForkMode::EagerCopy);
    auto parent = env.new_space();
    VirtAddr a = map_private(*parent, 4);
    for (u64 i = 0; i < 4; ++i)
        poke(*parent, a + i * P, u8(i + 1));
    VirtAddr ro = map_private(*parent, 1, VM_READ, 0x400000);
    EXPECT_EQ(peek(*parent, ro), 0);
    u64 free_before = env.frames.free_frames();

    auto child = MUST(fork_address_space(*parent));
    EXPECT_EQ(env.frames.free_frames(), free_before - 4);
    for (u64 i = 0; i < 4; ++i) {
        EXPECT_NE(child->page_table().query(a + i * P).frame, parent->page_table().query(a + i * P).frame);
        EXPECT_TRUE(child->page_table().query(a + i * P).writable);
        EXPECT_TRUE(parent->page_table().query(a + i * P).writable);
        EXPECT_EQ(peek(*child, a + i * P), i + 1);
    }
    poke(*child, a, 50);
    poke(*parent, a + P, 60);
    EXPECT_EQ(env.stats.cow_copy + env.stats.cow_reuse, 0u);
    EXPECT_EQ(peek(*parent, a), 1);
    EXPECT_EQ(peek(*child, a + P), 2);
    child.clear();
    EXPECT_EQ(env.frames.free_frames(), free_before);
}

TEST(Fork, OutOfFramesReleasesEverything)
{
    // Eager copy needs 8 more frames; only 5 are free.
    MmEnvironment env(8 + 1 + 5, ForkMode::EagerCopy);
    auto parent = env.new_space();
    VirtAddr a = map_private(*parent, 8);
    for (u64 i = 0; i < 8; ++i)
        poke(*parent, a + i * P, u8(i));
    u64 free_before = env.frames.free_frames();
    ASSERT_EQ(free_before, 5u);
    long tables_before = FakePageTable::live_tables;
    auto result = fork_address_space(*parent);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::NoMemory);
    EXPECT_EQ(env.frames.free_frames(), free_before);
    EXPECT_EQ(FakePageTable::live_tables, tables_before);
    EXPECT_EQ(env.stats.forks, 0u);
    for (u64 i = 0; i < 8; ++i) {
        EXPECT_EQ(env.frames.ref_count(parent->page_table().query(a + i * P).frame), 1u);
        EXPECT_EQ(peek(*parent, a + i * P), u8(i));
    }
}

TEST(Fork, PageTableFailureMidwayReleasesEverything)
{
    for (long budget : { 0, 1, 3, 7, 8 }) {
        MmEnvironment env;
        auto parent = env.new_space();
        VirtAddr a = map_private(*parent, 8);
        for (u64 i = 0; i < 8; ++i)
            poke(*parent, a + i * P, u8(i));
        VirtAddr s = MUST(parent->map_anonymous(0x400000, 2 * P, RW, true, MapPlacement::Fixed, "shm"));
        poke(*parent, s, 1);
        u64 free_before = env.frames.free_frames();
        long tables_before = FakePageTable::live_tables;
        // The child's page table fails its map number budget+1 (9 maps needed in all: the
        // shared mapping's untouched page lives in its page cache and needs no map).
        env.page_tables.fail_maps_of_new_tables_after(budget);
        auto result = fork_address_space(*parent);
        ASSERT_TRUE(result.is_error()) << budget;
        EXPECT_EQ(result.error(), Errno::NoMemory);
        EXPECT_EQ(FakePageTable::live_tables, tables_before);
        EXPECT_EQ(env.frames.free_frames(), free_before) << budget;
        for (u64 i = 0; i < 8; ++i) {
            EXPECT_EQ(env.frames.ref_count(parent->page_table().query(a + i * P).frame), 1u);
            EXPECT_EQ(peek(*parent, a + i * P), u8(i));
        }
        // Pages write-protected by the failed fork are simply reused on the next write.
        poke(*parent, a, 100);
        EXPECT_EQ(env.stats.cow_copy, 0u);
    }
}

TEST(Fork, NoPageTableMeansNoMemory)
{
    MmEnvironment env;
    auto parent = env.new_space();
    map_private(*parent, 1);
    env.page_tables.fail_create_after(0);
    auto result = fork_address_space(*parent);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::NoMemory);
}

TEST(Fork, DestroyingEveryAddressSpaceReturnsEveryFrame)
{
    MmEnvironment env;
    {
        auto a = env.new_space();
        VirtAddr x = map_private(*a, 10);
        for (u64 i = 0; i < 10; ++i)
            poke(*a, x + i * P, 1);
        VirtAddr z = map_private(*a, 3);
        for (u64 i = 0; i < 3; ++i)
            EXPECT_EQ(peek(*a, z + i * P), 0);
        auto b = MUST(fork_address_space(*a));
        auto c = MUST(fork_address_space(*b));
        poke(*b, x, 2);
        poke(*c, x + P, 3);
        poke(*a, x + 2 * P, 4);
        EXPECT_LT(env.frames.free_frames(), env.initial_free());
    }
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
    EXPECT_EQ(env.frames.ref_count(env.context.zero_frame), 1u);
}
