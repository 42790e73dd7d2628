#include "vm_stats.h"

#include "../lib/format.h"
#include "dirty_limit.h"
#include "frame_allocator.h"

usize format_vmstat(VmStats const& stats, FrameAllocator const& frames, char* buffer, usize size)
{
    u64 frames_free = frames.free_frames();
    DirtyLimits dirty = dirty_limits(frames.total_frames());
    // Linux names where Linux has the counter, Pagoda's own names otherwise.
    struct Line {
        char const* name;
        u64 value;
    };
    Line const lines[] = {
        { "nr_free_pages", frames_free },
        { "nr_file_pages", stats.page_cache_pages },
        { "nr_shmem", stats.unbacked_pages },
        { "nr_dirty", stats.dirty_pages },
        { "nr_dirty_threshold", dirty.hard },
        { "nr_dirty_background_threshold", dirty.background },
        { "nr_dirty_peak", stats.dirty_pages_peak },
        { "dirty_throttle", stats.dirty_throttled },
        { "nr_written", stats.written_back_pages },
        { "nr_written_sync", stats.written_back_for[static_cast<usize>(WriteBackReason::Sync)] },
        { "nr_written_periodic", stats.written_back_for[static_cast<usize>(WriteBackReason::Periodic)] },
        { "nr_written_unmap", stats.written_back_for[static_cast<usize>(WriteBackReason::Unmap)] },
        { "nr_written_release", stats.written_back_for[static_cast<usize>(WriteBackReason::Release)] },
        { "nr_written_shutdown", stats.written_back_for[static_cast<usize>(WriteBackReason::Shutdown)] },
        { "nr_written_throttle", stats.written_back_for[static_cast<usize>(WriteBackReason::Throttle)] },
        { "writeback_batches", stats.write_back_batches },
        { "writeback_batch_peak", stats.write_back_batch_peak },
        { "pgfault", stats.page_faults },
        { "zero_fill_read", stats.zero_fill_read },
        { "zero_fill_write", stats.zero_fill_write },
        { "parallel_fault", stats.parallel_faults },
        { "parallel_fault_raced", stats.parallel_faults_raced },
        { "parallel_file_fault", stats.parallel_file_faults },
        { "cow_copy", stats.cow_copy },
        { "cow_reuse", stats.cow_reuse },
        { "file_fault", stats.file_faults },
        { "file_cow", stats.file_cow },
        { "pgmajfault", stats.page_cache_reads },
        { "pgevict", stats.page_cache_evictions },
        { "readahead_pages", stats.readahead_pages },
        { "readahead_hits", stats.readahead_hits },
        { "readahead_async", stats.readahead_async },
        { "forks", stats.forks },
        { "pgtable_shared", stats.page_tables_shared },
        { "pgtable_copied", stats.page_tables_copied },
        { "oom_kill", stats.oom_kills },
        { "stack_grow", stats.stack_growths },
        { "stack_grow_refused", stats.stack_growths_refused },
        { "drop_pagecache", stats.drop_pagecache },
        { "drop_slab", stats.drop_slab },
        { "address_space_loads", stats.address_space_loads },
        { "nr_tlb_remote_flush", stats.tlb_shootdowns },
        { "nr_tlb_remote_flush_received", stats.tlb_shootdown_cpus },
        { "tlb_shootdown_pages", stats.tlb_shootdown_pages },
        { "tlb_shootdown_full", stats.tlb_shootdown_full },
        { "frames_total", frames.total_frames() },
        { "frames_free", frames_free },
        { "frames_reserve", frames.reserve() },
        { "reserve_refused", frames.reserve_refusals() },
        { "reserve_used", frames.reserve_allocations() },
    };
    usize length = 0;
    if (size > 0)
        buffer[0] = '\0';
    for (Line const& line : lines) {
        // Past the end of the buffer keep counting only, as snprintf does.
        char* out = length < size ? buffer + length : nullptr;
        usize room = length < size ? size - length : 0;
        int n = format(out, room, "%s %llu\n", line.name, static_cast<unsigned long long>(line.value));
        length += static_cast<usize>(n);
    }
    return length;
}
