// segv_write_mprotect — a page written, then made read-only by mprotect(): reads still see
// the data, and the next write must kill the program with SIGSEGV (the protection change
// must reach the page-table entry that is already present and writable).
// expect: signal 11
#include "tap.h"

#include <errno.h>
#include <sys/mman.h>

int main(void)
{
    tap_plan(1); // the second check is reached only if the access does not fault
    volatile unsigned char* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    p[100] = 42;
    int r = mprotect((void*)p, 4096, PROT_READ);
    ok(r == 0 && p[100] == 42, "wrote a page, mprotect PROT_READ, data still readable (r=%d)", r);
    diag("now writing to it: the program must die by SIGSEGV");

    p[100] = 43; // must fault
    ok(0, "writing to a page made read-only did not fault (read back %u)", p[100]);
    return tap_done();
}
