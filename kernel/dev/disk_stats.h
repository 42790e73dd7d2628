// Counters of the disk driver, shown in /proc/vmstat (procfs.cpp) so tests and benchmarks
// can see how file pages reach the disk: how many requests, how many pieces rode along in a
// neighbour's request, how many requests were in flight at once.
#pragma once

#include "../lib/types.h"

struct DiskStats {
    u64 requests { 0 }; // read and write requests given to a device (flushes not counted)
    u64 read_requests { 0 };
    u64 pieces { 0 }; // BlockPieces asked for (BlockDevice::transfer, read, write)
    u64 pieces_merged { 0 }; // pieces that joined the request of the piece before them
    u64 max_in_flight { 0 }; // the most requests a device had at once
    u64 missed_interrupts { 0 }; // waits that timed out and found requests done by looking
};

DiskStats& disk_stats();
