#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/vm_stats.h"
#include <cstring>
#include <gtest/gtest.h>
#include <string>

TEST(VmStats, FormatsProcVmstatLines)
{
    VmStats stats;
    stats.page_faults = 7;
    stats.zero_fill_read = 1;
    stats.zero_fill_write = 2;
    stats.cow_copy = 3;
    stats.cow_reuse = 4;
    stats.file_faults = 5;
    stats.page_cache_pages = 6;
    stats.dirty_pages = 8;
    stats.written_back_pages = 9;
    stats.written_back_for[static_cast<usize>(WriteBackReason::Sync)] = 5;
    stats.written_back_for[static_cast<usize>(WriteBackReason::Unmap)] = 4;
    stats.write_back_batches = 3;
    stats.write_back_batch_peak = 6;
    stats.forks = 10;
    stats.unbacked_pages = 2;
    stats.oom_kills = 1;
    stats.stack_growths = 7;
    stats.stack_growths_refused = 2;
    stats.drop_pagecache = 2;
    stats.drop_slab = 1;
    stats.tlb_shootdowns = 3;
    stats.tlb_shootdown_cpus = 4;
    stats.tlb_shootdown_pages = 5;
    stats.tlb_shootdown_full = 1;
    Frame table[256];
    FrameAllocator frames(table, 0, 256);
    frames.add_free_range(0, 256);
    frames.set_reserve(16);
    for (int i = 0; i < 56; ++i)
        (void)MUST(frames.allocate());
    char buffer[1024];
    usize n = format_vmstat(stats, frames, buffer, sizeof buffer);
    std::string text(buffer);
    EXPECT_EQ(n, text.size());
    EXPECT_EQ(text,
        "nr_free_pages 200\n"
        "nr_file_pages 6\n"
        "nr_shmem 2\n"
        "nr_dirty 8\n"
        "nr_dirty_threshold 128\n" // 20% of 256 frames, but at least two write slices
        "nr_dirty_background_threshold 64\n"
        "nr_dirty_peak 0\n"
        "dirty_throttle 0\n"
        "nr_written 9\n"
        "nr_written_sync 5\n"
        "nr_written_periodic 0\n"
        "nr_written_unmap 4\n"
        "nr_written_release 0\n"
        "nr_written_shutdown 0\n"
        "nr_written_throttle 0\n"
        "writeback_batches 3\n"
        "writeback_batch_peak 6\n"
        "pgfault 7\n"
        "zero_fill_read 1\n"
        "zero_fill_write 2\n"
        "parallel_fault 0\n"
        "parallel_fault_raced 0\n"
        "parallel_file_fault 0\n"
        "cow_copy 3\n"
        "cow_reuse 4\n"
        "file_fault 5\n"
        "file_cow 0\n"
        "pgmajfault 0\n"
        "pgevict 0\n"
        "readahead_pages 0\n"
        "readahead_hits 0\n"
        "readahead_async 0\n"
        "forks 10\n"
        "pgtable_shared 0\n"
        "pgtable_copied 0\n"
        "oom_kill 1\n"
        "stack_grow 7\n"
        "stack_grow_refused 2\n"
        "drop_pagecache 2\n"
        "drop_slab 1\n"
        "address_space_loads 0\n"
        "nr_tlb_remote_flush 3\n"
        "nr_tlb_remote_flush_received 4\n"
        "tlb_shootdown_pages 5\n"
        "tlb_shootdown_full 1\n"
        "frames_total 256\n"
        "frames_free 200\n"
        "frames_reserve 16\n"
        "reserve_refused 0\n"
        "reserve_used 0\n");
}

TEST(VmStats, TruncatesAndReportsFullLength)
{
    VmStats stats;
    Frame table[1];
    FrameAllocator frames(table, 0, 1);
    frames.add_free_range(0, 1);
    char full[1024];
    usize n = format_vmstat(stats, frames, full, sizeof full);
    char small[20];
    EXPECT_EQ(format_vmstat(stats, frames, small, sizeof small), n);
    EXPECT_EQ(strlen(small), sizeof small - 1);
    EXPECT_EQ(std::string(small), std::string(full, sizeof small - 1));
}
