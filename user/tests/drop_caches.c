// drop_caches — /proc/sys/vm/drop_caches as Linux's (fs/drop_caches.c):
//   - after a file is written and fsync'ed, writing 3 drops its cached pages when no process
//     maps them: mincore through a fresh mapping says none is resident, and reading the file
//     again gives its bytes (read from the disk: on Pagoda /proc/vmstat's pgmajfault grows
//     by the file's pages, pgevict grew by at least as many and nr_file_pages fell; each
//     write counts once in drop_pagecache and drop_slab, Linux's names);
//   - pages that a process maps stay resident, while the file's far end, which no fault
//     (nor fault-around) mapped, is dropped;
//   - nothing is written back by it: a page written with write() and not synced keeps its
//     new bytes (on Pagoda nr_dirty does not fall);
//   - sync(2) writes every file's dirty pages back (on Pagoda nr_written grows by them), so a
//     drop after it takes a file that was only written, and the bytes read back;
//   - 0, negative numbers, 100 and words are EINVAL (Linux 6.1 takes 1 to 4, later ones more).
// disk: 16
// args: @DIR@
#include "mem_util.h"

#define FILE_PAGES 64

// Writes `text` to /proc/sys/vm/drop_caches; 0 or the errno.
static int write_drop_caches(const char* text)
{
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
    if (fd < 0)
        return errno;
    int e = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : errno;
    close(fd);
    return e;
}

// How many of the file's pages its page cache holds, by mincore of a fresh mapping.
static long cached_pages(int fd, size_t pages)
{
    void* m = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return -1;
    long n = resident_pages(m, pages);
    munmap(m, pages * PAGE);
    return n;
}

