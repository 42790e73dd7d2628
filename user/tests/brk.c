// brk — the program break through the raw brk system call (which returns the new break
// on success and the unchanged old break on failure) and sbrk(0): growth by a page
// and by megabytes, new memory zero-filled and writable, unaligned breaks, shrinking,
// re-growth giving fresh zeroes, and refusals (below the start, into another mapping).
// (musl's sbrk only supports sbrk(0), so growth is done with the raw system call.)
#include "tap.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL

static uintptr_t sys_brk(uintptr_t address)
{
    return (uintptr_t)syscall(SYS_brk, address);
}

// All bytes in [p, p+n) equal value?
static int all_equal(const unsigned char* p, size_t n, unsigned char value)
{
    for (size_t i = 0; i < n; ++i) {
        if (p[i] != value)
            return 0;
    }
    return 1;
}

int main(void)
{
    tap_plan(16);

    uintptr_t start = sys_brk(0);
    ok(start != 0 && start != (uintptr_t)-1, "brk(0) returns the current break (%#lx)", (unsigned long)start);
    ok(sys_brk(0) == start, "brk(0) again returns the same break");

    // Grow by one page (from the page-aligned boundary above the current break).
    uintptr_t base = (start + PAGE - 1) & ~(PAGE - 1);
    uintptr_t r = sys_brk(base + PAGE);
    ok(r == base + PAGE, "grow by one page: brk returns the new break (%#lx, wanted %#lx)", (unsigned long)r,
        (unsigned long)(base + PAGE));
    unsigned char* p = (unsigned char*)start;
    size_t grown = base + PAGE - start;
    int zero = all_equal(p, grown, 0);
    memset(p, 0xab, grown);
    ok(zero && all_equal(p, grown, 0xab), "new break memory is zero-filled and writable (%zu bytes)", grown);

    // Grow by 8 MiB and write every page.
    size_t big = 8UL << 20;
    r = sys_brk(base + PAGE + big);
    ok(r == base + PAGE + big, "grow by 8 MiB: brk returns the new break (%#lx)", (unsigned long)r);
    int big_ok = r == base + PAGE + big;
    if (big_ok) {
        unsigned char* q = (unsigned char*)(base + PAGE);
        for (size_t off = 0; off < big; off += PAGE)
            big_ok &= q[off] == 0 && q[off + PAGE - 1] == 0;
        for (size_t off = 0; off < big; off += PAGE)
            q[off] = (unsigned char)(off / PAGE), q[off + PAGE - 1] = 0x77;
        for (size_t off = 0; off < big; off += PAGE)
            big_ok &= q[off] == (unsigned char)(off / PAGE) && q[off + PAGE - 1] == 0x77;
    }
    ok(big_ok, "the 8 MiB are zero-filled, then hold what was written to each page");
    ok(sys_brk(0) == base + PAGE + big, "brk(0) returns the grown break");

    // An unaligned break is accepted and reported as asked (Linux keeps the exact value).
    r = sys_brk(base + PAGE + big + 100);
    ok(r == base + PAGE + big + 100, "unaligned brk returns the exact value asked (%#lx)", (unsigned long)r);

    // Shrink back to one page: the first page keeps its data.
    r = sys_brk(base + PAGE);
    ok(r == base + PAGE, "shrink: brk returns the lower break (%#lx)", (unsigned long)r);
    ok(all_equal(p, grown, 0xab), "memory below the lowered break keeps its data");

    // Grow again: the pages given back must come back zero-filled.
    r = sys_brk(base + PAGE + 4 * PAGE);
    int regrown_zero = r == base + PAGE + 4 * PAGE && all_equal((unsigned char*)(base + PAGE), 4 * PAGE, 0);
    ok(regrown_zero, "grow again after shrinking: the re-added pages are zero-filled (brk=%#lx)", (unsigned long)r);

    // Below the start of the heap: refused, the break stays.
    uintptr_t cur = sys_brk(0);
    r = sys_brk(PAGE);
    ok(r == cur, "brk(4096), below the heap start, fails and returns the old break (%#lx vs %#lx)", (unsigned long)r,
        (unsigned long)cur);
    r = sys_brk((uintptr_t)&main);
    ok(r == cur, "brk into the program text fails and returns the old break");

    // Into another mapping: put a page 1 MiB above the break, then ask for 2 MiB more.
    // (If something is mapped there already, EEXIST, that mapping blocks the break just as well.)
    uintptr_t blocker_at = (cur + (1UL << 20) + PAGE - 1) & ~(PAGE - 1);
    errno = 0;
    void* blocker = mmap((void*)blocker_at, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
        -1, 0);
    int ours = blocker == (void*)blocker_at;
    if (ok(ours || (blocker == MAP_FAILED && errno == EEXIST), "a mapping sits 1 MiB above the break (%s)",
            ours ? "mapped it" : "already there")) {
        if (ours)
            *(volatile int*)blocker = 42;
        r = sys_brk(cur + (2UL << 20));
        ok(r == cur && (!ours || *(volatile int*)blocker == 42),
            "brk over an existing mapping fails and returns the old break, mapping untouched (%#lx)", (unsigned long)r);
        if (ours)
            munmap(blocker, PAGE);
    } else {
        ok(0, "brk over an existing mapping (not tried: mmap gave %p, errno=%d)", blocker, errno);
    }

    // libc: sbrk(0) reads the same break (musl refuses other increments by design).
    ok(sbrk(0) == (void*)cur, "sbrk(0) returns the current break");

    return tap_done();
}
