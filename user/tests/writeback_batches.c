// writeback_batches — write-back of a dirty range keeps the disk busy and loses nothing:
//   - msync(MS_SYNC) of a 16 MiB MAP_SHARED mapping of a new sparse file, every page stored
//     to, puts every page on the disk (read back cold). On Pagoda (/proc/vmstat) the 4,096
//     pages went to the Pager in a few batches (writeback_batches, at most 1,024 pages each:
//     writeback_batch_peak), the disk got many pages per request (disk_pieces per
//     disk_requests) and had several requests in flight at once (disk_max_in_flight);
//   - msync of every other page of a file already on the disk: 2,048 runs of one page,
//     cut by clean pages, still travel in two batches (not one wait per run), and only the
//     stored pages are written (nr_written_sync);
//   - fsync after write() of 8 MiB: the same batches for write();
//   - a page stored to by another thread while msync writes it stays dirty: after the
//     thread stops, one more msync puts its last value on the disk.
// "Read back cold": the file's pages dropped (/proc/sys/vm/drop_caches) and read again.
// disk: 48
// args: @DIR@
#include "file_util.h"
#include "mem_util.h"

#include <pthread.h>
#include <stdatomic.h>

#define MAPPED_PAGES 4096 // 16 MiB
#define WRITTEN_PAGES 2048 // 8 MiB
#define BATCH_PAGES 1024 // PageCache::WriteBackBatch::CAPACITY

static unsigned char buffer[MAPPED_PAGES * PAGE];

// Drops the caches and reads `pages` pages of fd from offset 0 into `buffer`: what the disk holds.
static int read_back_cold(int fd, size_t pages)
{
    if (drop_caches() != 0)
        return 0;
    return pread(fd, buffer, pages * PAGE, 0) == (ssize_t)(pages * PAGE);
}

// The Pagoda counters of one write-back of `pages` consecutive dirty pages.
static void check_batches(const char* what, struct vmstat* before, struct vmstat* after, long long pages)
{
    long long batches = vmstat_delta(before, after, "writeback_batches");
    long long written = vmstat_delta(before, after, "nr_written");
    long long requests = vmstat_delta(before, after, "disk_requests") - vmstat_delta(before, after, "disk_read_requests");
    long long pieces = vmstat_delta(before, after, "disk_pieces");
    long long wanted = (pages + BATCH_PAGES - 1) / BATCH_PAGES;
    ok(written >= pages, "%s: every page written back (nr_written %+lld of %lld)", what, written, pages);
    ok(batches >= wanted && batches <= wanted + 2, "%s: in %lld batches of at most %d pages (writeback_batches %+lld)", what, wanted,
        BATCH_PAGES, batches);
    ok(vmstat_value(after, "writeback_batch_peak") == BATCH_PAGES, "%s: the largest batch %lld pages", what,
        vmstat_value(after, "writeback_batch_peak"));
    ok(requests > 0 && pieces / requests >= 32, "%s: %lld pages per disk request (%lld pieces in %lld requests)", what,
        requests > 0 ? pieces / requests : 0, pieces, requests);
}

struct storer {
    volatile unsigned char* page;
    atomic_int stop;
    atomic_int stores;
    unsigned char last;
};

