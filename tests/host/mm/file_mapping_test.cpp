// File-backed mappings end to end: mmap of a PageCache over a FakePager, faults, fork,
// write-back with write-protect, truncation, eviction, msync, munmap and madvise.
#include "kernel/mm/page_cache.h"
#include "kernel/mm/remote_memory.h"
#include "mm_test_helpers.h"
#include "tests/host/fakes/fake_pager.h"
#include <vector>

namespace {

struct FileMapTest : ::testing::Test {
    MmEnvironment env;
    FakePager pager;
    RefPtr<PageCache> cache;
    RefPtr<AddressSpace> space;

    void SetUp() override { space = env.new_space(); }
    void open_file(usize size)
    {
        pager.fill(size);
        cache = MUST(PageCache::create(env.context, pager, size));
    }
    VirtAddr map(AddressSpace& target, u64 pages, bool shared, u64 offset = 0, u32 prot = RW, VirtAddr at = 0)
    {
        auto placement = at ? MapPlacement::Fixed : MapPlacement::Anywhere;
        auto result = target.map_file(at, pages * P, prot, shared, placement, cache, offset, "file");
        EXPECT_FALSE(result.is_error());
        return result.is_error() ? 0 : result.value();
    }
    u8 file_byte(u64 offset)
    {
        u8 byte = 0xee;
        EXPECT_EQ(MUST(cache->read(offset, &byte, 1)), 1u);
        return byte;
    }
    FrameNumber cache_frame(u64 index)
    {
        FrameNumber frame = 0;
        EXPECT_TRUE(cache->find_page(index, frame));
        return frame;
    }
    FaultResult touch(AddressSpace& target, VirtAddr va, FaultAccess access) { return handle_page_fault(target, va, access); }
};

}

TEST_F(FileMapTest, ReadFaultMapsTheCacheFrame)
{
    open_file(3 * P);
    VirtAddr a = map(*space, 3, false, P); // file pages 1 and 2, then past EOF
    EXPECT_EQ(env.frames.free_frames(), env.initial_free()); // lazy
    EXPECT_EQ(peek(*space, a + 5), FakePager::pattern(P + 5));
    EXPECT_EQ(space->page_table().query(a).frame, cache_frame(1));
    EXPECT_FALSE(space->page_table().query(a).writable);
    EXPECT_EQ(env.frames.ref_count(cache_frame(1)), 2u); // cache + PTE
    EXPECT_EQ(env.stats.file_faults, 1u);
    // The miss read around the fault (read_ahead.h): the file's 3 pages, 2 of them ahead.
    EXPECT_EQ(env.stats.page_cache_reads, 3u);
    EXPECT_EQ(env.stats.readahead_pages, 2u);
    EXPECT_EQ(pager.reads, 3u);
    EXPECT_EQ(space->find_mapping(a)->file_offset(), P);
    EXPECT_FALSE(space->find_mapping(a)->is_anonymous());
}

TEST_F(FileMapTest, SharedMappingSeesWriteAndReadSeesStores)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, true);
    EXPECT_EQ(peek(*space, a + 10), FakePager::pattern(10));
    u8 byte = 0x77;
    MUST(cache->write(10, &byte, 1)); // write() after the mapping faulted: seen at once
    EXPECT_EQ(peek(*space, a + 10), 0x77);
    poke(*space, a + P + 3, 0x42); // a store is seen by read() at once
    EXPECT_EQ(file_byte(P + 3), 0x42);
    EXPECT_TRUE(cache->is_dirty(1));
    EXPECT_TRUE(space->page_table().query(a + P).writable);
    EXPECT_EQ(pager.file[P + 3], FakePager::pattern(P + 3)); // not written back yet
}

TEST_F(FileMapTest, SharedReadFaultIsReadOnlyUntilTheFirstWrite)
{
    open_file(P);
    VirtAddr a = map(*space, 1, true);
    (void)peek(*space, a);
    EXPECT_FALSE(space->page_table().query(a).writable);
    EXPECT_FALSE(cache->has_dirty_pages());
    poke(*space, a, 1); // write-notify fault
    EXPECT_TRUE(space->page_table().query(a).writable);
    EXPECT_TRUE(cache->is_dirty(0));
    EXPECT_EQ(env.stats.dirty_pages, 1u);
    EXPECT_EQ(env.stats.file_faults, 2u);
}

