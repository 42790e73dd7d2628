// dirty_throttle — a writer cannot fill memory with dirty pages (mm/dirty_limit.h).
// On a 96 MiB boot a file of three times Pagoda's hard dirty limit (nr_dirty_threshold,
// 20% of memory; 32 MiB on Linux, whose limits depend on its free memory) is written: the
// first 24 MiB in ONE write() call (more than the limit: the kernel must throttle inside it),
// the rest in 64 KiB
// calls; each page holds its index and a pattern byte.
//   - every write() writes all its bytes; the file has the right size;
//   - fsync, drop the page cache (/proc/sys/vm/drop_caches), read it all back: every page
//     right, so nothing the throttling wrote back early was lost or written wrong;
//   - on Pagoda: nr_dirty, sampled after every write(), never passed nr_dirty_threshold and
//     neither did nr_dirty_peak (the kernel's own highest count); writers were throttled
//     (dirty_throttle grew) and wrote back pages themselves (nr_written_throttle grew);
//     after fsync nr_dirty is 0.
// disk: 160
// pagoda-options: --mem 96
// args: @DIR@
#include "file_util.h"
#include "vmstat.h"

#define CHUNK (64 * 1024)
#define FIRST_CALL (24u << 20) // more than the hard limit at 96 MiB: throttled inside the call

static unsigned char first[FIRST_CALL];
static struct vmstat before, sample, after;

static void fill_page(unsigned char* page, uint64_t index)
{
    memset(page, (int)(index * 13 + 7) & 0xff, PAGE);
    memcpy(page, &index, sizeof index);
}

static int page_ok(const unsigned char* page, uint64_t index)
{
    uint64_t stored;
    memcpy(&stored, page, sizeof stored);
    return stored == index && page[8] == ((index * 13 + 7) & 0xff) && page[PAGE - 1] == ((index * 13 + 7) & 0xff);
}

int main(int argc, char** argv)
{
    tap_plan(8);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "dirty_throttle");
    vmstat_read(&before);
    int pagoda = vmstat_is_pagoda(&before);
    long long threshold = pagoda ? vmstat_value(&before, "nr_dirty_threshold") : 0;
    size_t pages = pagoda ? (size_t)threshold * 3 : (32u << 20) / PAGE;
    if (pages < FIRST_CALL / PAGE + 2048)
        pages = FIRST_CALL / PAGE + 2048;
    pages = (pages + CHUNK / PAGE - 1) / (CHUNK / PAGE) * (CHUNK / PAGE);
    diag("nr_dirty_threshold %lld, background %lld; writing %zu pages (%zu MiB)", threshold,
        vmstat_value(&before, "nr_dirty_background_threshold"), pages, pages / 256);

    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        bail("cannot create %s (errno=%d)", path, errno);
    for (size_t i = 0; i < FIRST_CALL / PAGE; ++i)
        fill_page(first + i * PAGE, i);
    ssize_t n = write(fd, first, FIRST_CALL);
    ok(n == (ssize_t)FIRST_CALL, "one write() of 24 MiB writes it all (%zd, errno=%d)", n, errno);
    long long max_dirty = 0;
    vmstat_read(&sample);
    max_dirty = vmstat_value(&sample, "nr_dirty");
    size_t page = FIRST_CALL / PAGE, short_writes = 0;
    static unsigned char chunk[CHUNK];
    for (; page < pages; page += CHUNK / PAGE) {
        for (size_t i = 0; i < CHUNK / PAGE; ++i)
            fill_page(chunk + i * PAGE, page + i);
        if (write(fd, chunk, CHUNK) != CHUNK)
            ++short_writes;
        vmstat_read(&sample);
        long long dirty = vmstat_value(&sample, "nr_dirty");
        if (dirty > max_dirty)
            max_dirty = dirty;
    }
    struct stat st;
    int r = fstat(fd, &st);
    ok(short_writes == 0 && r == 0 && st.st_size == (off_t)(pages * PAGE),
        "every 64 KiB write() wrote it all (%zu short) and the file has %zu pages (size %lld)", short_writes, pages,
        (long long)st.st_size);
    ok(fsync(fd) == 0, "fsync (errno=%d)", errno);
    vmstat_read(&after);
    int e = drop_caches();
    ok(e == 0, "drop the page cache (errno=%d)", e);

    size_t bad = 0, first_bad = pages, got = 0;
    if (lseek(fd, 0, SEEK_SET) == 0)
        for (; got < pages; got += CHUNK / PAGE) {
            if (read_full(fd, chunk, CHUNK) != CHUNK)
                break;
            for (size_t i = 0; i < CHUNK / PAGE; ++i)
                if (!page_ok(chunk + i * PAGE, got + i)) {
                    if (!bad)
                        first_bad = got + i;
                    ++bad;
                }
        }
    ok(got == pages && bad == 0, "read back from the disk: every page right (%zu read, %zu bad, first %zu)", got, bad,
        first_bad);
    close(fd);
    unlink(path);

    if (pagoda) {
        long long peak = vmstat_value(&after, "nr_dirty_peak");
        ok(max_dirty <= threshold && peak <= threshold,
            "nr_dirty never passed nr_dirty_threshold %lld (highest sampled %lld, nr_dirty_peak %lld)", threshold,
            max_dirty, peak);
        long long throttled = vmstat_delta(&before, &after, "dirty_throttle");
        long long written = vmstat_delta(&before, &after, "nr_written_throttle");
        ok(throttled > 0 && written >= (long long)pages - threshold,
            "the writer was throttled (dirty_throttle +%lld) and wrote back itself (nr_written_throttle +%lld)",
            throttled, written);
        ok(vmstat_value(&after, "nr_dirty") == 0, "after fsync nothing is dirty (nr_dirty %lld)",
            vmstat_value(&after, "nr_dirty"));
    } else {
        skip("not Pagoda", "nr_dirty stays under nr_dirty_threshold");
        skip("not Pagoda", "dirty_throttle and nr_written_throttle grew");
        skip("not Pagoda", "nr_dirty is 0 after fsync");
    }
    return tap_done();
}
