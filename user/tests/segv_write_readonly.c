// segv_write_readonly — a write to a page mapped PROT_READ must kill the program with
// SIGSEGV. The page is read first, so on Pagoda it is already mapped (to the shared zero
// frame): the write fault then finds a present, read-only entry and must still refuse
// rather than zero-fill a private frame.
// expect: signal 11
#include "tap.h"

#include <errno.h>
#include <sys/mman.h>

int main(void)
{
    tap_plan(1); // the second check is reached only if the access does not fault
    volatile unsigned char* p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    ok(p[0] == 0 && p[4095] == 0, "a PROT_READ anonymous page reads as zeroes");
    diag("now writing to it: the program must die by SIGSEGV");

    p[100] = 1; // must fault
    ok(0, "writing to a PROT_READ page did not fault (read back %u)", p[100]);
    return tap_done();
}
