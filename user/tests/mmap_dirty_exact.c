// mmap_dirty_exact — dirty tracking and write-back of MAP_SHARED pages, exactly, through
// Pagoda's counters (nr_dirty: dirty page-cache pages; nr_written: pages written back).
// An 8-page file, mapped MAP_SHARED, every page read first (clean). Then:
//   - one byte written to exactly one page: nr_dirty +1;
//   - msync(MS_SYNC): nr_written +1 and nr_dirty back to where it was;
//   - the same page written again: dirty again (nr_dirty +1; write-back re-protected it);
//   - msync(MS_SYNC) again: nr_written +1 more, nr_dirty back.
// Everywhere: msync returns 0 and pread() on a second descriptor shows both stores.
// Exactness: the whole sequence runs once on page 0 as a warm-up (code, stack, the vmstat
// buffer and the msync path), and nothing prints between snapshots.
// disk: 16
// args: @DIR@
#include "file_util.h"
#include "vmstat.h"

#define PAGES 8
#define SEED 97

static struct vmstat s0, s1, s2, s3, s4;

struct run {
    int sync1, sync2;
};

__attribute__((noinline)) static struct run sequence(volatile unsigned char* p, int page, unsigned char v1, unsigned char v2)
{
    struct run r;
    vmstat_read(&s0);
    p[page * PAGE + 17] = v1;
    vmstat_read(&s1);
    r.sync1 = msync((void*)p, PAGES * PAGE, MS_SYNC);
    vmstat_read(&s2);
    p[page * PAGE + 18] = v2;
    vmstat_read(&s3);
    r.sync2 = msync((void*)p, PAGES * PAGE, MS_SYNC);
    vmstat_read(&s4);
    return r;
}

int main(int argc, char** argv)
{
    tap_plan(8);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "dirty_exact");
    int fd = make_pattern_file(path, PAGES * PAGE, SEED);
    if (fd < 0 || fsync(fd) != 0)
        bail("cannot create the %d-page file (errno=%d)", PAGES, errno);
    volatile unsigned char* p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    long bad = pattern_mismatch(p, PAGES * PAGE, SEED, 0); // reads every page: all mapped clean
    touch_stack();
    memset(&s0, 0, sizeof s0);
    memset(&s1, 0, sizeof s1);
    memset(&s2, 0, sizeof s2);
    memset(&s3, 0, sizeof s3);
    memset(&s4, 0, sizeof s4);
    struct run warm = sequence(p, 0, 0xA0, 0xA1);
    struct run r = sequence(p, 5, 0xB0, 0xB1);
    ok(bad < 0 && warm.sync1 == 0 && warm.sync2 == 0, "the mapping reads the file; the warm-up run's msyncs return 0");
    ok(r.sync1 == 0 && r.sync2 == 0, "msync(MS_SYNC) after each store returns 0 (%d, %d)", r.sync1, r.sync2);
    int fd2 = open(path, O_RDONLY);
    unsigned char b[2] = { 0, 0 };
    ssize_t n = fd2 >= 0 ? pread(fd2, b, 2, 5 * PAGE + 17) : -1;
    ok(n == 2 && b[0] == 0xB0 && b[1] == 0xB1, "pread() on a second descriptor shows both stores (%zd: %#x %#x)", n, b[0], b[1]);

    if (vmstat_is_pagoda(&s0)) {
        long long d1 = vmstat_delta(&s0, &s1, "nr_dirty");
        ok(d1 == 1, "one byte written to one clean page: nr_dirty +1 (got %+lld)", d1);
        long long w2 = vmstat_delta(&s1, &s2, "nr_written"), d2 = vmstat_delta(&s0, &s2, "nr_dirty");
        ok(w2 == 1 && d2 == 0, "msync(MS_SYNC): nr_written +1 (got %+lld), nr_dirty back (%+lld from the start)", w2, d2);
        long long d3 = vmstat_delta(&s2, &s3, "nr_dirty");
        ok(d3 == 1, "the same page written again is dirty again: nr_dirty +1 (got %+lld)", d3);
        long long w4 = vmstat_delta(&s3, &s4, "nr_written"), d4 = vmstat_delta(&s0, &s4, "nr_dirty");
        ok(w4 == 1 && d4 == 0, "msync(MS_SYNC) again: nr_written +1 (got %+lld), nr_dirty back (%+lld)", w4, d4);
        long long total = vmstat_delta(&s0, &s4, "nr_written");
        ok(total == 2, "two pages written back in all (nr_written +%lld)", total);
    } else {
        skip("not Pagoda", "one byte written to one clean page: nr_dirty +1");
        skip("not Pagoda", "msync(MS_SYNC): nr_written +1, nr_dirty back");
        skip("not Pagoda", "the same page written again is dirty again: nr_dirty +1");
        skip("not Pagoda", "msync(MS_SYNC) again: nr_written +1, nr_dirty back");
        skip("not Pagoda", "two pages written back in all");
    }
    if (fd2 >= 0)
        close(fd2);
    munmap((void*)p, PAGES * PAGE);
    close(fd);
    unlink(path);
    return tap_done();
}