TEST_F(FileMapTest, PrivateWriteCopiesAndTheFileIsUnchanged)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, false);
    EXPECT_EQ(peek(*space, a), FakePager::pattern(0));
    poke(*space, a, 0x99); // read first, then write: copy of the mapped cache frame
    poke(*space, a + P, 1); // absent write: copy straight away
    EXPECT_EQ(env.stats.file_cow, 2u);
    EXPECT_EQ(env.stats.cow_copy, 0u);
    EXPECT_NE(space->page_table().query(a).frame, cache_frame(0));
    EXPECT_EQ(env.frames.ref_count(cache_frame(0)), 1u); // only the cache again
    EXPECT_EQ(peek(*space, a), 0x99);
    EXPECT_EQ(peek(*space, a + 1), FakePager::pattern(1));
    EXPECT_EQ(file_byte(0), FakePager::pattern(0));
    EXPECT_FALSE(cache->has_dirty_pages());
    // A second write to the copy is private already: no more copies.
    poke(*space, a, 0x98);
    EXPECT_EQ(env.stats.file_cow, 2u);
    EXPECT_EQ(env.stats.cow_reuse + env.stats.cow_copy, 0u);
    space.clear();
    cache.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(FileMapTest, PastEndOfFileIsSigbusAndTheTailReadsZeros)
{
    open_file(P + 100);
    VirtAddr a = map(*space, 4, true);
    EXPECT_EQ(peek(*space, a + P + 99), FakePager::pattern(P + 99));
    EXPECT_EQ(peek(*space, a + P + 100), 0);
    EXPECT_EQ(peek(*space, a + 2 * P - 1), 0);
    EXPECT_EQ(touch(*space, a + 2 * P, FaultAccess::Read), FaultResult::Bus);
    EXPECT_EQ(touch(*space, a + 3 * P + 8, FaultAccess::Write), FaultResult::Bus);
    u8 byte;
    EXPECT_EQ(copy_from_user(*space, &byte, a + 2 * P, 1).error(), Errno::BadAddress);
    // Private mappings too; and growing the file makes the page valid.
    VirtAddr b = map(*space, 3, false);
    EXPECT_EQ(touch(*space, b + 2 * P, FaultAccess::Write), FaultResult::Bus);
    cache->set_size(3 * P);
    EXPECT_EQ(touch(*space, b + 2 * P, FaultAccess::Read), FaultResult::Handled);
    EXPECT_EQ(peek(*space, b + 2 * P), 0); // the file grew by a hole
}

// A shared mapping of a tmpfs file whose file system is full: a store to a hole is SIGBUS
// (as on Linux), a page already there stays writable.
TEST_F(FileMapTest, FaultOnAHoleBeyondThePageLimitIsSigbus)
{
    FakePager tmpfs(false);
    RefPtr<PageLimit> limit = MUST(PageLimit::create(1));
    cache = MUST(PageCache::create(env.context, tmpfs, 2 * P, limit));
    VirtAddr a = map(*space, 2, true);
    EXPECT_EQ(touch(*space, a, FaultAccess::Write), FaultResult::Handled);
    EXPECT_EQ(touch(*space, a + P, FaultAccess::Write), FaultResult::Bus);
    EXPECT_EQ(touch(*space, a + P, FaultAccess::Read), FaultResult::Bus);
    EXPECT_EQ(limit->used_pages(), 1u);
    MUST(space->unmap(a, 2 * P));
    cache.clear();
    EXPECT_EQ(limit->used_pages(), 0u);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(FileMapTest, PagerReadErrorIsSigbus)
{
    open_file(P);
    VirtAddr a = map(*space, 1, false);
    pager.fail_reads = true;
    EXPECT_EQ(touch(*space, a, FaultAccess::Read), FaultResult::Bus);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(FileMapTest, WriteBackWriteProtectsAndTheNextStoreRedirties)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, true);
    poke(*space, a, 1);
    poke(*space, a + P, 2);
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(pager.writes, 2u);
    EXPECT_EQ(pager.file[0], 1);
    EXPECT_EQ(pager.file[P], 2);
    EXPECT_FALSE(space->page_table().query(a).writable);
    EXPECT_FALSE(space->page_table().query(a + P).writable);
    EXPECT_FALSE(cache->has_dirty_pages());
    // Store after write-back: faults, re-dirties, and is written again (only that page).
    poke(*space, a + P, 3);
    EXPECT_TRUE(cache->is_dirty(1));
    EXPECT_TRUE(space->page_table().query(a + P).writable);
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(pager.writes, 3u);
    EXPECT_EQ(pager.writes_of_page[1], 2u);
    EXPECT_EQ(pager.file[P], 3);
    EXPECT_EQ(env.stats.written_back_pages, 3u);
}

