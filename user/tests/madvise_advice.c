// madvise_advice — the advice the LTP madvise tests use, as Linux takes it:
//   - MADV_DONTFORK: a fork child does not get the range (SIGSEGV there); MADV_DOFORK
//     gives it back;
//   - MADV_WIPEONFORK: the child gets the range empty (zeros) while the parent keeps its
//     data, in a grandchild too; MADV_KEEPONFORK undoes it; shared memory refuses it;
//   - MADV_REMOVE punches a hole in shared anonymous memory: zeros for every process that
//     shares it, and (on Pagoda) the frames go back; private memory refuses it (EINVAL);
//   - MADV_FREE is for private anonymous memory only (EINVAL for shared memory);
//   - MADV_POPULATE_WRITE faults the range in (mincore), and fails with EINVAL where the
//     memory may not be written;
//   - a gap in the range is ENOMEM, after the mapped parts took the advice; an unaligned
//     start or an unknown advice is EINVAL.
#define _GNU_SOURCE
#include "mem_util.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static unsigned char* wiped;

static void child_checks_wiped(void* pipe_end)
{
    char verdict = wiped[0] == 0 && wiped[PAGE - 1] == 0 ? 'z' : 'd';
    pid_t grandchild = fork();
    if (grandchild == 0) {
        char again = wiped[0] == 0 ? 'z' : 'd';
        write(*(int*)pipe_end, &again, 1);
        _exit(0);
    }
    waitpid(grandchild, NULL, 0);
    write(*(int*)pipe_end, &verdict, 1);
}

int main(void)
{
    unsigned char* p = map_pages(1);
    p[0] = 1;
    ok(madvise(p, PAGE, MADV_DONTFORK) == 0, "MADV_DONTFORK");
    int st = status_of_child(child_read_byte, p);
    ok(killed_by(st, SIGSEGV), "a fork child does not get the range (%s)", describe_wait_status(st));
    ok(madvise(p, PAGE, MADV_DOFORK) == 0, "MADV_DOFORK");
    st = status_of_child(child_read_byte, p);
    ok(st == 0, "and it does again (%s)", describe_wait_status(st));

    wiped = map_pages(1);
    memset(wiped, 7, PAGE);
    ok(madvise(wiped, PAGE, MADV_WIPEONFORK) == 0, "MADV_WIPEONFORK (errno=%d)", errno);
    int fds[2];
    pipe(fds);
    st = status_of_child(child_checks_wiped, &fds[1]);
    char verdicts[2] = { '?', '?' };
    read(fds[0], verdicts, 2);
    ok(st == 0 && verdicts[0] == 'z' && verdicts[1] == 'z' && wiped[0] == 7,
        "the child and the grandchild get it empty; the parent keeps its data (%c%c)", verdicts[0], verdicts[1]);
    ok(madvise(wiped, PAGE, MADV_KEEPONFORK) == 0, "MADV_KEEPONFORK");
    st = status_of_child(child_checks_wiped, &fds[1]);
    read(fds[0], verdicts, 2);
    ok(verdicts[1] == 'd', "undoes it (%c)", verdicts[1]);

    unsigned char* shared = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(shared, 9, 3 * PAGE);
    int e = errno_of(madvise(shared, PAGE, MADV_WIPEONFORK));
    ok(e == EINVAL, "MADV_WIPEONFORK on shared memory: EINVAL (errno=%d)", e);
    e = errno_of(madvise(shared, PAGE, MADV_FREE));
    ok(e == EINVAL, "MADV_FREE on shared memory: EINVAL (errno=%d)", e);
    ok(madvise(p, PAGE, MADV_FREE) == 0, "MADV_FREE on private anonymous memory");

    pid_t child = fork();
    if (child == 0) {
        // Waits for the parent's hole, then reports what it sees.
        char c;
        read(fds[0], &c, 1);
        c = shared[PAGE] == 0 && shared[0] == 9 ? 'h' : 'x';
        write(fds[1], &c, 1);
        _exit(0);
    }
    static struct vmstat before, after;
    vmstat_read(&after);
    vmstat_read(&before);
    int removed = madvise(shared + PAGE, PAGE, MADV_REMOVE);
    vmstat_read(&after);
    write(fds[1], "g", 1);
    waitpid(child, NULL, 0);
    char seen = '?';
    read(fds[0], &seen, 1);
    ok(removed == 0 && shared[PAGE] == 0 && shared[2 * PAGE] == 9 && seen == 'h',
        "MADV_REMOVE punches a hole in shared memory, for every process sharing it (%c, errno=%d)", seen, errno);
    if (vmstat_is_pagoda(&before))
        ok(vmstat_delta(&before, &after, "nr_file_pages") == -1, "its frame goes back (nr_file_pages %+lld)",
            vmstat_delta(&before, &after, "nr_file_pages"));
    else
        skip("not Pagoda", "its frame goes back");
    e = errno_of(madvise(p, PAGE, MADV_REMOVE));
    ok(e == EINVAL, "MADV_REMOVE on private anonymous memory: EINVAL (errno=%d)", e);

    unsigned char* fresh = map_pages(3);
    ok(madvise(fresh, 3 * PAGE, MADV_POPULATE_WRITE) == 0 && resident_pages(fresh, 3) == 3,
        "MADV_POPULATE_WRITE faults the range in (%ld of 3)", resident_pages(fresh, 3));
    mprotect(fresh, PAGE, PROT_READ);
    madvise(fresh, PAGE, MADV_DONTNEED);
    e = errno_of(madvise(fresh, PAGE, MADV_POPULATE_WRITE));
    ok(e == EINVAL, "MADV_POPULATE_WRITE on read-only memory: EINVAL (errno=%d)", e);

    unsigned char* gap = map_pages(3);
    gap[0] = 1;
    gap[2 * PAGE] = 2;
    munmap(gap + PAGE, PAGE);
    e = errno_of(madvise(gap, 3 * PAGE, MADV_DONTNEED));
    ok(e == ENOMEM && gap[0] == 0 && gap[2 * PAGE] == 0, "a gap: ENOMEM, after the mapped parts took the advice (errno=%d)", e);
    e = errno_of(madvise(gap + 1, PAGE, MADV_NORMAL));
    ok(e == EINVAL, "an unaligned start: EINVAL (errno=%d)", e);
    e = errno_of(madvise(gap, PAGE, 1212));
    ok(e == EINVAL, "an unknown advice: EINVAL (errno=%d)", e);
    return tap_done();
}
