// AddressSpace end to end, in the manner of gVisor's mm_test: map, touch through user copies,
// and check contents *and* counters.
#include "mm_test_helpers.h"

TEST(AddressSpace, CreateAndDestroyReleasesPageTable)
{
    MmEnvironment env;
    long before = FakePageTable::live_tables;
    {
        auto space = env.new_space();
        EXPECT_EQ(FakePageTable::live_tables, before + 1);
    }
    EXPECT_EQ(FakePageTable::live_tables, before);
}

TEST(AddressSpace, CreateFailsCleanlyWithoutPageTable)
{
    MmEnvironment env;
    env.page_tables.fail_create_after(0);
    auto result = AddressSpace::create(env.context);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::NoMemory);
}

TEST(AddressSpace, MapIsLazyAndTopDown)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 4);
    EXPECT_EQ(a, USER_MMAP_TOP - 4 * P);
    VirtAddr b = map_private(*space, 2, VM_READ);
    EXPECT_EQ(b, a - 2 * P);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
    EXPECT_EQ(env.fake(*space).map_calls, 0u);
    EXPECT_EQ(space->resident_pages(), 0u);
    ASSERT_NE(space->find_mapping(a + 5), nullptr);
    EXPECT_EQ(space->find_mapping(a + 5)->start(), a);
}

TEST(AddressSpace, MapArgumentErrorsAreLinuxErrnos)
{
    MmEnvironment env;
    auto space = env.new_space();
    auto error_of = [&](VirtAddr addr, u64 length, u32 prot, MapPlacement placement) {
        auto r = space->map_anonymous(addr, length, prot, false, placement, "");
        return r.is_error() ? r.error() : Errno {};
    };
    EXPECT_EQ(error_of(0, 0, RW, MapPlacement::Anywhere), Errno::Invalid);
    EXPECT_EQ(error_of(0x100001, P, RW, MapPlacement::Fixed), Errno::Invalid);
    EXPECT_EQ(error_of(0x100000, P, 0x10, MapPlacement::Fixed), Errno::Invalid);
    EXPECT_EQ(error_of(0x1000, P, RW, MapPlacement::Fixed), Errno::NotPermitted);
    EXPECT_EQ(error_of(USER_TOP, P, RW, MapPlacement::Fixed), Errno::NoMemory);
    EXPECT_EQ(error_of(0, USER_TOP, RW, MapPlacement::Anywhere), Errno::NoMemory);
    EXPECT_EQ(error_of(0, ~u64(0), RW, MapPlacement::Anywhere), Errno::NoMemory);
    map_private(*space, 4, RW, 0x200000);
    EXPECT_EQ(error_of(0x202000, P, RW, MapPlacement::FixedNoReplace), Errno::Exists);
}

TEST(AddressSpace, HintIsTakenWhenFree)
{
    MmEnvironment env;
    auto space = env.new_space();
    EXPECT_EQ(MUST(space->map_anonymous(0x500123, P, RW, false, MapPlacement::Anywhere, "")), 0x500000u);
    // Occupied hint: falls back to the top-down search.
    EXPECT_EQ(MUST(space->map_anonymous(0x500000, P, RW, false, MapPlacement::Anywhere, "")), USER_MMAP_TOP - P);
}

TEST(AddressSpace, ZeroFrameReadThenWrite)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 1);
    EXPECT_EQ(peek(*space, a + 10), 0);
    EXPECT_EQ(env.stats.zero_fill_read, 1u);
    EXPECT_EQ(space->page_table().query(a).frame, env.context.zero_frame);
    EXPECT_FALSE(space->page_table().query(a).writable);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
    EXPECT_EQ(space->resident_pages(), 0u);

    poke(*space, a + 10, 42);
    EXPECT_EQ(env.stats.zero_fill_write, 1u);
    EXPECT_EQ(env.stats.cow_copy, 0u);
    PteInfo pte = space->page_table().query(a);
    EXPECT_NE(pte.frame, env.context.zero_frame);
    EXPECT_TRUE(pte.writable);
    EXPECT_EQ(peek(*space, a + 10), 42);
    EXPECT_EQ(peek(*space, a + 11), 0); // the fresh frame was zeroed
    EXPECT_EQ(env.frames.free_frames(), env.initial_free() - 1);
    EXPECT_EQ(env.frames.ref_count(env.context.zero_frame), 1u); // only the boot reference left
}

