// PageCache read-ahead (kernel/mm/page_cache_read_ahead.cpp) against a FakePager: windows
// read with the page asked for, hits counted, errors only for the reader whose page failed,
// nothing kept across a shrink, nothing past the end of the file.
#include "kernel/mm/page_cache.h"
#include "mm_test_helpers.h"
#include "tests/host/fakes/fake_pager.h"
#include <algorithm>
#include <vector>

namespace {

struct ReadAheadCacheTest : ::testing::Test {
    MmEnvironment env;
    FakePager pager;
    RefPtr<PageCache> cache;

    void open_file(usize size)
    {
        pager.fill(size);
        cache = MUST(PageCache::create(env.context, pager, size));
    }
    // read() of `n` bytes at `offset`; true if it gave the file's bytes.
    bool read_matches(u64 offset, usize n)
    {
        std::vector<u8> out(n);
        if (MUST(cache->read(offset, out.data(), n)) != n)
            return false;
        for (usize i = 0; i < n; ++i)
            if (out[i] != pager.file[offset + i])
                return false;
        return true;
    }
};

}

TEST_F(ReadAheadCacheTest, ASequentialReadReadsWindowsAheadAndUsesThem)
{
    open_file(64 * P);
    EXPECT_TRUE(read_matches(0, 4 * P)); // a first window of 8 pages, its marker at page 4
    EXPECT_EQ(cache->cached_pages(), 8u);
    EXPECT_EQ(env.stats.readahead_pages, 7u);
    EXPECT_EQ(env.stats.readahead_hits, 3u);
    EXPECT_TRUE(cache->is_read_ahead_marker(4));
    EXPECT_TRUE(read_matches(4 * P, 4 * P)); // reaching the marker reads the next 16 pages
    EXPECT_EQ(env.stats.readahead_async, 1u);
    EXPECT_EQ(cache->cached_pages(), 24u);
    EXPECT_FALSE(cache->is_read_ahead_marker(4));
    for (u64 offset = 8 * P; offset < 64 * P; offset += 4 * P)
        EXPECT_TRUE(read_matches(offset, 4 * P));
    EXPECT_EQ(pager.reads, 64u); // every page once
    EXPECT_EQ(env.stats.page_cache_reads, 64u);
    EXPECT_EQ(env.stats.readahead_pages, 63u);
    EXPECT_EQ(env.stats.readahead_hits, 63u);
}

TEST_F(ReadAheadCacheTest, RandomReadsReadOnlyTheirPages)
{
    open_file(64 * P);
    EXPECT_TRUE(read_matches(40 * P, 100));
    EXPECT_TRUE(read_matches(9 * P, P));
    EXPECT_TRUE(read_matches(30 * P + 5, 10));
    EXPECT_EQ(pager.reads, 3u);
    EXPECT_EQ(env.stats.readahead_pages, 0u);
}

TEST_F(ReadAheadCacheTest, TheWindowStopsAtTheEndOfTheFile)
{
    open_file(5 * P + 10);
    EXPECT_TRUE(read_matches(0, 5 * P + 10));
    EXPECT_EQ(pager.reads, 6u);
    EXPECT_EQ(cache->cached_pages(), 6u);
}

TEST_F(ReadAheadCacheTest, AFailedReadAheadPageIsNotTheReadersError)
{
    open_file(16 * P);
    pager.failing_pages = { 3 };
    // The window (pages 0-7) fails as a whole; page 0 is read alone and its reader gets it.
    EXPECT_TRUE(read_matches(0, 100));
    EXPECT_EQ(cache->cached_pages(), 1u);
    // The reader of page 3 itself gets the error.
    u8 byte;
    auto failed = cache->read(3 * P, &byte, 1);
    ASSERT_TRUE(failed.is_error());
    EXPECT_EQ(failed.error(), Errno::IoError);
    // Once the bad block is good again, it reads.
    pager.failing_pages.clear();
    EXPECT_TRUE(read_matches(3 * P, P));
    EXPECT_EQ(env.frames.free_frames() + cache->cached_pages(), env.initial_free());
}

TEST_F(ReadAheadCacheTest, NothingReadBeforeAShrinkIsKept)
{
    open_file(16 * P);
    // While the window is read, the file is cut to one page and grown again, as
    // ftruncate(1 page) then ftruncate(16 pages) would: the pages past the cut are zeros now.
    pager.while_reading = [&](u64) {
        cache->set_size(P);
        cache->set_size(16 * P);
        std::fill(pager.file.begin() + P, pager.file.end(), 0);
    };
    EXPECT_TRUE(read_matches(0, 16 * P));
    std::vector<u8> out(15 * P);
    EXPECT_EQ(MUST(cache->read(P, out.data(), out.size())), out.size());
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](u8 b) { return b == 0; }));
}

TEST_F(ReadAheadCacheTest, FaultAroundLeavesTheMarkerForItsFault)
{
    open_file(64 * P);
    MUST(cache->get_page_reading_ahead(0, PageCache::ReadAheadUse::Fault)); // 4 pages, marker at 1
    FrameNumber frame;
    EXPECT_FALSE(cache->find_page_to_map_around(1, frame));
    EXPECT_TRUE(cache->find_page_to_map_around(2, frame));
    EXPECT_EQ(env.stats.readahead_hits, 1u); // page 2, mapped around
    MUST(cache->get_page_reading_ahead(1, PageCache::ReadAheadUse::Fault)); // the marker's fault
    EXPECT_EQ(env.stats.readahead_async, 1u);
    EXPECT_EQ(cache->cached_pages(), 12u); // and the next 8 pages
}