TEST_F(FileMapTest, WriteBackProtectsEveryMappingInEverySpace)
{
    open_file(P);
    auto other = env.new_space();
    VirtAddr a = map(*space, 1, true);
    VirtAddr b = map(*other, 1, true);
    poke(*space, a, 1);
    poke(*other, b, 2);
    EXPECT_TRUE(other->page_table().query(b).writable);
    MUST(cache->write_back_all(WriteBackReason::Periodic));
    EXPECT_EQ(pager.writes, 1u);
    EXPECT_FALSE(space->page_table().query(a).writable);
    EXPECT_FALSE(other->page_table().query(b).writable);
    EXPECT_EQ(pager.file[0], 2);
}

TEST_F(FileMapTest, TwoSpacesShareFramesAndTheSecondNeedsNoRead)
{
    open_file(2 * P);
    auto other = env.new_space();
    VirtAddr a = map(*space, 2, false);
    VirtAddr b = map(*other, 2, true);
    (void)peek(*space, a);
    (void)peek(*space, a + P);
    EXPECT_EQ(pager.reads, 2u);
    (void)peek(*other, b);
    (void)peek(*other, b + P);
    EXPECT_EQ(pager.reads, 2u);
    EXPECT_EQ(env.stats.page_cache_reads, 2u);
    // Three faults, not four: the other space's first fault also maps its neighbour, which
    // is already cached (fault-around).
    EXPECT_EQ(env.stats.file_faults, 3u);
    EXPECT_EQ(space->page_table().query(a).frame, other->page_table().query(b).frame);
    EXPECT_EQ(env.frames.ref_count(cache_frame(0)), 3u);
    // The shared store shows through the other process's private (not yet copied) page.
    poke(*other, b, 0x55);
    EXPECT_EQ(peek(*space, a), 0x55);
}

TEST_F(FileMapTest, FaultAroundMapsOnlyCachedNeighboursReadOnly)
{
    open_file(4 * P);
    u8 byte;
    (void)byte;
    MUST(cache->get_page(0)); // pages 0 and 2 cached (clean), 1 and 3 not (no read-ahead)
    MUST(cache->get_page(2));
    EXPECT_EQ(pager.reads, 2u);
    VirtAddr a = map(*space, 4, true);
    EXPECT_EQ(peek(*space, a), FakePager::pattern(0));
    EXPECT_TRUE(space->page_table().query(a + 2 * P).present); // cached: mapped around
    EXPECT_FALSE(space->page_table().query(a + 2 * P).writable); // write-notify still works
    EXPECT_FALSE(space->page_table().query(a + P).present); // not cached: left for its fault
    EXPECT_EQ(pager.reads, 2u); // fault-around never reads
    EXPECT_EQ(peek(*space, a + 2 * P), FakePager::pattern(2 * P));
    EXPECT_EQ(env.stats.file_faults, 1u);
}