TEST(AddressSpace, SixtyFourPagesTouchedOneByOne)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 64);
    for (u64 i = 0; i < 64; ++i)
        poke(*space, a + i * P + 7, u8(i));
    EXPECT_EQ(env.stats.zero_fill_write, 64u);
    EXPECT_EQ(env.stats.page_faults, 64u);
    EXPECT_EQ(space->resident_pages(), 64u);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free() - 64);
    for (u64 i = 0; i < 64; ++i)
        EXPECT_EQ(peek(*space, a + i * P + 7), u8(i));
    EXPECT_EQ(env.stats.page_faults, 64u); // reads of present pages do not fault
    ASSERT_FALSE(space->unmap(a, 64 * P).is_error());
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
    EXPECT_EQ(space->mappings().count(), 0u);
    EXPECT_EQ(env.fake(*space).size(), 0u);
}

TEST(AddressSpace, OutOfFramesIsOutOfMemoryAndLeaksNothing)
{
    MmEnvironment env(16);
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 32);
    u64 touched = 0;
    for (; touched < 32; ++touched)
        if (handle_page_fault(*space, a + touched * P, FaultAccess::Write) != FaultResult::Handled)
            break;
    EXPECT_EQ(touched, env.initial_free());
    EXPECT_EQ(handle_page_fault(*space, a + 31 * P, FaultAccess::Write), FaultResult::OutOfMemory);
    u8 byte = 1;
    auto r = copy_to_user(*space, a + 31 * P, &byte, 1);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Errno::NoMemory);
    space.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST(AddressSpace, PageTableMapFailureReleasesTheFrame)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 1);
    env.fake(*space).fail_map_after(0);
    EXPECT_EQ(handle_page_fault(*space, a, FaultAccess::Write), FaultResult::OutOfMemory);
    EXPECT_EQ(handle_page_fault(*space, a, FaultAccess::Read), FaultResult::OutOfMemory);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
    EXPECT_EQ(env.frames.ref_count(env.context.zero_frame), 1u);
}

TEST(AddressSpace, FaultsOutsideMappingsOrAgainstProtAreSegv)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 1, VM_READ);
    EXPECT_EQ(handle_page_fault(*space, a - P, FaultAccess::Read), FaultResult::Segv);
    EXPECT_EQ(handle_page_fault(*space, a, FaultAccess::Write), FaultResult::Segv);
    EXPECT_EQ(handle_page_fault(*space, a, FaultAccess::Execute), FaultResult::Segv);
    EXPECT_EQ(handle_page_fault(*space, a, FaultAccess::Read), FaultResult::Handled);
    EXPECT_EQ(env.stats.page_faults, 4u);
}

TEST(AddressSpace, UnmapMiddleSplitsAndFreesOnlyThosePages)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 8);
    for (u64 i = 0; i < 8; ++i)
        poke(*space, a + i * P, u8(i + 1));
    ASSERT_FALSE(space->unmap(a + 3 * P, 2 * P).is_error());
    EXPECT_EQ(space->mappings().count(), 2u);
    EXPECT_EQ(space->find_mapping(a)->end(), a + 3 * P);
    EXPECT_EQ(space->find_mapping(a + 5 * P)->start(), a + 5 * P);
    EXPECT_EQ(space->find_mapping(a + 4 * P), nullptr);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free() - 6);
    EXPECT_EQ(peek(*space, a + 2 * P), 3);
    EXPECT_EQ(peek(*space, a + 5 * P), 6);
    u8 byte;
    EXPECT_EQ(copy_from_user(*space, &byte, a + 3 * P, 1).error(), Errno::BadAddress);
}

TEST(AddressSpace, UnmapArgumentsAndHoles)
{
    MmEnvironment env;
    auto space = env.new_space();
    EXPECT_EQ(space->unmap(0x100001, P).error(), Errno::Invalid);
    EXPECT_EQ(space->unmap(0x100000, 0).error(), Errno::Invalid);
    EXPECT_FALSE(space->unmap(0x100000, 100 * P).is_error()); // nothing there: fine
    VirtAddr a = map_private(*space, 2, RW, 0x300000);
    VirtAddr b = map_private(*space, 2, VM_READ, 0x310000);
    ASSERT_FALSE(space->unmap(a, b + 2 * P - a).is_error()); // spans a hole
    EXPECT_EQ(space->mappings().count(), 0u);
}

