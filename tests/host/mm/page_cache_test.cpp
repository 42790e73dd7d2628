// PageCache on its own: read()/write() through the cache, size changes, dirty bookkeeping,
// write-back, eviction, and the radix index, against a FakePager.
#include "kernel/mm/page_cache.h"
#include "kernel/mm/reclaim.h"
#include "mm_test_helpers.h"
#include "tests/host/fakes/fake_pager.h"
#include <vector>

namespace {

u64 g_now = 0;
u64 fake_clock() { return g_now; }

struct CacheTest : ::testing::Test {
    MmEnvironment env;
    FakePager pager;
    RefPtr<PageCache> cache;

    void SetUp() override
    {
        g_now = 1000;
        env.context.clock_ns = fake_clock;
    }
    void open_file(usize size)
    {
        pager.fill(size);
        cache = MUST(PageCache::create(env.context, pager, size));
    }
    std::vector<u8> read_all()
    {
        std::vector<u8> out(cache->size());
        EXPECT_EQ(MUST(cache->read(0, out.data(), out.size())), out.size());
        return out;
    }
};

}

TEST_F(CacheTest, ReadGoesThroughTheCacheAndReadsEachPageOnce)
{
    open_file(3 * P + 100);
    std::vector<u8> bytes = read_all();
    EXPECT_EQ(bytes, pager.file);
    EXPECT_EQ(pager.reads, 4u);
    EXPECT_EQ(env.stats.page_cache_reads, 4u);
    EXPECT_EQ(env.stats.page_cache_pages, 4u);
    EXPECT_EQ(cache->cached_pages(), 4u);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free() - 4);
    // Again: all hits.
    EXPECT_EQ(read_all(), pager.file);
    EXPECT_EQ(pager.reads, 4u);
    // Partial reads at the end, and at/after EOF.
    u8 tail[200];
    EXPECT_EQ(MUST(cache->read(3 * P + 50, tail, sizeof tail)), 50u);
    EXPECT_EQ(tail[0], FakePager::pattern(3 * P + 50));
    EXPECT_EQ(MUST(cache->read(3 * P + 100, tail, sizeof tail)), 0u);
    EXPECT_EQ(MUST(cache->read(100 * P, tail, sizeof tail)), 0u);
    cache.clear();
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
    EXPECT_EQ(env.stats.page_cache_pages, 0u);
}

TEST_F(CacheTest, ReadErrorIsReturnedAndNothingCached)
{
    open_file(2 * P);
    pager.fail_reads = true;
    u8 buffer[10];
    auto result = cache->read(0, buffer, sizeof buffer);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::IoError);
    EXPECT_EQ(cache->cached_pages(), 0u);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST_F(CacheTest, WriteExtendsTheFileAndDirtiesPages)
{
    open_file(P + 10);
    std::vector<u8> data(P, 0x5a);
    // Starts inside page 1 (partially in the file, so it is read first), ends in page 3.
    EXPECT_EQ(MUST(cache->write(P + 2000, data.data(), data.size())), P);
    EXPECT_EQ(cache->size(), 2 * P + 2000);
    EXPECT_EQ(pager.reads, 1u); // page 1 only; page 2 lies past the old end
    EXPECT_EQ(cache->dirty_pages(), 2u);
    EXPECT_EQ(env.stats.dirty_pages, 2u);
    EXPECT_TRUE(cache->is_dirty(1));
    EXPECT_TRUE(cache->is_dirty(2));
    EXPECT_FALSE(cache->is_dirty(0));
    std::vector<u8> bytes = read_all();
    EXPECT_EQ(bytes[P + 9], FakePager::pattern(P + 9));
    EXPECT_EQ(bytes[P + 10], 0); // the gap between the old end and the write reads as zeros
    EXPECT_EQ(bytes[P + 1999], 0);
    EXPECT_EQ(bytes[P + 2000], 0x5a);
    EXPECT_EQ(bytes[2 * P + 1999], 0x5a);
    EXPECT_EQ(pager.file.size(), P + 10); // nothing written back yet
}

TEST_F(CacheTest, WholePageWriteDoesNotRead)
{
    open_file(4 * P);
    std::vector<u8> data(2 * P, 1);
    EXPECT_EQ(MUST(cache->write(P, data.data(), data.size())), 2 * P);
    EXPECT_EQ(pager.reads, 0u);
    EXPECT_EQ(cache->size(), 4 * P);
}

