// ReadAhead: the window decisions of read-ahead (kernel/mm/read_ahead.h), against the
// sequence Linux's on-demand read-ahead gives for the same accesses.
#include "kernel/mm/read_ahead.h"
#include <gtest/gtest.h>

namespace {

constexpr u64 FILE_PAGES = 1000;
constexpr u64 MAX = ReadAhead::MAX_PAGES;

TEST(ReadAhead, SizesGrowFromTheRequestToTheMaximum)
{
    EXPECT_EQ(ReadAhead::initial_size(1), 4u); // small requests: four times
    EXPECT_EQ(ReadAhead::initial_size(4), 8u); // middling ones: twice
    EXPECT_EQ(ReadAhead::initial_size(3), 8u); // rounded up to a power of two first
    EXPECT_EQ(ReadAhead::initial_size(16), MAX); // big ones: the maximum
    EXPECT_EQ(ReadAhead::initial_size(500), MAX);
    EXPECT_EQ(ReadAhead::next_size(1), 4u);
    EXPECT_EQ(ReadAhead::next_size(4), 8u);
    EXPECT_EQ(ReadAhead::next_size(8), 16u);
    EXPECT_EQ(ReadAhead::next_size(16), MAX);
    EXPECT_EQ(ReadAhead::next_size(MAX), MAX);
}

TEST(ReadAhead, SequentialReadsPushTheWindowForwardFromItsMarker)
{
    ReadAhead ra;
    auto first = ra.on_read_miss(0, 16, FILE_PAGES); // read() of 64 KiB at the start
    EXPECT_EQ(first.first, 0u);
    EXPECT_EQ(first.count, MAX);
    EXPECT_EQ(first.marker, 16u); // where the next read() starts: before the window runs out
    auto second = ra.on_marker(16, FILE_PAGES);
    EXPECT_EQ(second.first, MAX);
    EXPECT_EQ(second.count, MAX);
    EXPECT_EQ(second.marker, MAX); // from now on the marker is each window's first page
    auto third = ra.on_marker(MAX, FILE_PAGES);
    EXPECT_EQ(third.first, 2 * MAX);
    EXPECT_EQ(third.marker, 2 * MAX);
}

TEST(ReadAhead, ASmallFirstReadStartsSmallAndGrows)
{
    ReadAhead ra;
    auto window = ra.on_read_miss(0, 1, FILE_PAGES);
    EXPECT_EQ(window.first, 0u);
    EXPECT_EQ(window.count, 4u);
    EXPECT_EQ(window.marker, 1u);
    u64 sizes[4];
    for (u64& size : sizes) {
        window = ra.on_marker(window.marker, FILE_PAGES);
        size = window.count;
    }
    EXPECT_EQ(sizes[0], 8u);
    EXPECT_EQ(sizes[1], 16u);
    EXPECT_EQ(sizes[2], MAX);
    EXPECT_EQ(sizes[3], MAX); // and stays there
}

TEST(ReadAhead, AMissJustPastTheWindowIsStillSequential)
{
    ReadAhead ra;
    auto window = ra.on_read_miss(0, 16, FILE_PAGES);
    // The marker was dropped (evicted, say); the reader misses the first page after the window.
    auto next = ra.on_read_miss(window.first + window.count, 16, FILE_PAGES);
    EXPECT_EQ(next.first, MAX);
    EXPECT_EQ(next.count, MAX);
}

TEST(ReadAhead, RandomReadsReadWhatIsAskedAndLeaveTheStateAlone)
{
    ReadAhead ra;
    (void)ra.on_read_miss(0, 16, FILE_PAGES);
    u64 start = ra.start(), size = ra.size();
    auto window = ra.on_read_miss(700, 1, FILE_PAGES);
    EXPECT_EQ(window.first, 700u);
    EXPECT_EQ(window.count, 1u);
    EXPECT_EQ(window.marker, ReadAhead::NO_MARKER);
    window = ra.on_read_miss(123, 2, FILE_PAGES);
    EXPECT_EQ(window.count, 2u);
    EXPECT_EQ(window.marker, ReadAhead::NO_MARKER);
    EXPECT_EQ(ra.start(), start);
    EXPECT_EQ(ra.size(), size);
}

TEST(ReadAhead, AReadRightAfterTheLastPageStartsAWindow)
{
    ReadAhead ra;
    (void)ra.on_read_miss(500, 1, FILE_PAGES); // random
    auto window = ra.on_read_miss(501, 1, FILE_PAGES); // the page after: sequential
    EXPECT_EQ(window.first, 501u);
    EXPECT_EQ(window.count, 4u);
    EXPECT_NE(window.marker, ReadAhead::NO_MARKER);
}

TEST(ReadAhead, WindowsStopAtTheEndOfTheFile)
{
    ReadAhead ra;
    auto window = ra.on_read_miss(0, 16, 20);
    EXPECT_EQ(window.count, 20u);
    EXPECT_EQ(window.marker, 16u);
    window = ra.on_marker(16, 20);
    EXPECT_EQ(window.count, 0u); // nothing left past the end
    EXPECT_EQ(window.marker, ReadAhead::NO_MARKER);
    EXPECT_EQ(ra.on_read_miss(20, 1, 20).count, 0u);
    // A marker that would fall past the end is not set.
    ReadAhead short_file;
    window = short_file.on_read_miss(0, 1, 2);
    EXPECT_EQ(window.count, 2u);
    EXPECT_EQ(window.marker, 1u);
    window = short_file.on_read_miss(0, 4, 3);
    EXPECT_EQ(window.count, 3u);
    EXPECT_EQ(window.marker, ReadAhead::NO_MARKER); // at page 4
}

TEST(ReadAhead, FaultsReadAroundAndStopWhenTheyKeepMissing)
{
    ReadAhead ra;
    auto window = ra.on_fault_miss(100, FILE_PAGES);
    EXPECT_EQ(window.first, 100 - MAX / 2);
    EXPECT_EQ(window.count, MAX);
    EXPECT_TRUE(window.contains(100));
    EXPECT_EQ(window.marker, window.first + MAX - MAX / 4);
    // Near the start the window begins at page 0.
    ReadAhead start;
    window = start.on_fault_miss(3, FILE_PAGES);
    EXPECT_EQ(window.first, 0u);
    EXPECT_EQ(window.count, MAX);

    // Faults all over the file that keep missing: read-around stops paying and stops.
    ReadAhead scattered;
    for (u64 i = 0; i < ReadAhead::FAULT_MISSES_LIMIT; ++i)
        EXPECT_EQ(scattered.on_fault_miss(7 * i % 900 + 50 + (i % 2) * 3, FILE_PAGES).count, MAX) << i;
    EXPECT_EQ(scattered.on_fault_miss(960, FILE_PAGES).count, 1u);
    scattered.fault_hit();
    scattered.fault_hit(); // hits pay it back
    EXPECT_EQ(scattered.on_fault_miss(300, FILE_PAGES).count, MAX);
}

TEST(ReadAhead, SequentialFaultsGrowLikeReads)
{
    ReadAhead ra;
    auto window = ra.on_fault_miss(0, FILE_PAGES);
    EXPECT_EQ(window.first, 0u);
    EXPECT_EQ(window.count, 4u);
    EXPECT_EQ(window.marker, 1u);
    window = ra.on_marker(1, FILE_PAGES);
    EXPECT_EQ(window.first, 4u);
    EXPECT_EQ(window.count, 8u);
    EXPECT_EQ(window.marker, 4u);
}

TEST(ReadAhead, AStaleMarkerStartsAFullWindowAfterIt)
{
    ReadAhead ra;
    (void)ra.on_read_miss(0, 16, FILE_PAGES); // marker at 16
    (void)ra.on_read_miss(400, 40, FILE_PAGES); // another stream moved the state (a big read: a window)
    auto window = ra.on_marker(16, FILE_PAGES); // the first stream reaches its old marker
    EXPECT_EQ(window.first, 17u);
    EXPECT_EQ(window.count, MAX);
}

}
