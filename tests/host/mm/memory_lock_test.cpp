// mlock and friends, mincore and madvise (kernel/mm/memory_lock.cpp, populate.cpp,
// residency.cpp, advice.cpp): flags on mappings, what gets faulted in, what fork hands on.
#include "mm_test_helpers.h"
#include "tests/host/fakes/fake_pager.h"

namespace {

Errno error_of(Result<void> result) { return result.is_error() ? result.error() : Errno {}; }

}

TEST(MemoryLock, LockFaultsPagesInAndCountsThem)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 4, RW, 0x400000);
    MUST(space->set_lock(a + P, 2 * P, VM_LOCKED));
    EXPECT_EQ(env.stats.zero_fill_write, 2u); // private writable: written, so COW is broken now
    EXPECT_EQ(space->locked_bytes(), 2 * P);
    EXPECT_TRUE(space->find_mapping(a + P)->is_locked());
    EXPECT_FALSE(space->find_mapping(a)->is_locked());
    EXPECT_EQ(space->mappings().count(), 3u); // split at both ends
    MUST(space->set_lock(a + P, 2 * P, 0));
    EXPECT_EQ(space->locked_bytes(), 0u);
    EXPECT_EQ(space->mappings().count(), 1u); // and merged back
}

TEST(MemoryLock, ReadOnlyMemoryIsReadAndOnFaultIsNotPopulated)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2, VM_READ, 0x400000);
    VirtAddr b = map_private(*space, 2, RW, 0x800000);
    MUST(space->set_lock(a, 2 * P, VM_LOCKED));
    EXPECT_EQ(env.stats.zero_fill_read, 2u);
    MUST(space->set_lock(b, 2 * P, VM_LOCKED | VM_LOCKONFAULT));
    EXPECT_EQ(env.stats.zero_fill_write, 0u);
    EXPECT_EQ(space->locked_bytes(), 4 * P);
    VirtAddr none = map_private(*space, 1, VM_NONE, 0xc00000);
    MUST(space->set_lock(none, P, VM_LOCKED)); // PROT_NONE: locked, nothing faulted
    EXPECT_FALSE(space->page_table().query(none).present);
}

TEST(MemoryLock, HoleIsNoMemoryAfterLockingWhatCameBefore)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2, RW, 0x400000);
    map_private(*space, 2, RW, 0x400000 + 3 * P);
    EXPECT_EQ(error_of(space->set_lock(a, 5 * P, VM_LOCKED)), Errno::NoMemory);
    EXPECT_EQ(space->locked_bytes(), 2 * P);
    EXPECT_EQ(error_of(space->set_lock(0x10000000, P, VM_LOCKED)), Errno::NoMemory);
    EXPECT_EQ(error_of(space->set_lock(a, ~u64(0) - P, VM_LOCKED)), Errno::Invalid);
}

TEST(MemoryLock, LockAllFutureLocksNewMappingsAndBrk)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2, RW, 0x400000);
    space->lock_all(VM_LOCKED, true, true);
    EXPECT_TRUE(space->find_mapping(a)->is_locked());
    EXPECT_EQ(env.stats.zero_fill_write, 2u);
    VirtAddr b = map_private(*space, 3);
    EXPECT_TRUE(space->find_mapping(b)->is_locked());
    EXPECT_EQ(space->locked_bytes(), 5 * P);
    space->set_brk(0x1000000, 0x1000000);
    space->brk(0x1000000 + 2 * P);
    EXPECT_EQ(env.stats.zero_fill_write, 4u); // the new heap is faulted in
    space->unlock_all();
    EXPECT_EQ(space->locked_bytes(), 0u);
    EXPECT_FALSE(space->find_mapping(map_private(*space, 1))->is_locked());
}

TEST(MemoryLock, ForkChildIsNotLocked)
{
    MmEnvironment env;
    auto parent = env.new_space();
    VirtAddr a = map_private(*parent, 2, RW, 0x400000);
    MUST(parent->set_lock(a, 2 * P, VM_LOCKED));
    auto child = MUST(fork_address_space(*parent));
    EXPECT_EQ(child->locked_bytes(), 0u);
    EXPECT_EQ(parent->locked_bytes(), 2 * P);
}

TEST(MemoryLock, ReclaimKeepsLockedFilePages)
{
    MmEnvironment env;
    FakePager pager;
    pager.fill(4 * P);
    auto cache = MUST(PageCache::create(env.context, pager, 4 * P));
    auto space = env.new_space();
    VirtAddr a = MUST(space->map_file(0, 4 * P, VM_READ, false, MapPlacement::Anywhere, cache, 0, "f"));
    MUST(space->set_lock(a, 4 * P, VM_LOCKED));
    EXPECT_EQ(cache->cached_pages(), 4u);
    // Mapped by a locked mapping: kept, however often reclaim comes by.
    EXPECT_EQ(cache->evict_clean_pages(4, true).evicted, 0u);
    EXPECT_EQ(cache->evict_clean_pages(4, true).evicted, 0u);
    MUST(space->set_lock(a, 4 * P, 0));
    // Unlocked, they go — within two passes, whatever second chance their accessed bits earn.
    u64 evicted = cache->evict_clean_pages(4, true).evicted;
    evicted += cache->evict_clean_pages(4, true).evicted;
    EXPECT_EQ(evicted, 4u);
}