TEST_F(CacheTest, WriteBackWritesExactlyTheDirtyPagesOnce)
{
    open_file(4 * P);
    u8 byte = 9;
    MUST(cache->write(0, &byte, 1));
    MUST(cache->write(2 * P + 5, &byte, 1));
    MUST(cache->write(2 * P + 6, &byte, 1)); // same page again
    (void)read_all(); // pages 1 and 3 cached clean
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(pager.writes, 2u);
    EXPECT_EQ(pager.writes_of_page[0], 1u);
    EXPECT_EQ(pager.writes_of_page[2], 1u);
    EXPECT_EQ(pager.file[2 * P + 6], 9);
    EXPECT_EQ(env.stats.written_back_pages, 2u);
    EXPECT_EQ(env.stats.dirty_pages, 0u);
    EXPECT_FALSE(cache->has_dirty_pages());
    // Nothing dirty: nothing written.
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(pager.writes, 2u);
    // Written again after write-back: written again.
    byte = 10;
    MUST(cache->write(2 * P, &byte, 1));
    MUST(cache->write_back(0, 1, WriteBackReason::Sync)); // range without it
    EXPECT_EQ(pager.writes, 2u);
    MUST(cache->write_back(2, 2, WriteBackReason::Sync));
    EXPECT_EQ(pager.writes_of_page[2], 2u);
    EXPECT_EQ(pager.file[2 * P], 10);
}

TEST_F(CacheTest, WriteBackOfTheLastPageWritesOnlyTheValidBytes)
{
    open_file(0);
    u8 data[100];
    memset(data, 3, sizeof data);
    MUST(cache->write(P, data, sizeof data));
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(pager.file.size(), P + 100); // page 1 written with 100 valid bytes
    EXPECT_EQ(pager.writes, 1u); // page 0 is a hole nobody wrote: never cached
}

TEST_F(CacheTest, FailedWriteBackKeepsThePageDirty)
{
    open_file(2 * P);
    u8 byte = 1;
    MUST(cache->write(0, &byte, 1));
    MUST(cache->write(P, &byte, 1));
    pager.fail_writes = true;
    auto result = cache->write_back_all(WriteBackReason::Sync);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::IoError);
    EXPECT_EQ(pager.writes, 2u); // both tried
    EXPECT_EQ(cache->dirty_pages(), 2u);
    EXPECT_EQ(env.stats.written_back_pages, 0u);
    pager.fail_writes = false;
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(cache->dirty_pages(), 0u);
    EXPECT_EQ(pager.file[P], 1);
}

TEST_F(CacheTest, FlusherWritesOnlyOldDirtyPages)
{
    open_file(3 * P);
    u8 byte = 1;
    g_now = 1000;
    MUST(cache->write(0, &byte, 1));
    g_now = 5000;
    MUST(cache->write(P, &byte, 1));
    MUST(cache->write(0, &byte, 1)); // already dirty: keeps its first time
    MUST(cache->write_back_older_than(6000, 3000));
    EXPECT_EQ(pager.writes, 1u);
    EXPECT_EQ(pager.writes_of_page[0], 1u);
    EXPECT_TRUE(cache->is_dirty(1));
    MUST(cache->write_back_older_than(8000, 3000));
    EXPECT_EQ(pager.writes_of_page[1], 1u);
    EXPECT_FALSE(cache->has_dirty_pages());
}

TEST_F(CacheTest, WriteBackHandsSeveralRunsToThePagerInOneBatch)
{
    open_file(12 * P);
    (void)read_all(); // every page cached clean
    u8 byte = 4;
    for (u64 index : { 0, 1, 2, 5, 6, 9 })
        MUST(cache->write(index * P + 7, &byte, 1));
    MUST(cache->write_back_all(WriteBackReason::Sync));
    // Three runs (0-2, 5-6, 9) cut by clean pages, yet one call: one wait for all of them.
    ASSERT_EQ(pager.write_batches.size(), 1u);
    EXPECT_EQ(pager.write_batches[0], (std::vector<u64> { 0, 1, 2, 5, 6, 9 }));
    EXPECT_EQ(env.stats.write_back_batches, 1u);
    EXPECT_EQ(env.stats.write_back_batch_peak, 6u);
    EXPECT_EQ(env.stats.written_back_pages, 6u);
    EXPECT_FALSE(cache->has_dirty_pages());
    EXPECT_EQ(pager.file[9 * P + 7], 4);
}

