// segv_after_munmap — touching memory after munmap() must kill the program with SIGSEGV
// (no mapping there any more), and the kernel must not panic or hand out a fresh page.
// expect: signal 11
#include "tap.h"

#include <errno.h>
#include <sys/mman.h>

int main(void)
{
    tap_plan(1); // the second check is reached only if the access does not fault
    volatile unsigned char* p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    p[0] = 1;
    p[4096] = 2;
    int r = munmap((void*)p, 2 * 4096);
    ok(r == 0 && p != MAP_FAILED, "mapped two pages, wrote them, unmapped them");
    diag("now reading the unmapped page: the program must die by SIGSEGV");

    unsigned char value = p[4096]; // must fault
    ok(0, "reading an unmapped page did not fault (read %u)", value);
    return tap_done();
}
