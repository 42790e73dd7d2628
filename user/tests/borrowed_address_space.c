// borrowed_address_space — a CPU that runs no user thread keeps the page table loaded last
// (Linux's lazy TLB mode; Pagoda: docs/locking.md, "TLB invalidation and shootdown"). That
// borrowed table must never let a stale translation through:
//   1. a reader thread sleeps between reads (its CPU goes idle, borrowing the table) while a
//      writer thread replaces the page it reads with a new frame of new data (mremap of a
//      filled page over it) and publishes the generation: after seeing generation g the
//      reader never reads an older one from the page — the old frame, freed and maybe
//      reused, is never seen through a translation left over from before the idle period;
//   2. the same with the writer a child process that exits (its address space is freed
//      while a CPU may still borrow its table): every child's last write is seen by the
//      parent through a pipe, and the machine goes on (no CPU runs on freed page tables);
//   3. Pagoda, one CPU: a thread that sleeps and wakes 200 times loads its page table far
//      fewer than 400 times (address_space_loads: the idle loop borrows it, so coming back
//      needs no load).
// alarm(120) fails a hang.
#define _GNU_SOURCE
#include "mem_util.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

#define ROUNDS 300
#define SLEEPS 200

static uint64_t volatile* page;
static atomic_ullong published;
static atomic_int writer_done;
static atomic_int stale_reads;

static void nap(long ns)
{
    struct timespec t = { 0, ns };
    nanosleep(&t, NULL);
}

// Each round fills a fresh page with the generation and moves it over the one the reader
// reads (mremap MREMAP_FIXED): the old frame goes, and the reader's address always holds
// one whole generation — never a half-filled page, never a hole.
static void* replace_page(void* unused)
{
    (void)unused;
    for (uint64_t generation = 1; generation <= ROUNDS; ++generation) {
        uint64_t* fresh = (uint64_t*)map_pages(1);
        for (size_t i = 0; i < PAGE / 8; ++i)
            fresh[i] = generation;
        if (mremap(fresh, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)page) != (void*)page)
            bail("mremap MREMAP_FIXED failed (errno=%d)", errno);
        atomic_store(&published, generation);
        nap(20000);
    }
    atomic_store(&writer_done, 1);
    return NULL;
}

static void check_sleeping_reader(void)
{
    page = (uint64_t volatile*)map_pages(1);
    pthread_t writer;
    if (pthread_create(&writer, NULL, replace_page, NULL) != 0)
        bail("pthread_create failed");
    long reads = 0;
    while (!atomic_load(&writer_done)) {
        uint64_t seen = atomic_load(&published);
        uint64_t value = page[PAGE / 8 - 1];
        if (value < seen || value > ROUNDS)
            atomic_fetch_add(&stale_reads, 1);
        ++reads;
        nap(15000); // this thread's CPU may go idle, borrowing the table
    }
    pthread_join(writer, NULL);
    ok(atomic_load(&stale_reads) == 0, "%ld reads between naps while the page was replaced %d times: %d stale", reads, ROUNDS,
        atomic_load(&stale_reads));
    munmap((void*)page, PAGE);
}

static void check_exiting_children(void)
{
    int good = 0;
    for (int child = 0; child < 40; ++child) {
        int fds[2];
        if (pipe(fds) < 0)
            bail("pipe failed");
        pid_t pid = fork();
        if (pid == 0) {
            unsigned char* p = map_pages(64);
            for (int i = 0; i < 64; ++i)
                p[(size_t)i * PAGE] = (unsigned char)(child + i);
            nap(5000); // this CPU idles, maybe borrowing our table, while we sleep
            unsigned char sum = 0;
            for (int i = 0; i < 64; ++i)
                sum = (unsigned char)(sum + p[(size_t)i * PAGE]);
            if (write(fds[1], &sum, 1) != 1)
                _exit(2);
            _exit(0);
        }
        close(fds[1]);
        unsigned char sum = 0, want = 0;
        for (int i = 0; i < 64; ++i)
            want = (unsigned char)(want + child + i);
        int status = 0;
        if (read(fds[0], &sum, 1) == 1 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0
            && sum == want)
            ++good;
        close(fds[0]);
        nap(5000); // and idles again after the child's address space is gone
    }
    ok(good == 40, "40 children wrote, slept, read back and exited: %d right", good);
}

static void check_wakeups_load_nothing(void)
{
    cpu_set_t cpus;
    int one_cpu = sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) == 1;
    static struct vmstat before, after;
    vmstat_read(&before);
    vmstat_read(&before);
    for (int i = 0; i < SLEEPS; ++i)
        nap(50000);
    vmstat_read(&after);
    if (!vmstat_is_pagoda(&before) || !one_cpu) {
        skip(one_cpu ? "not Pagoda" : "more than one CPU: a wake-up may come on another CPU", "page-table loads per wake-up");
        return;
    }
    long long loads = -1, ignored;
    if (vmstat_get(&before, "address_space_loads", &ignored))
        loads = vmstat_delta(&before, &after, "address_space_loads");
    ok(loads >= 0 && loads < SLEEPS / 4, "%d sleeps and wake-ups: address_space_loads %+lld (a load per switch would be %d)",
        SLEEPS, loads, 2 * SLEEPS);
}

int main(void)
{
    tap_plan(3);
    alarm(120);
    check_sleeping_reader();
    check_exiting_children();
    check_wakeups_load_nothing();
    return tap_done();
}