TEST_F(FileMapTest, ForkKeepsSharedSharedAndPrivateCopyOnWrite)
{
    open_file(4 * P);
    VirtAddr s = map(*space, 2, true, 0);
    VirtAddr p = map(*space, 2, false, 2 * P);
    poke(*space, s, 1); // shared, dirty, writable
    EXPECT_EQ(peek(*space, p), FakePager::pattern(2 * P)); // private, still the cache frame
    poke(*space, p + P, 7); // private, copied
    FrameNumber copy = space->page_table().query(p + P).frame;
    auto child = MUST(fork_address_space(*space));
    // Shared: same frame, writable as it was; untouched shared pages come from the cache later.
    EXPECT_EQ(child->page_table().query(s).frame, cache_frame(0));
    EXPECT_TRUE(child->page_table().query(s).writable);
    poke(*child, s + P, 9);
    EXPECT_EQ(peek(*space, s + P), 9);
    poke(*child, s, 2);
    EXPECT_EQ(peek(*space, s), 2);
    // Private, still the cache frame: read-only in both, and a write copies (file unchanged).
    EXPECT_EQ(child->page_table().query(p).frame, cache_frame(2));
    EXPECT_FALSE(child->page_table().query(p).writable);
    EXPECT_FALSE(space->page_table().query(p).writable);
    poke(*child, p, 3);
    EXPECT_EQ(env.stats.file_cow, 2u);
    EXPECT_EQ(peek(*space, p), FakePager::pattern(2 * P));
    EXPECT_EQ(file_byte(2 * P), FakePager::pattern(2 * P));
    // Private, already copied: COW like anonymous memory.
    EXPECT_EQ(child->page_table().query(p + P).frame, copy);
    EXPECT_EQ(env.frames.ref_count(copy), 2u);
    poke(*child, p + P, 8);
    EXPECT_EQ(env.stats.cow_copy, 1u);
    EXPECT_EQ(peek(*space, p + P), 7);
    poke(*space, p + P, 6);
    EXPECT_EQ(env.stats.cow_reuse, 1u);
    EXPECT_EQ(peek(*child, p + P), 8);
    child.clear();
    space.clear();
    MUST(cache->write_back_all(WriteBackReason::Release));
    cache.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(FileMapTest, EagerForkDoesNotCopyCacheFrames)
{
    MmEnvironment eager(256, ForkMode::EagerCopy);
    pager.fill(P);
    auto file = MUST(PageCache::create(eager.context, pager, P));
    auto parent = eager.new_space();
    VirtAddr a = MUST(parent->map_file(0, P, RW, false, MapPlacement::Anywhere, file, 0, ""));
    (void)peek(*parent, a);
    u64 free_before = eager.frames.free_frames();
    auto child = MUST(fork_address_space(*parent));
    EXPECT_EQ(eager.frames.free_frames(), free_before);
    EXPECT_FALSE(child->page_table().query(a).writable);
    poke(*child, a, 1);
    EXPECT_EQ(eager.stats.file_cow, 1u);
}

TEST_F(FileMapTest, TruncationUnmapsPagesPastTheEndFromEveryMapping)
{
    open_file(4 * P);
    auto other = env.new_space();
    VirtAddr a = map(*space, 4, true);
    VirtAddr b = map(*other, 4, false);
    for (u64 i = 0; i < 4; ++i) {
        (void)peek(*space, a + i * P);
        (void)peek(*other, b + i * P);
    }
    poke(*other, b + 3 * P, 1); // a private copy past the new end goes too (as Linux)
    cache->set_size(P + 10);
    pager.file.resize(P + 10);
    EXPECT_TRUE(space->page_table().query(a + P).present);
    EXPECT_FALSE(space->page_table().query(a + 2 * P).present);
    EXPECT_FALSE(space->page_table().query(a + 3 * P).present);
    EXPECT_FALSE(other->page_table().query(b + 3 * P).present);
    EXPECT_EQ(touch(*space, a + 2 * P, FaultAccess::Read), FaultResult::Bus);
    EXPECT_EQ(touch(*other, b + 3 * P, FaultAccess::Read), FaultResult::Bus);
    EXPECT_EQ(peek(*space, a + P + 10), 0); // tail of the new last page
    EXPECT_EQ(cache->cached_pages(), 2u);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free() - 2);
}

