// mmap_big_file — a file larger than the guest's memory, through a mapping and read().
// A 128 MiB file is written with write() (64 KiB calls); each 4 KiB page starts with its
// page index (8 bytes), then index ^ 0x5eed5eed5eed5eed, and is filled with the low byte of
// its index. Under `--mem 96` on Pagoda this is more than all free memory, so both the
// write-back of dirty pages and the dropping (and re-reading) of clean page-cache pages
// under memory pressure are needed:
//   - one MAP_SHARED PROT_READ mapping of the whole file, read one page at a time (header
//     and last byte of every page): all 32768 pages right;
//   - munmap, then the whole file read back with read() in 64 KiB pieces: all pages right;
//   - on Pagoda: page-cache pages were evicted (pgevict went up; nr_file_pages as a diagnostic).
// disk: 160
// pagoda-options: --mem 96 --timeout 240
// args: @DIR@
#include "file_util.h"
#include "vmstat.h"

#include <time.h>

#define FILE_MIB 128
#define PAGES ((size_t)FILE_MIB * 256)
#define CHUNK (64 * 1024)
#define MAGIC 0x5eed5eed5eed5eedull

static unsigned char chunk[CHUNK];
static struct vmstat before, after_map, after_read;

static void fill_page(unsigned char* page, uint64_t index)
{
    memset(page, (int)(index & 0xff), PAGE);
    uint64_t words[2] = { index, index ^ MAGIC };
    memcpy(page, words, sizeof words);
}

static int page_ok(const volatile unsigned char* page, uint64_t index)
{
    const volatile uint64_t* w = (const volatile uint64_t*)page;
    return w[0] == index && w[1] == (index ^ MAGIC) && page[16] == (unsigned char)index
        && page[PAGE - 1] == (unsigned char)index;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv)
{
    tap_plan(6);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "big_file");
    vmstat_read(&before);
    int pagoda = vmstat_is_pagoda(&before);
    diag("frames_total %lld, nr_free_pages %lld before", vmstat_value(&before, "frames_total"),
        vmstat_value(&before, "nr_free_pages"));

    double t0 = now();
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        bail("cannot create %s (errno=%d)", path, errno);
    size_t written_pages = 0;
    int write_errno = 0;
    for (size_t page = 0; page < PAGES; page += CHUNK / PAGE) {
        for (size_t i = 0; i < CHUNK / PAGE; ++i)
            fill_page(chunk + i * PAGE, page + i);
        if (write_all(fd, chunk, CHUNK) != 0) {
            write_errno = errno;
            break;
        }
        written_pages += CHUNK / PAGE;
    }
    struct stat st;
    int r = fstat(fd, &st);
    ok(written_pages == PAGES && r == 0 && st.st_size == (off_t)PAGES * PAGE,
        "write a %d MiB file in 64 KiB write() calls (%zu pages, size %lld, errno=%d)", FILE_MIB, written_pages,
        (long long)st.st_size, write_errno);
    double t1 = now();

    volatile unsigned char* p = mmap(NULL, PAGES * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (!ok(p != MAP_FAILED, "mmap the whole file MAP_SHARED PROT_READ (errno=%d)", errno))
        bail("mmap failed");
    size_t bad = 0, first_bad = PAGES;
    for (size_t i = 0; i < PAGES; ++i) {
        if (!page_ok(p + i * PAGE, i)) {
            if (!bad)
                first_bad = i;
            ++bad;
        }
    }
    ok(bad == 0, "every page read through the mapping holds its pattern (%zu bad, first %zu)", bad, first_bad);
    vmstat_read(&after_map);
    r = munmap((void*)p, PAGES * PAGE);
    ok(r == 0, "munmap (errno=%d)", errno);
    double t2 = now();

    bad = 0;
    first_bad = PAGES;
    size_t pages_read = 0;
    off_t o = lseek(fd, 0, SEEK_SET);
    for (size_t page = 0; o == 0 && page < PAGES; page += CHUNK / PAGE) {
        if (read_full(fd, chunk, CHUNK) != CHUNK)
            break;
        for (size_t i = 0; i < CHUNK / PAGE; ++i) {
            if (!page_ok(chunk + i * PAGE, page + i)) {
                if (!bad)
                    first_bad = page + i;
                ++bad;
            }
        }
        pages_read += CHUNK / PAGE;
    }
    ok(pages_read == PAGES && bad == 0, "reading it back with read() gives every page's pattern (%zu pages read, %zu bad, first %zu)",
        pages_read, bad, first_bad);
    vmstat_read(&after_read);
    double t3 = now();
    diag("write %.1f s, mapped read %.1f s, read() %.1f s", t1 - t0, t2 - t1, t3 - t2);
    close(fd);
    unlink(path);

    if (pagoda) {
        long long evicted = vmstat_delta(&before, &after_read, "pgevict");
        ok(evicted > 0, "page-cache pages were evicted under memory pressure (pgevict +%lld)", evicted);
        diag("nr_file_pages %lld after the mapped read, %lld at the end", vmstat_value(&after_map, "nr_file_pages"),
            vmstat_value(&after_read, "nr_file_pages"));
    } else {
        skip("not Pagoda", "page-cache pages were evicted under memory pressure (pgevict)");
    }
    return tap_done();
}