TEST(PageCacheWriteBack, BatchesHoldAtMostTheirCapacity)
{
    constexpr u64 pages = 2500; // 1024 + 1024 + 452
    MmEnvironment env(pages + 64);
    FakePager pager;
    RefPtr<PageCache> cache = MUST(PageCache::create(env.context, pager, 0));
    std::vector<u8> data(pages * P, 5);
    MUST(cache->write(0, data.data(), data.size()));
    MUST(cache->write_back_all(WriteBackReason::Sync));
    ASSERT_EQ(pager.write_batches.size(), 3u);
    EXPECT_EQ(pager.write_batches[0].size(), 1024u);
    EXPECT_EQ(pager.write_batches[1].front(), 1024u);
    EXPECT_EQ(pager.write_batches[2].size(), 452u);
    EXPECT_EQ(env.stats.write_back_batch_peak, 1024u);
    EXPECT_EQ(pager.file, data);
}

TEST_F(CacheTest, PageRedirtiedWhileItsBatchIsInFlightStaysDirty)
{
    open_file(4 * P);
    u8 byte = 1;
    for (u64 index = 0; index < 4; ++index)
        MUST(cache->write(index * P, &byte, 1));
    // While the batch is "on the disk" a store lands in page 2 (a write fault does the same:
    // write-back write-protected the page before the I/O).
    pager.while_writing = [&] {
        EXPECT_FALSE(cache->is_dirty(2)); // marked clean before the I/O
        u8 later = 2;
        MUST(cache->write(2 * P + 1, &later, 1));
    };
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_TRUE(cache->is_dirty(2));
    EXPECT_EQ(cache->dirty_pages(), 1u);
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(pager.write_batches.size(), 2u);
    EXPECT_EQ(pager.write_batches[1], (std::vector<u64> { 2 }));
    EXPECT_EQ(pager.file[2 * P + 1], 2);
    EXPECT_FALSE(cache->has_dirty_pages());
}

TEST_F(CacheTest, OneFailedPageKeepsItsWholeBatchDirtyAndLosesNothing)
{
    open_file(4 * P);
    u8 byte = 6;
    for (u64 index = 0; index < 4; ++index)
        MUST(cache->write(index * P, &byte, 1));
    g_now = 2000;
    pager.while_writing = [&] {
        u8 later = 7;
        MUST(cache->write(3 * P, &later, 1)); // re-dirtied in flight: dirty since 2000
    };
    pager.failing_writes = { 1 };
    auto result = cache->write_back_all(WriteBackReason::Sync);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::IoError); // what msync and fsync turn into EIO
    EXPECT_EQ(cache->dirty_pages(), 4u); // the batch's pages written or not: all dirty again
    EXPECT_EQ(env.stats.written_back_pages, 0u);
    // Page 0 keeps its first dirty time (1000), page 3 its newer one: the flusher at 4500
    // with age 3000 takes 0-2 only.
    pager.failing_writes.clear();
    MUST(cache->write_back_older_than(4500, 3000));
    EXPECT_EQ(pager.write_batches.back(), (std::vector<u64> { 0, 1, 2 }));
    EXPECT_TRUE(cache->is_dirty(3));
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(pager.file[P], 6);
    EXPECT_EQ(pager.file[3 * P], 7);
}

TEST_F(CacheTest, FlusherWritesAllItsOldPagesInOneBatch)
{
    open_file(6 * P);
    u8 byte = 1;
    for (u64 index : { 0, 2, 4 })
        MUST(cache->write(index * P, &byte, 1));
    g_now = 5000;
    MUST(cache->write(P, &byte, 1)); // too young
    MUST(cache->write_back_older_than(6000, 3000));
    ASSERT_EQ(pager.write_batches.size(), 1u);
    EXPECT_EQ(pager.write_batches[0], (std::vector<u64> { 0, 2, 4 }));
    EXPECT_TRUE(cache->is_dirty(1));
}