TEST_F(FileMapTest, EvictionUnmapsCleanPagesAndAFaultRereads)
{
    open_file(3 * P);
    VirtAddr a = map(*space, 3, false);
    for (u64 i = 0; i < 3; ++i)
        (void)peek(*space, a + i * P);
    u64 free_before = env.frames.free_frames();
    // Watermark reclaim leaves pages that programs map alone (reclaim.h).
    EXPECT_EQ(cache->evict_clean_pages(2, false).evicted, 0u);
    EXPECT_EQ(env.frames.free_frames(), free_before);
    EXPECT_TRUE(space->page_table().query(a).present);
    // Clean pages are taken back even while mapped when asked: the PTEs go first.
    EXPECT_EQ(cache->evict_clean_pages(2, true).evicted, 2u);
    EXPECT_EQ(env.frames.free_frames(), free_before + 2);
    EXPECT_FALSE(space->page_table().query(a).present);
    EXPECT_TRUE(space->page_table().query(a + 2 * P).present);
    EXPECT_EQ(pager.reads, 3u); // the first fault read the whole 3-page file ahead
    EXPECT_EQ(peek(*space, a + 1), FakePager::pattern(1));
    EXPECT_EQ(pager.reads, 5u); // page 0 again, and its evicted neighbour read ahead with it
}

// The clock's second chance: a mapped page the program used since the last look (the MMU
// set its accessed bit) is spared once, with the bit cleared; unused since, it goes.
TEST_F(FileMapTest, EvictionSparesAPageInUseOnce)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, false);
    (void)peek(*space, a);
    (void)peek(*space, a + P);
    FakePageTable* table = &env.fake(*space);
    table->touch(a, false); // the program runs from page 0
    auto first = cache->evict_clean_pages(10, true);
    EXPECT_EQ(first.evicted, 1u); // page 1, untouched
    EXPECT_EQ(first.spared, 1u);
    EXPECT_TRUE(space->page_table().query(a).present);
    EXPECT_FALSE(table->entry(a)->accessed);
    auto second = cache->evict_clean_pages(10, true);
    EXPECT_EQ(second.evicted, 1u); // not used since: its second chance is spent
    EXPECT_FALSE(space->page_table().query(a).present);
}

TEST_F(FileMapTest, EvictionKeepsPagesDirtiedThroughASharedMapping)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, true);
    poke(*space, a, 7);
    (void)peek(*space, a + P);
    EXPECT_EQ(cache->evict_clean_pages(10, true).evicted, 1u); // page 1 only: page 0 is dirty
    EXPECT_TRUE(space->page_table().query(a).present);
    EXPECT_EQ(peek(*space, a), 7);
}

TEST_F(FileMapTest, MunmapAndExitWriteBackDirtyPages)
{
    open_file(4 * P);
    VirtAddr a = map(*space, 4, true);
    poke(*space, a, 1);
    poke(*space, a + 2 * P, 2);
    MUST(space->unmap(a, 2 * P)); // page 0 only
    EXPECT_EQ(pager.writes, 1u);
    EXPECT_EQ(pager.file[0], 1);
    EXPECT_TRUE(cache->is_dirty(2));
    space.clear(); // exit
    EXPECT_EQ(pager.writes, 2u);
    EXPECT_EQ(pager.file[2 * P], 2);
    EXPECT_FALSE(cache->is_mapped());
}

TEST_F(FileMapTest, MsyncWritesTheRangeAndFailsOnHoles)
{
    open_file(4 * P);
    VirtAddr a = map(*space, 4, true);
    for (u64 i = 0; i < 4; ++i)
        poke(*space, a + i * P, u8(i + 10));
    MUST(space->sync_range(a + P, 2 * P, SyncMode::Sync));
    EXPECT_EQ(pager.writes, 2u);
    EXPECT_EQ(pager.writes_of_page[1], 1u);
    EXPECT_EQ(pager.writes_of_page[2], 1u);
    EXPECT_EQ(space->sync_range(a + 1, P, SyncMode::Sync).error(), Errno::Invalid);
    // Partly unmapped: the mapped part is synced, and ENOMEM.
    EXPECT_EQ(space->sync_range(a + 3 * P, 2 * P, SyncMode::Sync).error(), Errno::NoMemory);
    EXPECT_EQ(pager.writes_of_page[3], 1u);
    EXPECT_EQ(env.stats.written_back_for[static_cast<usize>(WriteBackReason::Sync)], 3u);
    // A hardware dirty bit set behind write-notify's back is picked up too.
    MUST(space->sync_range(a, 4 * P, SyncMode::Sync));
    env.fake(*space).touch(a, true);
    MUST(space->sync_range(a, P, SyncMode::Sync));
    EXPECT_EQ(pager.writes_of_page[0], 2u);
}