TEST(AddressSpace, MapFixedReplaces)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 4, RW, 0x400000);
    poke(*space, a + P, 9);
    ASSERT_EQ(MUST(space->map_anonymous(a + P, P, VM_READ, false, MapPlacement::Fixed, "new")), a + P);
    EXPECT_EQ(space->mappings().count(), 3u);
    EXPECT_EQ(peek(*space, a + P), 0); // fresh memory
    EXPECT_STREQ(space->find_mapping(a + P)->name(), "new");
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST(AddressSpace, AdjacentCompatibleMapsMerge)
{
    MmEnvironment env;
    auto space = env.new_space();
    map_private(*space, 2, RW, 0x400000);
    map_private(*space, 2, RW, 0x402000);
    map_private(*space, 1, VM_READ, 0x404000);
    EXPECT_EQ(space->mappings().count(), 2u);
    EXPECT_EQ(space->find_mapping(0x400000)->end(), 0x404000u);
}

TEST(AddressSpace, ProtectSplitsDowngradesAndMergesBack)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 6, RW, 0x400000);
    for (u64 i = 0; i < 6; ++i)
        poke(*space, a + i * P, 1);
    ASSERT_FALSE(space->protect(a + 2 * P, 2 * P, VM_READ).is_error());
    EXPECT_EQ(space->mappings().count(), 3u);
    EXPECT_FALSE(space->page_table().query(a + 2 * P).writable);
    EXPECT_TRUE(space->page_table().query(a + 1 * P).writable);
    u8 byte = 5;
    EXPECT_EQ(copy_to_user(*space, a + 2 * P, &byte, 1).error(), Errno::BadAddress);
    EXPECT_EQ(peek(*space, a + 2 * P), 1);

    // Upgrade back: our own frames (refcount 1) become writable again without a fault.
    ASSERT_FALSE(space->protect(a + 2 * P, 2 * P, RW).is_error());
    EXPECT_EQ(space->mappings().count(), 1u);
    EXPECT_TRUE(space->page_table().query(a + 2 * P).writable);
}

TEST(AddressSpace, ProtectErrors)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2, RW, 0x400000);
    EXPECT_EQ(space->protect(a + 1, P, VM_READ).error(), Errno::Invalid);
    EXPECT_EQ(space->protect(a, P, 0x40).error(), Errno::Invalid);
    EXPECT_EQ(space->protect(a, 3 * P, VM_READ).error(), Errno::NoMemory); // runs past the end
    EXPECT_EQ(space->find_mapping(a)->prot(), RW); // unchanged
    EXPECT_EQ(space->mappings().count(), 1u);
    EXPECT_FALSE(space->protect(a, 0, VM_READ).is_error());
}

TEST(AddressSpace, ProtNoneKeepsDataButForbidsAccess)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 1, RW, 0x400000);
    poke(*space, a, 77);
    ASSERT_FALSE(space->protect(a, P, VM_NONE).is_error());
    EXPECT_FALSE(env.fake(*space).entry(a)->access.accessible);
    u8 byte;
    EXPECT_EQ(copy_from_user(*space, &byte, a, 1).error(), Errno::BadAddress);
    EXPECT_EQ(space->resident_pages(), 1u);
    ASSERT_FALSE(space->protect(a, P, VM_READ).is_error());
    EXPECT_EQ(peek(*space, a), 77);
}

TEST(AddressSpace, UpgradeNeverMakesZeroFrameWritable)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 1, VM_READ, 0x400000);
    EXPECT_EQ(peek(*space, a), 0);
    ASSERT_FALSE(space->protect(a, P, RW).is_error());
    EXPECT_FALSE(space->page_table().query(a).writable);
    poke(*space, a, 3);
    EXPECT_EQ(env.stats.zero_fill_write, 1u);
    EXPECT_EQ(peek(*space, a), 3);
}