TEST_F(CacheTest, ShrinkDropsPagesAndZeroesTheTail)
{
    open_file(4 * P);
    u8 byte = 1;
    MUST(cache->write(3 * P, &byte, 1)); // dirty page past the new end: discarded
    (void)read_all();
    EXPECT_EQ(cache->cached_pages(), 4u);
    cache->set_size(P + 100);
    pager.file.resize(P + 100); // the file system truncates its own storage
    EXPECT_EQ(cache->size(), P + 100);
    EXPECT_EQ(cache->cached_pages(), 2u);
    EXPECT_EQ(cache->dirty_pages(), 0u);
    EXPECT_EQ(env.stats.dirty_pages, 0u);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free() - 2);
    // Grow again: the old tail and the new pages read as zeros.
    cache->set_size(3 * P);
    pager.file.resize(3 * P);
    std::vector<u8> bytes = read_all();
    EXPECT_EQ(bytes[P + 99], FakePager::pattern(P + 99));
    EXPECT_EQ(bytes[P + 100], 0);
    EXPECT_EQ(bytes[2 * P + 5], 0);
}

TEST_F(CacheTest, EvictionDropsOnlyCleanPages)
{
    open_file(4 * P);
    (void)read_all();
    u8 byte = 1;
    MUST(cache->write(P, &byte, 1));
    FrameNumber pinned;
    ASSERT_TRUE(cache->find_page(2, pinned));
    env.frames.ref(pinned); // as a PTE would
    EXPECT_EQ(cache->evict_clean_pages(100, true).evicted, 2u); // pages 0 and 3
    EXPECT_EQ(env.stats.page_cache_evictions, 2u);
    FrameNumber frame;
    EXPECT_FALSE(cache->find_page(0, frame));
    EXPECT_TRUE(cache->find_page(1, frame));
    EXPECT_TRUE(cache->find_page(2, frame));
    EXPECT_FALSE(cache->find_page(3, frame));
    EXPECT_EQ(env.stats.page_cache_pages, 2u);
    env.frames.unref(pinned);
    // A later access reads the page again.
    usize reads = pager.reads;
    EXPECT_EQ(read_all(), [&] {
        auto f = pager.file;
        f[P] = 1;
        return f;
    }());
    EXPECT_EQ(pager.reads, reads + 2);
}

// /proc/sys/vm/drop_caches: every clean page no PTE maps goes, from every backed cache;
// dirty and mapped pages stay, and nothing is written back.
TEST_F(CacheTest, DropCachesTakesEveryCleanUnmappedPageAndWritesNothing)
{
    open_file(4 * P);
    (void)read_all();
    FakePager other_pager;
    other_pager.fill(3 * P);
    auto other = MUST(PageCache::create(env.context, other_pager, 3 * P));
    u8 buffer[3 * P];
    EXPECT_EQ(MUST(other->read(0, buffer, sizeof buffer)), sizeof buffer);
    u8 byte = 1;
    MUST(cache->write(P, &byte, 1)); // dirty
    FrameNumber mapped;
    ASSERT_TRUE(cache->find_page(2, mapped));
    env.frames.ref(mapped); // as a PTE would
    usize writes = pager.writes;
    EXPECT_EQ(drop_clean_unmapped_pages(env.context), 5u); // pages 0 and 3, and the other file's 3
    EXPECT_EQ(env.stats.drop_pagecache, 1u);
    EXPECT_EQ(pager.writes, writes);
    FrameNumber frame;
    EXPECT_FALSE(cache->find_page(0, frame));
    EXPECT_TRUE(cache->find_page(1, frame));
    EXPECT_TRUE(cache->find_page(2, frame));
    EXPECT_FALSE(cache->find_page(3, frame));
    EXPECT_EQ(other->cached_pages(), 0u);
    EXPECT_EQ(env.stats.page_cache_pages, 2u);
    env.frames.unref(mapped);
}

TEST_F(CacheTest, EvictionStopsAtWanted)
{
    open_file(4 * P);
    (void)read_all();
    EXPECT_EQ(cache->evict_clean_pages(1, true).evicted, 1u);
    EXPECT_EQ(cache->cached_pages(), 3u);
}