TEST_F(FileMapTest, MsyncInvalidateIsBusyAtALockedMapping)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, true);
    poke(*space, a, 1);
    poke(*space, a + P, 2);
    MUST(space->set_lock(a + P, P, VM_LOCKED)); // splits: [a, a+P) unlocked, [a+P, a+2P) locked
    MUST(space->sync_range(a, P, SyncMode::Sync, InvalidateCache::Yes));
    EXPECT_EQ(pager.writes_of_page[0], 1u);
    // Linux stops at the locked mapping with EBUSY, after syncing the ones before it.
    poke(*space, a, 3);
    EXPECT_EQ(space->sync_range(a, 2 * P, SyncMode::Sync, InvalidateCache::Yes).error(), Errno::Busy);
    EXPECT_EQ(pager.writes_of_page[0], 2u);
    EXPECT_EQ(pager.writes_of_page[1], 0u);
    MUST(space->sync_range(a, 2 * P, SyncMode::Sync)); // without MS_INVALIDATE the lock is no obstacle
    EXPECT_EQ(pager.writes_of_page[1], 1u);
}

TEST_F(FileMapTest, AsyncMsyncRecordsDirtyBitsAndWritesNothing)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, true);
    poke(*space, a, 1);
    MUST(space->sync_range(a, 2 * P, SyncMode::Sync));
    ASSERT_FALSE(cache->is_dirty(0));
    // A store the page table saw but the cache did not (the hardware dirty bit alone).
    env.fake(*space).touch(a, true);
    usize writes = pager.writes;
    MUST(space->sync_range(a, 2 * P, SyncMode::Async));
    EXPECT_EQ(pager.writes, writes); // MS_ASYNC starts nothing itself: the flusher writes
    EXPECT_TRUE(cache->is_dirty(0)); // ... what is now recorded as dirty
    EXPECT_FALSE(env.fake(*space).entry(a)->dirty);
    EXPECT_EQ(space->sync_range(a + 1, P, SyncMode::Async).error(), Errno::Invalid);
}

TEST_F(FileMapTest, ProtectKeepsWriteNotifyAndPrivateCacheFramesReadOnly)
{
    open_file(2 * P);
    VirtAddr s = map(*space, 1, true, 0);
    VirtAddr p = map(*space, 1, false, P);
    (void)peek(*space, s);
    (void)peek(*space, p);
    MUST(space->protect(s, P, VM_READ));
    MUST(space->protect(s, P, RW));
    MUST(space->protect(p, P, RW));
    EXPECT_FALSE(space->page_table().query(s).writable); // clean page: still write-notify
    EXPECT_FALSE(space->page_table().query(p).writable); // cache frame: must copy
    poke(*space, s, 1);
    EXPECT_TRUE(cache->is_dirty(0));
    poke(*space, p, 2);
    EXPECT_EQ(file_byte(P), FakePager::pattern(P));
    EXPECT_EQ(space->find_mapping(p)->file_offset(), P);
}

TEST_F(FileMapTest, SplitsKeepFileOffsets)
{
    open_file(8 * P);
    VirtAddr a = map(*space, 8, false, 0);
    MUST(space->unmap(a + 2 * P, P));
    MUST(space->protect(a + 5 * P, P, VM_READ));
    EXPECT_EQ(space->find_mapping(a + 3 * P)->file_offset(), 3 * P);
    EXPECT_EQ(space->find_mapping(a + 5 * P)->file_offset(), 5 * P);
    EXPECT_EQ(space->find_mapping(a + 6 * P)->file_offset(), 6 * P);
    for (u64 i : { 0, 1, 3, 4, 5, 6, 7 })
        EXPECT_EQ(peek(*space, a + i * P + 1), FakePager::pattern(i * P + 1)) << i;
    EXPECT_EQ(cache->mappings().first() != nullptr, true);
}

