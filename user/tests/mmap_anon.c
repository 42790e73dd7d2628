// mmap_anon — anonymous private mmap/munmap/mprotect semantics, as Linux defines them:
// zero fill, distinct mappings, unmap and re-map, punching a hole in the middle, splitting
// protections, MAP_FIXED replacing, MAP_FIXED_NOREPLACE refusing, and the error cases.
#include "tap.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static int all_equal(const void* p, size_t n, unsigned char value)
{
    const unsigned char* b = p;
    for (size_t i = 0; i < n; ++i) {
        if (b[i] != value)
            return 0;
    }
    return 1;
}

static unsigned char* map_rw(size_t pages)
{
    void* p = mmap(NULL, pages * PAGE, RW, ANON, -1, 0);
    if (p == MAP_FAILED)
        bail("mmap of %zu pages failed (errno=%d)", pages, errno);
    return p;
}

// An address that is certainly unmapped: map a page and unmap it again.
static unsigned char* unmapped_page(void)
{
    unsigned char* p = map_rw(1);
    munmap(p, PAGE);
    return p;
}

int main(void)
{
    tap_plan(29);

    // --- basics ---
    unsigned char* a = mmap(NULL, 4 * PAGE, RW, ANON, -1, 0);
    ok(a != MAP_FAILED && ((uintptr_t)a & (PAGE - 1)) == 0, "mmap 4 pages RW private anonymous: page-aligned (%p)",
        (void*)a);
    if (a == MAP_FAILED)
        bail("cannot continue without a mapping");
    ok(all_equal(a, 4 * PAGE, 0), "new anonymous memory reads as zeroes");
    for (size_t i = 0; i < 4 * PAGE; ++i)
        a[i] = (unsigned char)(i * 7);
    int pattern = 1;
    for (size_t i = 0; i < 4 * PAGE; ++i)
        pattern &= a[i] == (unsigned char)(i * 7);
    ok(pattern, "written bytes read back");

    unsigned char* b = map_rw(4);
    ok(b + 4 * PAGE <= a || a + 4 * PAGE <= b, "a second mapping does not overlap the first (%p, %p)", (void*)a, (void*)b);
    memset(b, 0xee, 4 * PAGE);
    ok(a[0] == 0 && a[PAGE] == (unsigned char)(PAGE * 7) && all_equal(b, 4 * PAGE, 0xee),
        "writes to one mapping do not show in the other");

    // --- munmap then a new mmap ---
    ok(munmap(a, 4 * PAGE) == 0, "munmap the first mapping");
    unsigned char* c = map_rw(4);
    ok(all_equal(c, 4 * PAGE, 0), "a new mapping after munmap is zero-filled again (%p)", (void*)c);
    ok(all_equal(b, 4 * PAGE, 0xee), "the other mapping is unaffected by the munmap");

    // --- a hole in the middle ---
    unsigned char* h = map_rw(3);
    memset(h, 1, PAGE);
    memset(h + PAGE, 2, PAGE);
    memset(h + 2 * PAGE, 3, PAGE);
    ok(munmap(h + PAGE, PAGE) == 0, "munmap the middle page of three");
    ok(all_equal(h, PAGE, 1) && all_equal(h + 2 * PAGE, PAGE, 3), "both sides keep their data");
    memset(h, 4, PAGE);
    memset(h + 2 * PAGE, 5, PAGE);
    ok(all_equal(h, PAGE, 4) && all_equal(h + 2 * PAGE, PAGE, 5), "both sides stay writable");
    errno = 0;
    int r = mprotect(h + PAGE, PAGE, PROT_READ);
    ok(r == -1 && errno == ENOMEM, "the hole is unmapped: mprotect on it fails with ENOMEM (r=%d errno=%d)", r, errno);
    void* refill = mmap(h + PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    ok(refill == h + PAGE && all_equal(h + PAGE, PAGE, 0), "MAP_FIXED_NOREPLACE fills the hole with a zero page (%p)",
        refill);

    // --- mprotect ---
    r = mprotect(h, 3 * PAGE, PROT_READ);
    ok(r == 0 && all_equal(h, PAGE, 4) && all_equal(h + 2 * PAGE, PAGE, 5),
        "mprotect PROT_READ over the three pages; data still readable (r=%d)", r);
    r = mprotect(h, 3 * PAGE, RW);
    int kept = all_equal(h, PAGE, 4) && all_equal(h + 2 * PAGE, PAGE, 5);
    memset(h, 6, 3 * PAGE);
    ok(r == 0 && kept && all_equal(h, 3 * PAGE, 6), "mprotect back to RW keeps the data and allows writes (r=%d)", r);
    r = mprotect(h + PAGE, PAGE, PROT_READ);
    h[0] = 7;
    h[2 * PAGE] = 8;
    ok(r == 0 && h[0] == 7 && h[PAGE] == 6 && h[2 * PAGE] == 8,
        "mprotect of the middle page only: its neighbours stay writable (r=%d)", r);
    munmap(h, 3 * PAGE);

    // --- MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses ---
    unsigned char* f = map_rw(2);
    memset(f, 0x11, 2 * PAGE);
    void* fixed = mmap(f + PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0);
    ok(fixed == f + PAGE && all_equal(f + PAGE, PAGE, 0) && all_equal(f, PAGE, 0x11),
        "MAP_FIXED over the second page replaces it with zeroes, first page intact (%p)", fixed);
    memset(f + PAGE, 0x22, PAGE);
    errno = 0;
    void* noreplace = mmap(f, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    ok(noreplace == MAP_FAILED && errno == EEXIST, "MAP_FIXED_NOREPLACE over an existing mapping fails with EEXIST (%p errno=%d)",
        noreplace, errno);
    ok(all_equal(f, PAGE, 0x11) && all_equal(f + PAGE, PAGE, 0x22), "the refused MAP_FIXED_NOREPLACE left the data alone");
    munmap(f, 2 * PAGE);

    // --- errors ---
    errno = 0;
    void* e = mmap(NULL, 0, RW, ANON, -1, 0);
    ok(e == MAP_FAILED && errno == EINVAL, "mmap of length 0 fails with EINVAL (errno=%d)", errno);
    errno = 0;
    e = mmap(unmapped_page() + 1, PAGE, RW, ANON | MAP_FIXED, -1, 0);
    ok(e == MAP_FAILED && errno == EINVAL, "MAP_FIXED at an unaligned address fails with EINVAL (errno=%d)", errno);
    errno = 0;
    e = mmap(NULL, PAGE, RW, MAP_ANONYMOUS, -1, 0);
    ok(e == MAP_FAILED && errno == EINVAL, "flags with neither MAP_PRIVATE nor MAP_SHARED fail with EINVAL (errno=%d)",
        errno);
    errno = 0;
    r = munmap(b + 1, PAGE);
    ok(r == -1 && errno == EINVAL, "munmap at an unaligned address fails with EINVAL (r=%d errno=%d)", r, errno);
    errno = 0;
    r = munmap(b, 0);
    ok(r == -1 && errno == EINVAL, "munmap of length 0 fails with EINVAL (r=%d errno=%d)", r, errno);
    ok(all_equal(b, 4 * PAGE, 0xee), "failed munmaps left the mapping alone");
    unsigned char* gone = unmapped_page();
    errno = 0;
    r = munmap(gone, PAGE);
    ok(r == 0, "munmap of an unmapped range succeeds (r=%d errno=%d)", r, errno);
    errno = 0;
    r = mprotect(gone, PAGE, PROT_READ);
    ok(r == -1 && errno == ENOMEM, "mprotect of an unmapped range fails with ENOMEM (r=%d errno=%d)", r, errno);
    errno = 0;
    r = (int)syscall(SYS_mprotect, b + 1, PAGE, PROT_READ); // musl's mprotect() would round b+1 down

    ok(r == -1 && errno == EINVAL, "mprotect at an unaligned address fails with EINVAL (r=%d errno=%d)", r, errno);

    ok(all_equal(b, 4 * PAGE, 0xee) && (memset(b, 0x33, 4 * PAGE), all_equal(b, 4 * PAGE, 0x33)),
        "failed mprotect left the mapping readable and writable");

    munmap(b, 4 * PAGE);
    munmap(c, 4 * PAGE);
    return tap_done();
}