// The clock's hand: each scan goes on from where the last stopped, and looks at no more
// pages than it is allowed (pinned pages here, which it cannot take).
TEST_F(CacheTest, EvictionResumesWhereItStoppedAndBoundsItsScan)
{
    open_file(4 * P);
    (void)read_all();
    FrameNumber frame;
    EXPECT_EQ(cache->evict_clean_pages(1, true).evicted, 1u);
    EXPECT_FALSE(cache->find_page(0, frame));
    EXPECT_EQ(cache->evict_clean_pages(1, true).evicted, 1u);
    EXPECT_FALSE(cache->find_page(1, frame)); // not page 0 again: it went on
    FrameNumber pinned[2];
    ASSERT_TRUE(cache->find_page(2, pinned[0]));
    ASSERT_TRUE(cache->find_page(3, pinned[1]));
    env.frames.ref(pinned[0]);
    EXPECT_EQ(cache->evict_clean_pages(10, true, 1).evicted, 0u); // looked only at page 2
    EXPECT_TRUE(cache->find_page(3, frame));
    EXPECT_EQ(cache->evict_clean_pages(10, true, 1).evicted, 1u); // then at page 3
    EXPECT_FALSE(cache->find_page(3, frame));
    EXPECT_EQ(cache->evict_clean_pages(10, true).evicted, 0u); // around again: page 2 is pinned
    env.frames.unref(pinned[0]);
}