TEST_F(FileMapTest, MapFileErrors)
{
    open_file(P);
    auto error_of = [&](VirtAddr addr, u64 length, u64 offset, RefPtr<PageCache> c, MapPlacement placement) {
        auto r = space->map_file(addr, length, RW, true, placement, c, offset, "");
        return r.is_error() ? r.error() : Errno {};
    };
    EXPECT_EQ(error_of(0, P, 0, nullptr, MapPlacement::Anywhere), Errno::Invalid);
    EXPECT_EQ(error_of(0, P, 100, cache, MapPlacement::Anywhere), Errno::Invalid);
    EXPECT_EQ(error_of(0, 0, 0, cache, MapPlacement::Anywhere), Errno::Invalid);
    EXPECT_EQ(error_of(0, P, ~u64(0) & ~(P - 1), cache, MapPlacement::Anywhere), Errno::Overflow);
    EXPECT_EQ(error_of(0x1000, P, 0, cache, MapPlacement::Fixed), Errno::NotPermitted);
    map(*space, 1, true, 0, RW, 0x400000);
    EXPECT_EQ(error_of(0x400000, P, 0, cache, MapPlacement::FixedNoReplace), Errno::Exists);
    EXPECT_FALSE(cache->mappings().is_empty());
}

TEST_F(FileMapTest, DiscardZeroFillsPrivateAnonymousMemory)
{
    VirtAddr a = map_private(*space, 3);
    for (u64 i = 0; i < 3; ++i)
        poke(*space, a + i * P, 5);
    u64 free_with_pages = env.frames.free_frames();
    MUST(space->discard(a, 2 * P));
    EXPECT_EQ(env.frames.free_frames(), free_with_pages + 2);
    EXPECT_EQ(peek(*space, a), 0);
    EXPECT_EQ(peek(*space, a + 2 * P), 5);
    EXPECT_EQ(space->discard(a, 10 * P).error(), Errno::NoMemory);
    EXPECT_EQ(space->discard(a + 1, P).error(), Errno::Invalid);
}

TEST_F(FileMapTest, SharedAnonymousMemoryIsSharedWithForkChildrenWithoutPopulating)
{
    VirtAddr a = MUST(space->map_anonymous(0, 4 * P, RW, true, MapPlacement::Anywhere, "shm"));
    EXPECT_TRUE(space->find_mapping(a)->is_anonymous());
    poke(*space, a, 1);
    u64 free_before = env.frames.free_frames();
    auto child = MUST(fork_address_space(*space));
    EXPECT_EQ(env.frames.free_frames(), free_before); // untouched pages: no frames at fork
    poke(*child, a + 3 * P, 4);
    EXPECT_EQ(peek(*space, a + 3 * P), 4);
    EXPECT_EQ(peek(*child, a), 1);
    EXPECT_EQ(env.stats.dirty_pages, 0u);
    EXPECT_EQ(env.stats.zero_fill_write, 2u); // first touches of the shared memory
    EXPECT_EQ(env.stats.file_faults, 1u); // the parent's read of the child's page
    space.clear();
    EXPECT_EQ(peek(*child, a + 3 * P), 4);
    child.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
    EXPECT_EQ(env.stats.page_cache_pages, 0u);
}

// A page-cache miss sleeps while the Pager reads. Whatever happened meanwhile, the fault
// must notice and back out cleanly (issue: faults that survive sleeping).

TEST_F(FileMapTest, AFaultThatSleptFindsThePageAlreadyMappedAndRetries)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, false);
    // Another thread of the process faults the same page while our read is in progress.
    pager.while_reading = [&](u64) { EXPECT_EQ(touch(*space, a, FaultAccess::Read), FaultResult::Handled); };
    u64 free_before = env.frames.free_frames();
    EXPECT_EQ(touch(*space, a, FaultAccess::Read), FaultResult::Retry);
    // The other fault's frames in the cache (it read the 2-page file ahead), one PTE mapping
    // page 0, and nothing else taken: our two frames went back.
    EXPECT_EQ(cache->cached_pages(), 2u);
    EXPECT_EQ(env.frames.ref_count(cache_frame(0)), 2u);
    EXPECT_EQ(space->page_table().query(a).frame, cache_frame(0));
    EXPECT_EQ(env.frames.free_frames(), free_before - 2);
    EXPECT_EQ(env.stats.page_cache_reads, 2u);
    EXPECT_EQ(pager.reads, 4u); // both read both pages
    EXPECT_EQ(peek(*space, a), FakePager::pattern(0));
}