TEST(AddressSpace, BrkGrowsMergesAndShrinks)
{
    MmEnvironment env;
    auto space = env.new_space();
    // The page holding an unaligned base belongs to the program's bss; the heap starts after it.
    VirtAddr base = 0x600000 + 0x123;
    map_private(*space, 1, RW, 0x600000);
    space->set_brk(base, base);
    EXPECT_EQ(space->brk(0), base);
    EXPECT_EQ(space->brk(base - 1), base);
    EXPECT_EQ(space->brk(base + 100), base + 100); // within the bss page: no new mapping
    EXPECT_EQ(space->mappings().count(), 1u);
    EXPECT_EQ(space->brk(base + 3 * P), base + 3 * P);
    EXPECT_EQ(space->brk(base + 5 * P), base + 5 * P);
    ASSERT_EQ(space->mappings().count(), 2u); // bss + one merged heap
    Mapping const* heap = space->find_mapping(base + P);
    EXPECT_STREQ(heap->name(), "[heap]");
    EXPECT_EQ(heap->start(), 0x601000u);
    EXPECT_EQ(heap->end(), page_round_up(base + 5 * P));
    poke(*space, base + 4 * P, 8);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free() - 1);

    EXPECT_EQ(space->brk(base + P), base + P); // shrink frees the touched page
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
    EXPECT_EQ(space->find_mapping(base + P)->end(), page_round_up(base + P));
    u8 byte;
    EXPECT_EQ(copy_from_user(*space, &byte, base + 4 * P, 1).error(), Errno::BadAddress);
    // Regrown memory is fresh zeroes.
    EXPECT_EQ(space->brk(base + 5 * P), base + 5 * P);
    EXPECT_EQ(peek(*space, base + 4 * P), 0);
}

TEST(AddressSpace, BrkFailureReturnsOldBreak)
{
    MmEnvironment env;
    auto space = env.new_space();
    space->set_brk(0x600000, 0x600000);
    map_private(*space, 1, RW, 0x604000); // something in the way
    EXPECT_EQ(space->brk(0x603000), 0x603000u);
    EXPECT_EQ(space->brk(0x608000), 0x603000u);
    EXPECT_EQ(space->brk(USER_TOP), 0x603000u);
}

TEST(AddressSpace, BrkRefusesGrowthBeyondAllMemory)
{
    // Linux's overcommit heuristic: one growth larger than all of memory fails at once,
    // while growths that fit each succeed however much they add up to (nothing is touched).
    MmEnvironment env(64);
    auto space = env.new_space();
    space->set_brk(0x600000, 0x600000);
    EXPECT_FALSE(exceeds_all_memory(env.context, 64 * P));
    EXPECT_TRUE(exceeds_all_memory(env.context, 64 * P + 1));
    EXPECT_TRUE(exceeds_all_memory(env.context, ~u64(0)));
    EXPECT_EQ(space->brk(0x600000 + 65 * P), 0x600000u);
    EXPECT_EQ(space->mappings().count(), 0u);
    EXPECT_EQ(space->brk(0x600000 + 64 * P), 0x600000 + 64 * P);
    EXPECT_EQ(space->brk(0x600000 + 128 * P), 0x600000 + 128 * P);
}

TEST(AddressSpace, SharedAnonymousFirstTouchIsWritableFrame)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = MUST(space->map_anonymous(0, 2 * P, RW, true, MapPlacement::Anywhere, ""));
    EXPECT_EQ(peek(*space, a), 0);
    EXPECT_EQ(env.stats.zero_fill_read, 0u);
    EXPECT_EQ(env.stats.zero_fill_write, 1u);
    EXPECT_TRUE(space->page_table().query(a).writable);
    EXPECT_NE(space->page_table().query(a).frame, env.context.zero_frame);
}

TEST(AddressSpace, MappingCountIsLimitedAsLinuxLimitsIt)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr three = map_private(*space, 3, VM_NONE, 0x10000000);
    // One-page mappings a page apart (so none merge), until mmap refuses.
    VirtAddr at = three + 4 * P;
    while (!space->map_anonymous(at, P, VM_NONE, false, MapPlacement::FixedNoReplace, "").is_error())
        at += 2 * P;
    auto refused = space->map_anonymous(at, P, VM_NONE, false, MapPlacement::FixedNoReplace, "");
    EXPECT_EQ(refused.error(), Errno::NoMemory);
    EXPECT_EQ(space->mappings().count(), MAX_MAP_COUNT + 1); // do_mmap allows one past the limit
    // A hole in the middle of a mapping would make one more: ENOMEM, nothing changed.
    EXPECT_EQ(space->unmap(three + P, P).error(), Errno::NoMemory);
    EXPECT_EQ(space->protect(three + P, P, VM_READ).error(), Errno::NoMemory);
    EXPECT_EQ(space->mappings().count(), MAX_MAP_COUNT + 1);
    // Whole mappings may go, and then a split fits again.
    MUST(space->unmap(at - 2 * P, P));
    MUST(space->unmap(at - 4 * P, P));
    MUST(space->unmap(three + P, P));
    EXPECT_EQ(space->mappings().count(), MAX_MAP_COUNT);
}
