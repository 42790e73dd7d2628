// read_ahead — reading a file that is not in memory, as Linux's on-demand read-ahead does it:
//   - a cold file read sequentially with read() gives its bytes, and (on Pagoda, /proc/vmstat)
//     every page came from the disk but in far fewer disk requests than pages: pages were
//     read ahead in windows (readahead_pages), the reader used them (readahead_hits), later
//     windows were started from a marker page before the last ran out (readahead_async),
//     and several requests were in flight at once or neighbours merged (disk_pieces_merged);
//   - the same through a mapping (first touch of each page): right bytes, fewer faults and
//     disk requests than pages;
//   - random pread()s of single pages give their bytes and read nothing ahead;
//   - read-ahead stops at the end of the file: a file of 11 pages reads ahead 10 at most;
//   - a file truncated after read-ahead filled its cache, then extended again, reads zeros
//     past the cut (the pages read ahead went with the truncation, none comes back).
// Cold means: the file written and fsync'ed (nothing dirties it later), then
// /proc/sys/vm/drop_caches written with 3.
// disk: 16
// args: @DIR@
#include "mem_util.h"

#define FILE_PAGES 256
#define SHORT_PAGES 11

static unsigned char buffer[FILE_PAGES * PAGE];

// Reads `bytes` from fd at 0 with read() calls of `chunk` bytes into `buffer`; the total.
static long read_sequentially(int fd, size_t bytes, size_t chunk)
{
    if (lseek(fd, 0, SEEK_SET) != 0)
        return -1;
    size_t done = 0;
    for (;;) {
        ssize_t n = read(fd, buffer + done, done + chunk <= sizeof buffer ? chunk : sizeof buffer - done);
        if (n < 0)
            return -1;
        if (n == 0)
            return (long)done;
        done += (size_t)n;
    }
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    char path[512], short_path[512];
    struct vmstat before, after;
    vmstat_read(&before); // fault the reader in first
    file_path(path, sizeof path, dir, "read_ahead.dat");
    file_path(short_path, sizeof short_path, dir, "read_ahead_short.dat");
    int fd = make_pattern_file(path, FILE_PAGES * PAGE, 21);
    int short_fd = make_pattern_file(short_path, SHORT_PAGES * PAGE - 3000, 22);
    if (!ok(fd >= 0 && short_fd >= 0 && fsync(fd) == 0 && fsync(short_fd) == 0, "files of %d and %d pages written and fsync'ed (errno=%d)",
            FILE_PAGES, SHORT_PAGES, errno))
        bail("no files");
    // Warm up every code path once, so that the measured phases fault in no program page.
    ok(read_sequentially(fd, FILE_PAGES * PAGE, 16384) == FILE_PAGES * PAGE, "the file read once while cached");
    int e = drop_caches();
    if (!ok(e == 0, "the page cache dropped (errno=%d)", e))
        bail("cannot make the file cold");
    int pagoda = vmstat_is_pagoda(&before);

    // Sequential read(), 16 KiB at a time.
    vmstat_read(&before);
    long got = read_sequentially(fd, FILE_PAGES * PAGE, 16384);
    vmstat_read(&after);
    ok(got == FILE_PAGES * PAGE, "a cold sequential read gives all %d pages (%ld bytes)", FILE_PAGES, got);
    ok(pattern_mismatch(buffer, FILE_PAGES * PAGE, 21, 0) == -1, "and their bytes (first wrong byte %ld)",
        pattern_mismatch(buffer, FILE_PAGES * PAGE, 21, 0));
    if (pagoda) {
        long long pages = vmstat_delta(&before, &after, "pgmajfault");
        long long requests = vmstat_delta(&before, &after, "disk_read_requests");
        ok(pages >= FILE_PAGES, "every page came from the disk (pgmajfault %+lld)", pages);
        ok(requests > 0 && requests <= FILE_PAGES / 8, "in far fewer disk requests than pages (%lld for %d pages)", requests,
            FILE_PAGES);
        ok(vmstat_delta(&before, &after, "readahead_pages") >= FILE_PAGES * 3 / 4, "most were read ahead (readahead_pages %+lld)",
            vmstat_delta(&before, &after, "readahead_pages"));
        ok(vmstat_delta(&before, &after, "readahead_hits") >= FILE_PAGES * 3 / 4, "and then used (readahead_hits %+lld)",
            vmstat_delta(&before, &after, "readahead_hits"));
        ok(vmstat_delta(&before, &after, "readahead_async") >= FILE_PAGES / 32 - 1,
            "windows were started at a marker, ahead of the reader (readahead_async %+lld)",
            vmstat_delta(&before, &after, "readahead_async"));
        ok(vmstat_value(&after, "disk_max_in_flight") >= 1 && vmstat_delta(&before, &after, "disk_pieces_merged") > 0,
            "pieces next to each other on the disk were merged (disk_pieces_merged %+lld, disk_max_in_flight %lld)",
            vmstat_delta(&before, &after, "disk_pieces_merged"), vmstat_value(&after, "disk_max_in_flight"));
    } else {
        for (int i = 0; i < 6; ++i)
            skip("not Pagoda", "read-ahead counters (pgmajfault, disk_read_requests, readahead_*, disk_pieces_merged)");
    }

    // The same through a mapping: one touch per page.
    e = drop_caches();
    volatile unsigned char* m = mmap(NULL, FILE_PAGES * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (!ok(e == 0 && m != MAP_FAILED, "dropped again and mapped (errno=%d)", errno))
        bail("no mapping");
    vmstat_read(&before);
    int right = 1;
    for (size_t i = 0; i < FILE_PAGES; ++i)
        right &= m[i * PAGE + i % PAGE] == pattern_byte(21, i * PAGE + i % PAGE);
    vmstat_read(&after);
    ok(right, "touching each page of a cold mapping reads its bytes");
    if (pagoda) {
        long long faults = vmstat_delta(&before, &after, "file_fault");
        long long requests = vmstat_delta(&before, &after, "disk_read_requests");
        ok(faults > 0 && faults < FILE_PAGES / 2, "in fewer faults than pages (file_fault %+lld)", faults);
        ok(requests > 0 && requests <= FILE_PAGES / 8, "and far fewer disk requests (%lld)", requests);
    } else {
        skip("not Pagoda", "fewer faults than pages");
        skip("not Pagoda", "far fewer disk requests");
    }
    munmap((void*)m, FILE_PAGES * PAGE);

    // Random single pages: each one's bytes, nothing read ahead. The pages are 37 apart
    // (mod FILE_PAGES), never page 0 nor right after the page before: no sequential pattern.
    e = drop_caches();
    ok(e == 0, "dropped again (errno=%d)", e);
    vmstat_read(&before);
    int random_right = 1, reads = 32;
    size_t page = 5;
    for (int i = 0; i < reads; ++i, page = (page + 37) % FILE_PAGES) {
        unsigned char one[PAGE];
        random_right &= pread(fd, one, PAGE, (off_t)(page * PAGE)) == PAGE && pattern_mismatch(one, PAGE, 21, page * PAGE) == -1;
    }
    vmstat_read(&after);
    ok(random_right, "%d random pread()s of one page give their bytes", reads);
    if (pagoda)
        ok(vmstat_delta(&before, &after, "readahead_pages") == 0 && vmstat_delta(&before, &after, "pgmajfault") == reads,
            "and read nothing ahead (readahead_pages %+lld, pgmajfault %+lld)", vmstat_delta(&before, &after, "readahead_pages"),
            vmstat_delta(&before, &after, "pgmajfault"));
    else
        skip("not Pagoda", "random reads read nothing ahead");

    // The end of the file: 11 pages (the last one partial), read with one big read().
    size_t short_size = SHORT_PAGES * PAGE - 3000;
    vmstat_read(&before);
    got = read_sequentially(short_fd, short_size, sizeof buffer);
    vmstat_read(&after);
    ok(got == (long)short_size && pattern_mismatch(buffer, short_size, 22, 0) == -1,
        "a cold file of %d pages reads to its end, no further (%ld bytes)", SHORT_PAGES, got);
    if (pagoda)
        ok(vmstat_delta(&before, &after, "pgmajfault") == SHORT_PAGES && vmstat_delta(&before, &after, "readahead_pages") < SHORT_PAGES,
            "read-ahead stopped at the end of the file (pgmajfault %+lld, readahead_pages %+lld)",
            vmstat_delta(&before, &after, "pgmajfault"), vmstat_delta(&before, &after, "readahead_pages"));
    else
        skip("not Pagoda", "read-ahead stopped at the end of the file");

    // Truncated after read-ahead, then extended: zeros past the cut.
    e = drop_caches();
    unsigned char first[PAGE];
    ok(e == 0 && pread(fd, first, PAGE, 0) == PAGE && pattern_mismatch(first, PAGE, 21, 0) == -1,
        "the first page of the cold file read (its window read ahead)");
    ok(ftruncate(fd, 2 * PAGE) == 0 && ftruncate(fd, 64 * PAGE) == 0, "the file cut to 2 pages, then extended to 64");
    got = read_sequentially(fd, 64 * PAGE, 16384);
    ok(got == 64 * PAGE && pattern_mismatch(buffer, 2 * PAGE, 21, 0) == -1 && all_zero(buffer + 2 * PAGE, 62 * PAGE),
        "it reads its 2 pages, then zeros (%ld bytes)", got);
    close(fd);
    close(short_fd);
    unlink(path);
    unlink(short_path);
    return tap_done();
}
