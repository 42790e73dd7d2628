// kill_long_populate — a system call that works for a long time does not take the machine:
// a child locks a 64 GiB read-only mapping (MAP_LOCKED: every page faulted in, sixteen
// million of them, minutes in an emulator); meanwhile the parent's 300 ms sleep ends, and
// its SIGKILL ends the child, each within 20 s (the kernel offers the CPU between pages, as
// Linux's cond_resched does). Found by tools/fuzz (seed 2011): the guest went silent.
#define _GNU_SOURCE
#include "tap.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
    // The child starts its mmap 100 ms in, while the parent sleeps: on a kernel that never
    // lets go of the CPU the parent's sleep would end only when the mmap does.
    double start = now();
    pid_t child = fork();
    if (child == 0) {
        struct timespec head_start = { 0, 100 * 1000 * 1000 };
        nanosleep(&head_start, NULL);
        mmap(NULL, 64UL << 30, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_LOCKED, -1, 0);
        pause();
        _exit(0);
    }
    struct timespec pause_time = { 0, 300 * 1000 * 1000 };
    nanosleep(&pause_time, NULL);
    double slept = now() - start;
    ok(slept < 20, "the parent's 300 ms sleep ended after %.1f s", slept);
    kill(child, SIGKILL);
    double killed = now();
    int status = 0;
    waitpid(child, &status, 0);
    double took = now() - killed;
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the child died of SIGKILL (status %#x)", status);
    ok(took < 20, "within %.1f s of the kill", took);
    return tap_done();
}
