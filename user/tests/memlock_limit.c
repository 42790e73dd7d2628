// memlock_limit — RLIMIT_MEMLOCK as Linux weighs it (mm/mlock.c, mm/mmap.c): a caller
// without CAP_IPC_LOCK (here: effective uid 65534, the saved uid still 0) may lock nothing
// while the limit is 0 (mlock, mlockall, mmap MAP_LOCKED: EPERM), and no more than the
// limit in all, pages it has locked already counted once (mlock, mlockall(MCL_CURRENT):
// ENOMEM; mmap MAP_LOCKED: EAGAIN); munlock is never refused; root is not limited.
// Run as root (the test changes its effective uid).
#include "tap.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096

static struct rlimit original;

// The soft limit only (what is weighed): raising a hard limit again needs CAP_SYS_RESOURCE,
// which a root in a container may lack.
static void set_limit(rlim_t bytes)
{
    struct rlimit limit = { bytes, original.rlim_max };
    if (setrlimit(RLIMIT_MEMLOCK, &limit) != 0)
        bail("setrlimit(RLIMIT_MEMLOCK, %lu) (errno %d)", (unsigned long)bytes, errno);
}

static void become(uid_t uid)
{
    if (seteuid(uid) != 0)
        bail("seteuid(%u) (errno %d)", (unsigned)uid, errno);
}

static int result_of(int r) { return r == 0 ? 0 : errno; }

// mmap(MAP_LOCKED) through syscall(): musl's mmap turns an EPERM for anonymous memory into
// ENOMEM.
static void* map_locked_page(void)
{
    return (void*)syscall(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
}

int main(void)
{
    tap_plan(14);
    if (geteuid() != 0)
        bail("run as root");
    getrlimit(RLIMIT_MEMLOCK, &original);
    if (original.rlim_max != RLIM_INFINITY && original.rlim_max < 2 * PAGE)
        bail("the hard RLIMIT_MEMLOCK is below two pages");
    char* pages = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED)
        bail("mmap (errno %d)", errno);

    // A limit of 0: root still locks; anyone else may not lock at all.
    set_limit(0);
    int e = result_of(mlock(pages, PAGE));
    ok(e == 0, "root, limit 0: mlock of a page works (errno %d)", e);
    munlock(pages, PAGE);
    become(65534);
    e = result_of(mlock(pages, PAGE));
    ok(e == EPERM, "uid 65534, limit 0: mlock is EPERM (errno %d)", e);
    e = result_of(mlockall(MCL_CURRENT));
    ok(e == EPERM, "uid 65534, limit 0: mlockall is EPERM (errno %d)", e);
    void* locked = map_locked_page();
    ok(locked == MAP_FAILED && errno == EPERM, "uid 65534, limit 0: mmap MAP_LOCKED is EPERM (errno %d)", errno);
    e = result_of(munlock(pages, PAGE));
    ok(e == 0, "uid 65534, limit 0: munlock works (errno %d)", e);
    become(0);

    // A limit of two pages.
    set_limit(2 * PAGE);
    become(65534);
    e = result_of(mlock(pages, PAGE));
    int e2 = result_of(mlock(pages + PAGE, PAGE));
    ok(e == 0 && e2 == 0, "limit 2 pages: two pages locked one by one (errno %d, %d)", e, e2);
    e = result_of(mlock(pages + 2 * PAGE, PAGE));
    ok(e == ENOMEM, "a third page is ENOMEM (errno %d)", e);
    e = result_of(mlock(pages, 2 * PAGE));
    ok(e == 0, "the two locked pages again: counted once, works (errno %d)", e);
    e = result_of(mlock(pages + PAGE, 2 * PAGE));
    ok(e == ENOMEM, "one locked page and one more is ENOMEM (errno %d)", e);
    locked = map_locked_page();
    ok(locked == MAP_FAILED && errno == EAGAIN, "mmap MAP_LOCKED past the limit is EAGAIN (errno %d)", errno);
    e = result_of(mlockall(MCL_CURRENT));
    ok(e == ENOMEM, "mlockall(MCL_CURRENT) with more mapped than the limit is ENOMEM (errno %d)", e);
    munlock(pages, PAGE);
    e = result_of(mlock(pages + PAGE, 2 * PAGE));
    ok(e == 0, "after munlock of one page, that page and the next fit (errno %d)", e);
    become(0);

    // Root is not limited.
    e = result_of(mlock(pages, 8 * PAGE));
    ok(e == 0, "root, limit 2 pages: mlock of 8 pages works (errno %d)", e);
    locked = map_locked_page();
    ok(locked != MAP_FAILED, "root: mmap MAP_LOCKED past the limit works (errno %d)", errno);
    munlockall();
    setrlimit(RLIMIT_MEMLOCK, &original);
    return tap_done();
}