TEST_F(FileMapTest, AFaultThatSleptWhileTheRangeWasUnmappedRetriesAndThenSegfaults)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, true);
    pager.while_reading = [&](u64) { MUST(space->unmap(a, 2 * P)); };
    u64 free_before = env.frames.free_frames();
    // ASan would report a use of the freed Mapping here if the fault touched it again.
    EXPECT_EQ(touch(*space, a, FaultAccess::Write), FaultResult::Retry);
    EXPECT_EQ(touch(*space, a, FaultAccess::Write), FaultResult::Segv);
    EXPECT_EQ(cache->cached_pages(), 2u); // read once (with its neighbour ahead), kept for the next reader
    EXPECT_EQ(env.frames.free_frames(), free_before - 2);
    EXPECT_FALSE(cache->is_mapped());
}

TEST_F(FileMapTest, AFaultThatSleptWhileTheFileShrankIsSigbus)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, false);
    pager.while_reading = [&](u64) { cache->set_size(0); };
    u64 free_before = env.frames.free_frames();
    EXPECT_EQ(touch(*space, a + P, FaultAccess::Read), FaultResult::Bus);
    EXPECT_EQ(cache->cached_pages(), 0u); // no page past the end enters the cache
    EXPECT_EQ(env.frames.free_frames(), free_before);
}

TEST_F(FileMapTest, EntryPointsRefuseToRunWithoutTheVmLock)
{
    open_file(P);
    VirtAddr a = map(*space, 1, true);
    EXPECT_DEATH(
        {
            MmEnvironment::vm_lock_held = false;
            (void)space->unmap(a, P);
        },
        "VERIFY");
    EXPECT_DEATH(
        {
            MmEnvironment::vm_lock_held = false;
            (void)touch(*space, a, FaultAccess::Read);
        },
        "VERIFY");
}

// /proc/<pid>/mem's forced write into a PROT_READ private file mapping (remote_memory.h): a
// private copy, mapped read-only; the cache page never changes, also after MADV_DONTNEED
// dropped the copy (the Dirty COW sequence); a PROT_READ shared mapping refuses it.
TEST_F(FileMapTest, ForcedWriteCopiesAReadOnlyPrivatePageAndNeverTheCache)
{
    open_file(2 * P);
    VirtAddr a = map(*space, 2, false, 0, VM_READ);
    Errno error = Errno::Invalid;
    char const text[] = "QQ";
    EXPECT_EQ(remote_write_forced(*space, a + P - 1, text, 2, error), 2u); // across two pages, untouched
    EXPECT_EQ(env.stats.file_cow, 2u);
    PteInfo copy = space->page_table().query(a);
    EXPECT_TRUE(copy.present && !copy.writable);
    EXPECT_NE(copy.frame, cache_frame(0));
    EXPECT_EQ(peek(*space, a + P - 1), 'Q');
    EXPECT_EQ(peek(*space, a + P), 'Q');
    EXPECT_EQ(remote_write_forced(*space, a, text, 1, error), 1u); // the copy is its own now
    EXPECT_EQ(env.stats.file_cow, 2u);
    for (int round = 0; round < 3; ++round) {
        MUST(space->discard(a, 2 * P));
        EXPECT_EQ(peek(*space, a), FakePager::pattern(0)); // maps the cache frame read-only
        EXPECT_EQ(remote_write_forced(*space, a, text, 1, error), 1u);
    }
    EXPECT_EQ(env.stats.file_cow, 5u);
    EXPECT_EQ(file_byte(0), FakePager::pattern(0));
    EXPECT_EQ(file_byte(P - 1), FakePager::pattern(P - 1));
    EXPECT_EQ(file_byte(P), FakePager::pattern(P));
    EXPECT_FALSE(cache->has_dirty_pages());

    VirtAddr s = map(*space, 1, true, 0, VM_READ);
    EXPECT_EQ(remote_write_forced(*space, s, text, 1, error), 0u);
    EXPECT_EQ(error, Errno::BadAddress);
    EXPECT_EQ(file_byte(0), FakePager::pattern(0));
    space.clear();
    cache.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}