static void* keep_storing(void* argument)
{
    struct storer* s = argument;
    unsigned char value = 0;
    while (!atomic_load(&s->stop)) {
        s->page[100] = ++value;
        s->last = value;
        atomic_fetch_add(&s->stores, 1);
    }
    return NULL;
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    char mapped_path[512], half_path[512], written_path[512];
    struct vmstat before, after;
    vmstat_read(&before); // fault the reader in first
    int pagoda = vmstat_is_pagoda(&before);
    file_path(mapped_path, sizeof mapped_path, dir, "writeback_mapped.dat");
    file_path(half_path, sizeof half_path, dir, "writeback_half.dat");
    file_path(written_path, sizeof written_path, dir, "writeback_written.dat");
    int e = drop_caches();
    if (!ok(e == 0, "the page cache can be dropped (errno=%d)", e))
        bail("cannot read back cold");

    // 1. A new sparse file, every page stored to through a mapping, one msync.
    int fd = open(mapped_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!ok(fd >= 0 && ftruncate(fd, MAPPED_PAGES * PAGE) == 0, "a sparse file of %d pages (errno=%d)", MAPPED_PAGES, errno))
        bail("no file");
    unsigned char* m = mmap(NULL, MAPPED_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!ok(m != MAP_FAILED, "mapped MAP_SHARED (errno=%d)", errno))
        bail("no mapping");
    for (size_t i = 0; i < MAPPED_PAGES * PAGE; ++i)
        m[i] = pattern_byte(31, i);
    vmstat_read(&before);
    int synced = msync(m, MAPPED_PAGES * PAGE, MS_SYNC);
    vmstat_read(&after);
    ok(synced == 0, "msync(MS_SYNC) of %d dirty pages (errno=%d)", MAPPED_PAGES, errno);
    int read_back = read_back_cold(fd, MAPPED_PAGES);
    long wrong = pattern_mismatch(buffer, MAPPED_PAGES * PAGE, 31, 0);
    ok(read_back && wrong == -1, "every page is on the disk (first wrong byte %ld)", wrong);
    if (pagoda) {
        check_batches("msync", &before, &after, MAPPED_PAGES);
        ok(vmstat_value(&after, "disk_max_in_flight") >= 4, "several disk requests were in flight at once (disk_max_in_flight %lld)",
            vmstat_value(&after, "disk_max_in_flight"));
    } else {
        for (int i = 0; i < 5; ++i)
            skip("not Pagoda", "write-back batch counters");
    }
    munmap(m, MAPPED_PAGES * PAGE);
    close(fd);

    // 2. Every other page of a file already on the disk: many short runs, still few batches.
    fd = make_pattern_file(half_path, 2 * WRITTEN_PAGES * PAGE, 32);
    if (!ok(fd >= 0 && fsync(fd) == 0, "a file of %d pages written and fsync'ed (errno=%d)", 2 * WRITTEN_PAGES, errno))
        bail("no file");
    m = mmap(NULL, 2 * WRITTEN_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!ok(m != MAP_FAILED, "mapped MAP_SHARED (errno=%d)", errno))
        bail("no mapping");
    unsigned char sum = 0;
    for (size_t page = 0; page < 2 * WRITTEN_PAGES; ++page)
        sum += m[page * PAGE]; // every page cached: the odd ones stay clean between the even ones
    for (size_t page = 0; page < 2 * WRITTEN_PAGES; page += 2)
        m[page * PAGE + 5] = (unsigned char)~pattern_byte(32, page * PAGE + 5);
    vmstat_read(&before);
    synced = msync(m, 2 * WRITTEN_PAGES * PAGE, MS_SYNC);
    vmstat_read(&after);
    ok(synced == 0, "msync of every other page (errno=%d, sum %u)", errno, sum);
    int right = read_back_cold(fd, 2 * WRITTEN_PAGES);
    for (size_t page = 0; page < 2 * WRITTEN_PAGES && right; ++page) {
        unsigned char expected = pattern_byte(32, page * PAGE + 5);
        right = buffer[page * PAGE + 5] == (page % 2 == 0 ? (unsigned char)~expected : expected);
    }
    ok(right, "the stored pages changed on the disk, the others did not");
    if (pagoda) {
        long long batches = vmstat_delta(&before, &after, "writeback_batches");
        long long written = vmstat_delta(&before, &after, "nr_written_sync");
        ok(written == WRITTEN_PAGES, "only the %d stored pages were written (nr_written_sync %+lld)", WRITTEN_PAGES, written);
        ok(batches >= 2 && batches <= 4, "%d one-page runs in a few batches, not one wait each (writeback_batches %+lld)",
            WRITTEN_PAGES, batches);
    } else {
        skip("not Pagoda", "only the stored pages written");
        skip("not Pagoda", "one-page runs in a few batches");
    }

    // 3. A page stored to by another thread while msync writes it back stays dirty.
    struct storer s = { .page = m, .stop = 0, .stores = 0, .last = 0 };
    pthread_t thread;
    ok(pthread_create(&thread, NULL, keep_storing, &s) == 0, "a thread keeps storing into page 0");
    while (atomic_load(&s.stores) == 0)
        sched_yield();
    for (size_t page = 1; page < 2 * WRITTEN_PAGES; ++page)
        m[page * PAGE + 9] = 1; // a long write-back for the thread to race with
    int racing = msync(m, 2 * WRITTEN_PAGES * PAGE, MS_SYNC);
    atomic_store(&s.stop, 1);
    pthread_join(thread, NULL);
    synced = msync(m, PAGE, MS_SYNC);
    ok(racing == 0 && synced == 0, "msync during the stores, then again after them (errno=%d)", errno);
    read_back = read_back_cold(fd, 1);
    ok(read_back && buffer[100] == s.last, "the disk holds the last value stored (%u, read back %u, after %d stores)", s.last,
        buffer[100], atomic_load(&s.stores));
    munmap(m, 2 * WRITTEN_PAGES * PAGE);
    close(fd);

    // 4. write() then fsync: the same batches.
    vmstat_read(&before);
    fd = make_pattern_file(written_path, WRITTEN_PAGES * PAGE, 33);
    int flushed = fd >= 0 ? fsync(fd) : -1;
    vmstat_read(&after);
    ok(fd >= 0 && flushed == 0, "%d pages written with write() and fsync'ed (errno=%d)", WRITTEN_PAGES, errno);
    read_back = read_back_cold(fd, WRITTEN_PAGES);
    wrong = pattern_mismatch(buffer, WRITTEN_PAGES * PAGE, 33, 0);
    ok(read_back && wrong == -1, "and they are on the disk (first wrong byte %ld)", wrong);
    if (pagoda)
        check_batches("fsync", &before, &after, WRITTEN_PAGES);
    else
        for (int i = 0; i < 4; ++i)
            skip("not Pagoda", "write-back batch counters");
    close(fd);
    unlink(mapped_path);
    unlink(half_path);
    unlink(written_path);
    return tap_done();
}