TEST(Residency, PresentEntriesAndCachedPages)
{
    MmEnvironment env;
    FakePager pager;
    pager.fill(4 * P);
    auto cache = MUST(PageCache::create(env.context, pager, 4 * P));
    auto space = env.new_space();
    VirtAddr anon = map_private(*space, 3, RW, 0x400000);
    poke(*space, anon, 1);
    (void)peek(*space, anon + 2 * P); // the zero frame counts as resident
    u8 vector[4] = { 9, 9, 9, 9 };
    EXPECT_EQ(MUST(space->residency(anon, 4, vector)), 3u); // stops at the mapping's end
    EXPECT_EQ(vector[0], 1);
    EXPECT_EQ(vector[1], 0);
    EXPECT_EQ(vector[2], 1);
    EXPECT_EQ(vector[3], 9);
    VirtAddr file = MUST(space->map_file(0, 4 * P, VM_READ, false, MapPlacement::Anywhere, cache, 0, "f"));
    MUST(cache->get_page(3)); // in the cache, never touched through this mapping
    EXPECT_EQ(MUST(space->residency(file, 4, vector)), 4u);
    EXPECT_EQ(vector[0], 0);
    EXPECT_EQ(vector[3], 1);
    EXPECT_TRUE(space->residency(0x10000000, 1, vector).is_error());
}

TEST(Advice, DontForkAndWipeOnFork)
{
    MmEnvironment env;
    auto parent = env.new_space();
    VirtAddr kept = map_private(*parent, 1, RW, 0x400000);
    VirtAddr gone = map_private(*parent, 1, RW, 0x500000);
    VirtAddr wiped = map_private(*parent, 1, RW, 0x600000);
    poke(*parent, kept, 1);
    poke(*parent, gone, 2);
    poke(*parent, wiped, 3);
    MUST(parent->advise(gone, P, Advice::DontFork));
    MUST(parent->advise(wiped, P, Advice::WipeOnFork));
    auto child = MUST(fork_address_space(*parent));
    EXPECT_EQ(peek(*child, kept), 1);
    EXPECT_EQ(child->find_mapping(gone), nullptr);
    ASSERT_NE(child->find_mapping(wiped), nullptr);
    EXPECT_EQ(peek(*child, wiped), 0);
    EXPECT_EQ(peek(*parent, wiped), 3);
    MUST(parent->advise(gone, P, Advice::DoFork));
    MUST(parent->advise(wiped, P, Advice::KeepOnFork));
    auto second = MUST(fork_address_space(*parent));
    EXPECT_EQ(peek(*second, gone), 2);
    EXPECT_EQ(peek(*second, wiped), 3);
}

TEST(Advice, RefusalsAreLinuxErrnos)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr shared = MUST(space->map_anonymous(0, P, RW, true, MapPlacement::Anywhere, ""));
    VirtAddr locked = map_private(*space, 1, RW, 0x400000);
    VirtAddr plain = map_private(*space, 1, RW, 0x500000);
    MUST(space->set_lock(locked, P, VM_LOCKED));
    EXPECT_EQ(error_of(space->advise(shared, P, Advice::WipeOnFork)), Errno::Invalid);
    EXPECT_EQ(error_of(space->advise(shared, P, Advice::Free)), Errno::Invalid);
    EXPECT_EQ(error_of(space->advise(locked, P, Advice::DontNeed)), Errno::Invalid);
    EXPECT_EQ(error_of(space->advise(locked, P, Advice::Cold)), Errno::Invalid);
    EXPECT_EQ(error_of(space->advise(plain, P, Advice::Remove)), Errno::Invalid);
    MUST(space->advise(locked, P, Advice::DontNeedLocked));
    EXPECT_FALSE(space->page_table().query(locked).present);
    EXPECT_EQ(error_of(space->advise(plain + 1, P, Advice::Normal)), Errno::Invalid);
}

TEST(Advice, GapIsNoMemoryAfterAdvisingTheRest)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 1, RW, 0x400000);
    map_private(*space, 1, RW, 0x400000 + 2 * P);
    poke(*space, a, 1);
    poke(*space, a + 2 * P, 2);
    EXPECT_EQ(error_of(space->advise(a, 3 * P, Advice::DontNeed)), Errno::NoMemory);
    EXPECT_EQ(peek(*space, a), 0);
    EXPECT_EQ(peek(*space, a + 2 * P), 0); // past the gap too, as Linux walks on
}

TEST(Advice, RemovePunchesAHoleInSharedMemory)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = MUST(space->map_anonymous(0, 3 * P, RW, true, MapPlacement::Anywhere, ""));
    auto child = MUST(fork_address_space(*space));
    for (u64 i = 0; i < 3; ++i)
        poke(*space, a + i * P, u8(i + 1));
    u64 free_before = env.frames.free_frames();
    MUST(space->advise(a + P, P, Advice::Remove));
    EXPECT_EQ(env.frames.free_frames(), free_before + 1);
    EXPECT_EQ(peek(*child, a + P), 0); // gone for every process sharing it
    EXPECT_EQ(peek(*child, a + 2 * P), 3);
}

TEST(Advice, PopulateWriteFaultsEveryPage)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 3, RW, 0x400000);
    MUST(space->advise(a, 3 * P, Advice::PopulateWrite));
    EXPECT_EQ(env.stats.zero_fill_write, 3u);
    VirtAddr read_only = map_private(*space, 1, VM_READ, 0x500000);
    EXPECT_EQ(error_of(space->advise(read_only, P, Advice::PopulateWrite)), Errno::Invalid);
}
