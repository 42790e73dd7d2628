// mmap_64mib — a 64 MiB anonymous private mapping written page by page.
// Everywhere: the mapping works, every page holds what was written, munmap succeeds.
// On Pagoda (its counters in /proc/vmstat), the mechanism too: demand-zero paging takes
// exactly one zero-fill write fault per page (16384), at least 16384 page faults, and
// munmap gives every frame back (frames_free returns exactly to its value before mmap,
// which includes the page-table pages allocated for the range).
// Exactness: everything else this program touches inside the measured window — stack,
// code, the vmstat buffer and snapshots — is faulted in beforehand by a warm-up run of the
// same code path (mmap 64 MiB, touch one page, munmap), which also lets the kernel set up
// whatever it keeps afterwards.
#include "tap.h"
#include "vmstat.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096UL
#define SIZE (64UL << 20)
#define PAGES (SIZE / PAGE)

static struct vmstat before_map, after_touch, after_unmap;

// Fault in the stack this program can use below main (generously: 32 KiB).
__attribute__((noinline)) static void touch_stack(void)
{
    volatile unsigned char pad[32 * 1024];
    for (size_t i = 0; i < sizeof pad; i += 512)
        pad[i] = (unsigned char)i;
}

struct outcome {
    void* address;
    int mapped, map_errno, contents_ok, unmapped;
};

// The measured sequence: snapshot, mmap 64 MiB, write `touch` pages, snapshot, verify,
// munmap, snapshot. Run once as a warm-up with one page, so that every code, data and
// stack page this path uses is already present when it runs for real (a text page faulted
// in from the page cache inside the window would also cost a frame that munmap keeps).
// No printing inside: stdio could fault in buffers.
__attribute__((noinline)) static struct outcome measure(size_t touch)
{
    struct outcome o = { 0 };
    vmstat_read(&before_map);
    unsigned char* p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    o.address = p;
    o.mapped = p != MAP_FAILED;
    o.map_errno = o.mapped ? 0 : errno;
    if (o.mapped) {
        for (size_t i = 0; i < touch; ++i)
            *(volatile uint64_t*)(p + i * PAGE) = 0x5a5a000000000000ull | i;
    }
    vmstat_read(&after_touch);
    o.contents_ok = o.mapped;
    if (o.mapped) {
        for (size_t i = 0; i < touch; ++i) {
            const volatile uint64_t* word = (const volatile uint64_t*)(p + i * PAGE);
            o.contents_ok &= word[0] == (0x5a5a000000000000ull | i) && word[1] == 0 && word[PAGE / 8 - 1] == 0;
        }
        o.unmapped = munmap(p, SIZE) == 0;
    }
    vmstat_read(&after_unmap);
    return o;
}

int main(void)
{
    tap_plan(6);
    touch_stack();
    vmstat_read(&before_map);
    int pagoda = vmstat_is_pagoda(&before_map);
    diag("%s", pagoda ? "Pagoda counters found: checking the mechanism" : "no Pagoda counters: behaviour only");

    struct outcome warm = measure(1);
    if (!warm.mapped || !warm.contents_ok || !warm.unmapped)
        bail("warm-up: mmap/write/munmap of 64 MiB failed (%p errno=%d)", warm.address, warm.map_errno);
    struct outcome o = measure(PAGES);
    int mapped = o.mapped, contents_ok = o.contents_ok, unmapped = o.unmapped;
    void* p = o.address;
    errno = o.map_errno;

    if (!ok(mapped, "mmap 64 MiB anonymous private (%p, errno=%d)", (void*)p, mapped ? 0 : errno))
        return tap_done();
    ok(contents_ok, "each of the %lu pages holds what was written and zeroes elsewhere", PAGES);
    ok(unmapped, "munmap of the 64 MiB");

    if (pagoda) {
        long long zero_fill = vmstat_delta(&before_map, &after_touch, "zero_fill_write");
        ok(zero_fill == (long long)PAGES, "exactly %lu zero-fill write faults while touching (got %lld)", PAGES,
            zero_fill);
        long long faults = vmstat_delta(&before_map, &after_touch, "pgfault");
        ok(vmstat_value(&after_touch, "pgfault") >= 0 && faults >= (long long)PAGES, "at least %lu page faults while touching (got %lld)", PAGES, faults);
        long long free_before = vmstat_value(&before_map, "frames_free");
        long long free_touched = vmstat_value(&after_touch, "frames_free");
        long long free_after = vmstat_value(&after_unmap, "frames_free");
        diag("frames_free: %lld before mmap, %lld touched, %lld after munmap", free_before, free_touched, free_after);
        ok(free_after == free_before, "munmap returns every frame: frames_free %lld before mmap, %lld after munmap",
            free_before, free_after);
    } else {
        skip("not Pagoda", "exactly %lu zero-fill write faults while touching", PAGES);
        skip("not Pagoda", "at least %lu page faults while touching", PAGES);
        skip("not Pagoda", "munmap returns every frame (frames_free back to its value before mmap)");
    }
    return tap_done();
}
