// The dirty limit (mm/dirty_limit.h): the thresholds, and a writer that checks before each
// slice never takes nr_dirty past the hard limit, writing back its own file first and then
// the others' down to the background limit.
#include "kernel/mm/dirty_limit.h"
#include "kernel/mm/page_cache.h"
#include "mm_test_helpers.h"
#include "tests/host/fakes/fake_pager.h"
#include <vector>

TEST(DirtyLimits, TwentyAndTenPercentOfTheFrames)
{
    DirtyLimits limits = dirty_limits(100000);
    EXPECT_EQ(limits.hard, 20000u);
    EXPECT_EQ(limits.background, 10000u);
    // A tiny machine still lets a slice through above the background limit.
    u64 slice = DIRTY_WRITE_SLICE / PAGE_SIZE;
    limits = dirty_limits(100);
    EXPECT_EQ(limits.hard, 2 * slice);
    EXPECT_EQ(limits.background, slice);
}

namespace {

struct DirtyLimitTest : ::testing::Test {
    MmEnvironment env { 4096 };
    DirtyLimits limits = dirty_limits(env.frames.total_frames());

    // What InodeFile's write() does: check, then copy one slice; `bytes` from `offset`.
    void write_like_a_writer(PageCache& cache, u64 offset, usize bytes)
    {
        std::vector<u8> slice(DIRTY_WRITE_SLICE, 0x42);
        for (usize done = 0; done < bytes; done += DIRTY_WRITE_SLICE) {
            usize n = std::min<usize>(DIRTY_WRITE_SLICE, bytes - done);
            balance_dirty_pages(cache, offset + done, n);
            ASSERT_EQ(MUST(cache.write(offset + done, slice.data(), n)), n);
        }
    }
};

}

TEST_F(DirtyLimitTest, AWriterPastTheLimitWritesBackAndNeverGoesOver)
{
    FakePager pager;
    RefPtr<PageCache> cache = MUST(PageCache::create(env.context, pager, 0));
    u64 pages = limits.hard * 3; // three times what may be dirty
    write_like_a_writer(*cache, 0, pages * P);
    EXPECT_LE(env.stats.dirty_pages_peak, limits.hard);
    EXPECT_GE(env.stats.dirty_throttled, 2u);
    EXPECT_EQ(env.stats.written_back_for[static_cast<usize>(WriteBackReason::Throttle)], pager.writes);
    EXPECT_GE(pager.writes, pages - limits.hard);
    // Everything written is there: on "disk" or still dirty in the cache.
    MUST(cache->write_back_all(WriteBackReason::Sync));
    ASSERT_GE(pager.file.size(), pages * P);
    for (u64 page = 0; page < pages; ++page)
        ASSERT_EQ(pager.file[page * P + 17], 0x42) << page;
}

TEST_F(DirtyLimitTest, BelowTheLimitNothingIsWrittenEarly)
{
    FakePager pager;
    RefPtr<PageCache> cache = MUST(PageCache::create(env.context, pager, 0));
    write_like_a_writer(*cache, 0, (limits.hard - DIRTY_WRITE_SLICE / P) * P);
    EXPECT_EQ(env.stats.dirty_throttled, 0u);
    EXPECT_EQ(pager.writes, 0u);
}

TEST_F(DirtyLimitTest, OtherFilesAreWrittenWhenTheWritersOwnAreNotEnough)
{
    FakePager other_pager, pager;
    RefPtr<PageCache> other = MUST(PageCache::create(env.context, other_pager, 0));
    RefPtr<PageCache> cache = MUST(PageCache::create(env.context, pager, 0));
    // Another file holds almost the whole allowance; the writer has next to nothing dirty.
    write_like_a_writer(*other, 0, (limits.hard - 10) * P);
    EXPECT_EQ(env.stats.dirty_throttled, 0u);
    write_like_a_writer(*cache, 0, DIRTY_WRITE_SLICE);
    EXPECT_EQ(env.stats.dirty_throttled, 1u);
    EXPECT_GT(other_pager.writes, 0u);
    EXPECT_LE(env.stats.dirty_pages, limits.background + DIRTY_WRITE_SLICE / P);
    EXPECT_LE(env.stats.dirty_pages_peak, limits.hard);
}

TEST_F(DirtyLimitTest, AFailingDiskDoesNotStopTheWriter)
{
    FakePager pager;
    pager.fail_writes = true;
    RefPtr<PageCache> cache = MUST(PageCache::create(env.context, pager, 0));
    write_like_a_writer(*cache, 0, (limits.hard + 64) * P); // goes on, pages stay dirty
    EXPECT_EQ(env.stats.dirty_pages, limits.hard + 64);
    EXPECT_GE(env.stats.dirty_throttled, 1u);
    pager.fail_writes = false;
    MUST(cache->write_back_all(WriteBackReason::Sync));
    EXPECT_EQ(env.stats.dirty_pages, 0u);
}