// Reads the whole file with read(); -1 if so and its bytes are pattern `seed`, else the
// offset of the first wrong byte (or of the failed read).
static long read_back(int fd, size_t bytes, unsigned seed)
{
    static unsigned char buf[FILE_PAGES * PAGE];
    if (pread(fd, buf, bytes, 0) != (ssize_t)bytes)
        return 0;
    return pattern_mismatch(buf, bytes, seed, 0);
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    struct vmstat before, after;
    vmstat_read(&before); // fault the reader in first

    char path[512];
    file_path(path, sizeof path, dir, "clean");
    int fd = make_pattern_file(path, FILE_PAGES * PAGE, 5);
    if (!ok(fd >= 0 && fsync(fd) == 0, "a file of %d pages written and fsync'ed (errno=%d)", FILE_PAGES, errno))
        bail("no file");
    ok(cached_pages(fd, FILE_PAGES) == FILE_PAGES, "all its pages are in the page cache (%ld)", cached_pages(fd, FILE_PAGES));

    vmstat_read(&before);
    int e = write_drop_caches("3\n");
    vmstat_read(&after);
    ok(e == 0, "writing 3 to /proc/sys/vm/drop_caches (errno=%d)", e);
    ok(cached_pages(fd, FILE_PAGES) == 0, "afterwards none of them is (%ld)", cached_pages(fd, FILE_PAGES));
    if (vmstat_is_pagoda(&before)) {
        ok(vmstat_delta(&before, &after, "pgevict") >= FILE_PAGES, "pgevict grew by at least %d (%lld)", FILE_PAGES,
            vmstat_delta(&before, &after, "pgevict"));
        ok(vmstat_delta(&before, &after, "nr_file_pages") <= -FILE_PAGES, "nr_file_pages fell by at least %d (%lld)", FILE_PAGES,
            vmstat_delta(&before, &after, "nr_file_pages"));
        ok(vmstat_delta(&before, &after, "drop_pagecache") == 1 && vmstat_delta(&before, &after, "drop_slab") == 1,
            "drop_pagecache and drop_slab counted the write once each (%lld, %lld)", vmstat_delta(&before, &after, "drop_pagecache"),
            vmstat_delta(&before, &after, "drop_slab"));
    } else {
        skip("not Pagoda", "pgevict grew by the file's pages");
        skip("not Pagoda", "nr_file_pages fell");
        skip("not Pagoda", "drop_pagecache and drop_slab counted the write");
    }
    vmstat_read(&before);
    long wrong = read_back(fd, FILE_PAGES * PAGE, 5);
    vmstat_read(&after);
    ok(wrong == -1, "reading it again gives its bytes (first wrong byte %ld)", wrong);
    if (vmstat_is_pagoda(&before))
        ok(vmstat_delta(&before, &after, "pgmajfault") >= FILE_PAGES, "read from the disk: pgmajfault grew by %d or more (%lld)",
            FILE_PAGES, vmstat_delta(&before, &after, "pgmajfault"));
    else
        skip("not Pagoda", "read from the disk (pgmajfault)");

    // Mapped pages stay; the far end, which no fault (nor its fault-around) mapped, goes.
    volatile unsigned char* m = mmap(NULL, FILE_PAGES * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (!ok(m != MAP_FAILED, "the file mapped (errno=%d)", errno))
        bail("no mapping");
    int right = 1;
    for (int i = 0; i < 4; ++i)
        right &= m[i * PAGE] == pattern_byte(5, (size_t)i * PAGE);
    ok(right, "its first 4 pages read through the mapping");
    e = write_drop_caches("1");
    ok(e == 0, "writing 1 (errno=%d)", e);
    ok(resident_pages((void*)m, 4) == 4, "the mapped pages are still resident (%ld of 4)", resident_pages((void*)m, 4));
    ok(resident_pages((void*)(m + 32 * PAGE), 32) == 0, "the unmapped far half is dropped (%ld resident)",
        resident_pages((void*)(m + 32 * PAGE), 32));
    munmap((void*)m, FILE_PAGES * PAGE);
    close(fd);

    // Nothing is written back: a page written and not synced keeps its bytes.
    file_path(path, sizeof path, dir, "dirty");
    fd = make_pattern_file(path, 4 * PAGE, 9);
    if (!ok(fd >= 0, "a file of 4 pages written, not synced (errno=%d)", errno))
        bail("no file");
    vmstat_read(&before);
    e = write_drop_caches("3");
    vmstat_read(&after);
    ok(e == 0, "writing 3 (errno=%d)", e);
    if (vmstat_is_pagoda(&before))
        ok(vmstat_delta(&before, &after, "nr_dirty") >= 0 && vmstat_delta(&before, &after, "nr_written") == 0,
            "no page written back, none of the dirty ones dropped (nr_written %+lld, nr_dirty %+lld)",
            vmstat_delta(&before, &after, "nr_written"), vmstat_delta(&before, &after, "nr_dirty"));
    else
        skip("not Pagoda", "no page written back (nr_written, nr_dirty)");
    wrong = read_back(fd, 4 * PAGE, 9);
    ok(wrong == -1, "its bytes are the ones written (first wrong byte %ld)", wrong);
    close(fd);

    // sync(2) writes every file's dirty pages, not only fsync'ed ones: then they can go.
    file_path(path, sizeof path, dir, "synced");
    fd = make_pattern_file(path, 8 * PAGE, 11);
    if (!ok(fd >= 0, "a file of 8 pages written (errno=%d)", errno))
        bail("no file");
    vmstat_read(&before);
    sync();
    vmstat_read(&after);
    if (vmstat_is_pagoda(&before))
        ok(vmstat_delta(&before, &after, "nr_written") >= 8, "sync() wrote its pages back (nr_written %+lld)",
            vmstat_delta(&before, &after, "nr_written"));
    else
        skip("not Pagoda", "sync() wrote its pages back (nr_written)");
    e = write_drop_caches("3");
    ok(e == 0 && cached_pages(fd, 8) == 0, "after sync() writing 3 drops them (%ld cached)", cached_pages(fd, 8));
    wrong = read_back(fd, 8 * PAGE, 11);
    ok(wrong == -1, "and they read back from the disk (first wrong byte %ld)", wrong);
    close(fd);

    static const char* const bad[] = { "0", "-1", "100", "x", "" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        e = write_drop_caches(bad[i]);
        ok(e == EINVAL || (bad[i][0] == '\0' && e == 0), "writing \"%s\": %s (errno=%d)", bad[i],
            bad[i][0] ? "EINVAL" : "nothing happens", e);
    }
    return tap_done();
}
