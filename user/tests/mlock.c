// mlock — locked memory, as Linux does it (no swap here, so locked = faulted in and kept):
//   - mlock faults every page of the range in at once (mincore; on Pagoda one zero-fill
//     write fault per page of private writable memory), counts it in VmLck and in the
//     Locked: line of /proc/self/smaps, and munlock takes both back; an unaligned start
//     locks from its page on;
//   - mlock over a hole is ENOMEM, after locking what came before it;
//   - mlock2(MLOCK_ONFAULT) locks without faulting anything in; an unknown flag is EINVAL;
//   - mmap(MAP_LOCKED) is faulted in and locked;
//   - mlockall(MCL_CURRENT) faults in what is mapped; MCL_FUTURE locks later mmaps;
//     munlockall ends both; bad flags are EINVAL;
//   - a fork child's memory is not locked; MADV_DONTNEED on locked memory is EINVAL.
#define _GNU_SOURCE
#include "mem_util.h"

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

static void child_reports_vmlck(void* pipe_end)
{
    long kb = status_kb("VmLck");
    write(*(int*)pipe_end, &kb, sizeof kb);
}

int main(void)
{
    long base = status_kb("VmLck");
    ok(base == 0, "nothing is locked at first (VmLck %ld kB)", base);

    unsigned char* p = map_pages(8);
    static struct vmstat before, after;
    vmstat_read(&after);
    vmstat_read(&before);
    int r = mlock(p + 100, 3 * PAGE); // from p's page to the end of the fourth page
    vmstat_read(&after);
    ok(r == 0 && resident_pages(p, 8) == 4, "mlock faults in every page it covers (%ld of 8 resident, errno=%d)",
        resident_pages(p, 8), errno);
    if (vmstat_is_pagoda(&before))
        ok(vmstat_delta(&before, &after, "zero_fill_write") == 4, "one zero-fill write fault per page (%+lld)",
            vmstat_delta(&before, &after, "zero_fill_write"));
    else
        skip("not Pagoda", "one zero-fill write fault per page");
    ok(status_kb("VmLck") == 16, "VmLck counts the 4 locked pages (%ld kB)", status_kb("VmLck"));
    ok(smaps_kb(p, "Locked") == 16, "smaps shows them Locked (%ld kB)", smaps_kb(p, "Locked"));
    ok(madvise(p, PAGE, MADV_DONTNEED) == -1 && errno == EINVAL, "MADV_DONTNEED on locked memory: EINVAL (errno=%d)", errno);
    int fds[2];
    pipe(fds);
    long child_kb = -1;
    int st = status_of_child(child_reports_vmlck, &fds[1]);
    read(fds[0], &child_kb, sizeof child_kb);
    ok(st == 0 && child_kb == 0, "a fork child's memory is not locked (VmLck %ld kB)", child_kb);
    ok(munlock(p, 8 * PAGE) == 0 && status_kb("VmLck") == 0, "munlock unlocks it (VmLck %ld kB)", status_kb("VmLck"));

    munmap(p + 5 * PAGE, PAGE);
    r = mlock(p, 8 * PAGE);
    ok(r == -1 && errno == ENOMEM, "mlock over a hole: ENOMEM (errno=%d)", errno);
    ok(status_kb("VmLck") == 20, "after locking the 5 pages before the hole (VmLck %ld kB)", status_kb("VmLck"));
    munlock(p, 5 * PAGE);

    unsigned char* q = map_pages(4);
    r = mlock2(q, 4 * PAGE, MLOCK_ONFAULT);
    ok(r == 0 && resident_pages(q, 4) == 0 && status_kb("VmLck") == 16,
        "mlock2(MLOCK_ONFAULT) locks without faulting in (%ld resident, VmLck %ld kB)", resident_pages(q, 4),
        status_kb("VmLck"));
    ok(mlock2(q, PAGE, 2) == -1 && errno == EINVAL, "mlock2 with an unknown flag: EINVAL");
    munlock(q, 4 * PAGE);

    unsigned char* locked = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
    ok(locked != MAP_FAILED && resident_pages(locked, 3) == 3 && status_kb("VmLck") == 12,
        "mmap(MAP_LOCKED) is faulted in and locked (VmLck %ld kB)", status_kb("VmLck"));
    munmap(locked, 3 * PAGE);
    ok(status_kb("VmLck") == 0, "munmap of locked memory unlocks it");

    unsigned char* untouched = map_pages(4);
    r = mlockall(MCL_CURRENT);
    ok(r == 0 && resident_pages(untouched, 4) == 4, "mlockall(MCL_CURRENT) faults in what is mapped (%ld of 4, errno=%d)",
        resident_pages(untouched, 4), errno);
    unsigned char* later = map_pages(2);
    ok(resident_pages(later, 2) == 0, "without MCL_FUTURE a later mmap is neither locked nor faulted in");
    munmap(later, 2 * PAGE);
    r = mlockall(MCL_CURRENT | MCL_FUTURE);
    long locked_before = status_kb("VmLck");
    later = map_pages(2);
    long future_locked = status_kb("VmLck") - locked_before;
    ok(r == 0 && resident_pages(later, 2) == 2 && future_locked == 8,
        "with MCL_FUTURE a later mmap is locked and faulted in (VmLck %+ld kB)", future_locked);
    ok(munlockall() == 0 && status_kb("VmLck") == 0, "munlockall unlocks everything (VmLck %ld kB)", status_kb("VmLck"));
    munmap(later, 2 * PAGE);
    later = map_pages(2);
    ok(resident_pages(later, 2) == 0, "and ends MCL_FUTURE");
    ok(mlockall(0) == -1 && errno == EINVAL, "mlockall(0): EINVAL");
    ok(mlockall(MCL_ONFAULT) == -1 && errno == EINVAL, "mlockall(MCL_ONFAULT) alone: EINVAL");
    ok(mlockall(8) == -1 && errno == EINVAL, "mlockall with an unknown flag: EINVAL");
    return tap_done();
}
