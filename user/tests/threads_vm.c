// threads_vm — one address space, several threads, the races of the VM (docs/locking.md,
// "The VM under threads"):
//   - four threads released together write one never-touched page: one zero-fill fault
//     and one frame (Pagoda: zero_fill_write +1, not +4);
//   - two threads write one copy-on-write page (shared with a forked child) at once: one
//     copy (Pagoda: cow_copy +1);
//   - a thread reading a page in a loop while another unmaps it gets SIGSEGV in itself,
//     not in the unmapping thread;
//   - two threads hammer mmap/mprotect/munmap of their own random ranges for a fixed
//     number of operations, every byte verified.
// alarm(60) fails a hang.
#include "tap.h"
#include "vmstat.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define RACERS 4

static pthread_barrier_t go;
static volatile unsigned char* target;
static struct vmstat before, after;

static void* write_target(void* arg)
{
    pthread_barrier_wait(&go);
    target[(long)arg] = (unsigned char)(long)arg + 1;
    return NULL;
}

// Releases RACERS threads at once on `body`; vmstat snapshots around the race (threads
// are created and their stacks touched before `before`).
static void race(void* (*body)(void*))
{
    pthread_t t[RACERS];
    pthread_barrier_init(&go, NULL, RACERS + 1);
    for (long i = 0; i < RACERS; ++i)
        pthread_create(&t[i], NULL, body, (void*)i);
    usleep(50000); // all at the barrier
    vmstat_read(&before);
    pthread_barrier_wait(&go);
    for (int i = 0; i < RACERS; ++i)
        pthread_join(t[i], NULL);
    vmstat_read(&after);
    pthread_barrier_destroy(&go);
}

static sigjmp_buf segv_return;
static _Atomic pid_t segv_thread;
static void on_segv(int signal)
{
    (void)signal;
    segv_thread = (pid_t)syscall(SYS_gettid);
    siglongjmp(segv_return, 1);
}
static volatile unsigned char* doomed;
static atomic_int reading;
static void* read_until_segv(void* arg)
{
    (void)arg;
    if (sigsetjmp(segv_return, 1))
        return (void*)(long)syscall(SYS_gettid);
    atomic_store(&reading, 1);
    for (;;)
        (void)doomed[0];
}

static uint64_t next_random(uint64_t* state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 33;
}
static void* hammer(void* arg)
{
    uint64_t state = (uint64_t)(long)arg * 7919 + 1;
    for (int op = 0; op < 300; ++op) {
        size_t pages = 1 + next_random(&state) % 16;
        unsigned char* p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return (void*)1;
        unsigned char seed = (unsigned char)next_random(&state);
        for (size_t i = 0; i < pages * PAGE; i += 64)
            p[i] = (unsigned char)(seed + i / 64);
        if (mprotect(p, pages * PAGE, PROT_READ) != 0)
            return (void*)2;
        for (size_t i = 0; i < pages * PAGE; i += 64)
            if (p[i] != (unsigned char)(seed + i / 64))
                return (void*)3;
        size_t keep = next_random(&state) % pages; // unmap the tail first, then the rest
        if (munmap(p + keep * PAGE, (pages - keep) * PAGE) != 0 || (keep && munmap(p, keep * PAGE) != 0))
            return (void*)4;
    }
    return NULL;
}

int main(void)
{
    tap_plan(5);
    alarm(60);
    vmstat_read(&before);
    vmstat_read(&after);

    target = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    race(write_target);
    int all_there = 1;
    for (int i = 0; i < RACERS; ++i)
        all_there &= target[i] == i + 1;
    if (vmstat_is_pagoda(&before)) {
        long long zero = vmstat_delta(&before, &after, "zero_fill_write");
        ok(all_there && zero == 1, "%d threads write one fresh page at once: every write there, one zero-fill fault (%+lld)", RACERS,
            zero);
    } else {
        ok(all_there, "%d threads write one fresh page at once: every write there", RACERS);
    }

    // A page shared copy-on-write with a child that holds it until told to go.
    target = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    target[0] = 50;
    int hold[2];
    pipe(hold);
    pid_t child = fork();
    if (child == 0) {
        char c;
        read(hold[0], &c, 1);
        _exit(target[0] == 50 && target[1] == 0 ? 0 : 1);
    }
    vmstat_read(&before); // copy-on-write copies of the snapshots' own pages: before the race
    vmstat_read(&after);
    race(write_target);
    write(hold[1], "x", 1);
    int status;
    waitpid(child, &status, 0);
    all_there = 1;
    for (int i = 1; i < RACERS; ++i)
        all_there &= target[i] == i + 1;
    int child_kept = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (vmstat_is_pagoda(&before)) {
        long long copies = vmstat_delta(&before, &after, "cow_copy");
        ok(all_there && child_kept && copies == 1,
            "%d threads write one copy-on-write page at once: one copy, the child keeps the old page (cow_copy %+lld)", RACERS, copies);
    } else {
        ok(all_there && child_kept, "%d threads write one copy-on-write page at once; the child keeps the old page", RACERS);
    }

    signal(SIGSEGV, on_segv);
    doomed = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    doomed[0] = 1;
    pthread_t reader;
    pthread_create(&reader, NULL, read_until_segv, NULL);
    while (!atomic_load(&reading))
        usleep(1000);
    usleep(20000);
    int unmapped = munmap((void*)doomed, PAGE) == 0;
    void* reader_tid;
    pthread_join(reader, &reader_tid);
    ok(unmapped && segv_thread == (pid_t)(long)reader_tid && segv_thread != getpid(),
        "munmap while another thread reads the page: SIGSEGV in the reading thread");
    ok(segv_thread != (pid_t)syscall(SYS_gettid), "and not in the thread that unmapped it");
    signal(SIGSEGV, SIG_DFL);

    pthread_t hammers[2];
    for (long i = 0; i < 2; ++i)
        pthread_create(&hammers[i], NULL, hammer, (void*)(i + 1));
    void* results[2];
    for (int i = 0; i < 2; ++i)
        pthread_join(hammers[i], &results[i]);
    ok(results[0] == NULL && results[1] == NULL, "two threads x 300 rounds of mmap, write, mprotect, verify, munmap (%ld, %ld)",
        (long)results[0], (long)results[1]);
    return tap_done();
}