TEST_F(CacheTest, NonBackedCacheIsNeverDirtyNorEvictedAndHolesNeedNoFrame)
{
    FakePager tmpfs(false);
    auto memory = MUST(PageCache::create(env.context, tmpfs, 0));
    u8 data[3] = { 1, 2, 3 };
    MUST(memory->write(2 * P, data, 3));
    EXPECT_EQ(memory->size(), 2 * P + 3);
    EXPECT_FALSE(memory->has_dirty_pages());
    EXPECT_EQ(env.stats.dirty_pages, 0u);
    u8 buffer[2 * P + 3];
    EXPECT_EQ(MUST(memory->read(0, buffer, sizeof buffer)), sizeof buffer);
    EXPECT_EQ(buffer[0], 0);
    EXPECT_EQ(buffer[2 * P + 2], 3);
    EXPECT_EQ(memory->cached_pages(), 1u); // reading the holes allocated nothing
    EXPECT_EQ(memory->evict_clean_pages(10, true).evicted, 0u);
    MUST(memory->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(tmpfs.reads + tmpfs.writes, 0u);
}

// tmpfs's size limit: pages of the caches sharing a PageLimit stop at it with NoSpace (a
// write returns the short count first), holes cost nothing, and freed pages give room back.
TEST_F(CacheTest, PageLimitBoundsTheCachesThatShareItWithNoSpace)
{
    FakePager tmpfs(false);
    RefPtr<PageLimit> limit = MUST(PageLimit::create(3));
    auto first = MUST(PageCache::create(env.context, tmpfs, 0, limit));
    auto second = MUST(PageCache::create(env.context, tmpfs, 0, limit));
    std::vector<u8> data(2 * P + 10, 7);
    EXPECT_EQ(MUST(first->write(0, data.data(), data.size())), data.size()); // 3 pages
    EXPECT_EQ(limit->used_pages(), 3u);
    EXPECT_EQ(env.stats.unbacked_pages, 3u);
    u64 free_before = env.frames.free_frames();
    auto refused = second->write(0, data.data(), 1);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error(), Errno::NoSpace);
    EXPECT_EQ(env.frames.free_frames(), free_before) << "no frame taken for a refused page";
    auto refused_page = second->get_page(5); // a fault on a hole
    ASSERT_TRUE(refused_page.is_error());
    EXPECT_EQ(refused_page.error(), Errno::NoSpace);
    // Growing a file makes holes, which need no page; reading them needs none either.
    second->set_size(10 * P);
    u8 byte = 1;
    EXPECT_EQ(MUST(second->read(9 * P, &byte, 1)), 1u);
    EXPECT_EQ(byte, 0);
    // Shrinking the first file frees two pages: a write of three pages now stops after two.
    first->set_size(P);
    EXPECT_EQ(limit->used_pages(), 1u);
    EXPECT_EQ(MUST(second->write(0, data.data(), 3 * P)), 2 * P);
    EXPECT_EQ(limit->used_pages(), 3u);
    // Dropping a cache gives its pages back to the limit and its frames to the allocator.
    first.clear();
    second.clear();
    EXPECT_EQ(limit->used_pages(), 0u);
    EXPECT_EQ(env.stats.unbacked_pages, 0u);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

// Pages are user frames: they stop at the frame allocator's reserve (NoMemory), before the limit.
TEST_F(CacheTest, CachePagesStopAtTheFrameReserve)
{
    FakePager tmpfs(false);
    auto memory = MUST(PageCache::create(env.context, tmpfs, 0));
    env.frames.set_reserve(env.frames.free_frames() - 2);
    std::vector<u8> data(4 * P, 1);
    EXPECT_EQ(MUST(memory->write(0, data.data(), data.size())), 2 * P);
    auto refused = memory->write(2 * P, data.data(), P);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error(), Errno::NoMemory);
    EXPECT_GE(env.frames.reserve_refusals(), 1u);
    memory.clear();
    env.frames.set_reserve(0);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

// An ext2 file's cache pages become the only copy when its Pager detaches (the inode went
// while the file is still mapped): they are counted as such from then on.
TEST_F(CacheTest, DetachedPagesCountAsTheOnlyCopy)
{
    open_file(2 * P);
    (void)read_all();
    EXPECT_EQ(env.stats.unbacked_pages, 0u);
    MUST(cache->detach_pager());
    EXPECT_EQ(env.stats.unbacked_pages, 2u);
    cache.clear();
    EXPECT_EQ(env.stats.unbacked_pages, 0u);
}

TEST_F(CacheTest, DetachPagerWritesBackAndForgets)
{
    open_file(P);
    u8 byte = 4;
    MUST(cache->write(0, &byte, 1));
    MUST(cache->detach_pager());
    EXPECT_EQ(pager.file[0], 4);
    EXPECT_FALSE(cache->is_backed());
    MUST(cache->write(0, &byte, 1));
    EXPECT_FALSE(cache->has_dirty_pages());
}

TEST_F(CacheTest, HugeSparseFileUsesTheRadixIndex)
{
    open_file(0);
    u8 byte = 7;
    u64 far = 300 * MiB + 123;
    MUST(cache->write(far, &byte, 1));
    MUST(cache->write(5, &byte, 1));
    EXPECT_EQ(cache->size(), far + 1);
    EXPECT_EQ(cache->cached_pages(), 2u);
    u8 got = 0;
    EXPECT_EQ(MUST(cache->read(far, &got, 1)), 1u);
    EXPECT_EQ(got, 7);
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(pager.writes, 2u);
    auto too_far = cache->write(PageIndex::MAX_PAGES * PAGE_SIZE, &byte, 1);
    ASSERT_TRUE(too_far.is_error());
    EXPECT_EQ(too_far.error(), Errno::FileTooBig);
}

TEST(PageIndex, InsertFindRemoveAndIterate)
{
    PageIndex index;
    std::vector<u64> keys = { 0, 1, 63, 64, 4095, 4096, 262143, 262144, 99999999, PageIndex::MAX_PAGES - 1 };
    for (u64 key : keys)
        ASSERT_FALSE(index.insert(key, key + 1).is_error());
    EXPECT_EQ(index.count(), keys.size());
    EXPECT_TRUE(index.insert(PageIndex::MAX_PAGES, 1).is_error());
    for (u64 key : keys)
        ASSERT_NE(index.find(key), nullptr) << key;
    EXPECT_EQ(index.find(2), nullptr);
    EXPECT_EQ(index.find(65), nullptr);
    std::vector<u64> seen;
    u64 at = 0;
    while (CachedPage* page = index.next_present(at, ~u64(0), at)) {
        EXPECT_EQ(page->frame, at + 1);
        seen.push_back(at);
        ++at;
    }
    EXPECT_EQ(seen, keys);
    u64 found = 0;
    EXPECT_NE(index.next_present(65, 5000, found), nullptr);
    EXPECT_EQ(found, 4095u);
    EXPECT_EQ(index.next_present(4097, 262142, found), nullptr);
    for (u64 key : keys)
        index.remove(key);
    EXPECT_EQ(index.count(), 0u);
    EXPECT_EQ(index.next_present(0, ~u64(0), found), nullptr);
}

TEST(PageIndex, ManyPages)
{
    PageIndex index;
    for (u64 i = 0; i < 100000; ++i)
        ASSERT_FALSE(index.insert(i * 3, i).is_error());
    for (u64 i = 0; i < 100000; i += 7)
        ASSERT_EQ(index.find(i * 3)->frame, i);
    for (u64 i = 0; i < 100000; i += 2)
        index.remove(i * 3);
    EXPECT_EQ(index.count(), 50000u);
    EXPECT_EQ(index.find(0), nullptr);
    EXPECT_NE(index.find(3), nullptr);
}
