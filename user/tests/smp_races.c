// smp_races — the VM's races between CPUs, each run for enough rounds that threads on
// different cores really collide (the host's cores; Pagoda with --cpus 2 or 4), and each
// asserting only what must hold in every interleaving (docs/locking.md, "The VM under
// threads"; threads_vm and tlb_stale_reads run one instance of the first two):
//   1. fresh pages: a crew of threads released together faults one untouched page per
//      round (some read first, some write at once): every thread's write is there, the
//      mapping's smaps Rss is one page a round; Pagoda: zero_fill_write exactly +1 a round;
//   2. copy-on-write: after fork (the child holds the pages), the crew writes one shared
//      page per round at once: the child keeps the old contents, the parent has every
//      write, Private_Dirty is one page a round, Shared_Dirty 0; Pagoda: cow_copy exactly
//      +1 a round;
//   3. fork while threads write: each writer rewrites its own pages word by word, word 0
//      first, with (pass << 16 | page), and checks before each store that the word still
//      holds its own last store. Every child sees each page as one instant of that stream
//      (the right page tag, passes non-increasing along the page, at most one apart), and
//      the same again a moment later (no write of the parent's threads reaches it after
//      fork returned); no writer ever misses its own last store;
//   4. mprotect(PROT_READ) while another thread writes the page: once mprotect has
//      returned the page never changes again, and the writer's next store takes SIGSEGV
//      (SEGV_ACCERR, at the page);
//   5. one thread alone writing fresh pages: Pagoda serves those faults on the parallel
//      path (docs/locking.md, "Faults in parallel"): parallel_fault +1 a page with one CPU
//      (nothing else can hold the kernel-mode lock then), at least one with more (another
//      CPU's tick may hold it at the moment of a fault); zero_fill_write +1 a page either way;
//   6. the same for a file whose pages are cached (a tmpfs file just written): reads of a
//      private mapping map the cache's pages (a fault each 16, fault-around), writes copy
//      them, and the file keeps its bytes; Pagoda: parallel_file_fault is every such fault
//      with one CPU, at least one with more; file_cow +1 a written page.
// alarm(120) fails a hang.
#define _GNU_SOURCE // CPU_COUNT, sched_getaffinity
#include "mem_util.h"

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>

#define CREW 3
#define FRESH_ROUNDS 200
#define COW_ROUNDS 100
#define WRITERS 2
#define WRITER_PAGES 4
#define FORKS 20
#define PROTECT_ROUNDS 100
#define WORDS (PAGE / 8)

// --- the crew: CREW threads that run job(member, round) together, round after round ---
// Round 0 is a warm-up with no job: it faults the threads' stacks and the barriers' pages
// (copies them, after a fork) before the first counter snapshot.
static pthread_barrier_t start_line, finish_line;
static void (*crew_job)(int member, int round);
static int crew_rounds;

static void* crew_member(void* arg)
{
    int member = (int)(long)arg;
    for (int round = 0; round <= crew_rounds; ++round) {
        pthread_barrier_wait(&start_line);
        if (round > 0)
            crew_job(member, round - 1);
        pthread_barrier_wait(&finish_line);
    }
    return NULL;
}

static struct vmstat before, after, around_fork[2];

// Runs `rounds` rounds of `job` on a fresh crew; `before` and `after` enclose exactly the
// rounds (the main thread only waits at the barriers meanwhile).
static void run_crew(void (*job)(int, int), int rounds)
{
    crew_job = job;
    crew_rounds = rounds;
    pthread_barrier_init(&start_line, NULL, CREW + 1);
    pthread_barrier_init(&finish_line, NULL, CREW + 1);
    pthread_t threads[CREW];
    for (long i = 0; i < CREW; ++i)
        if (pthread_create(&threads[i], NULL, crew_member, (void*)i) != 0)
            bail("pthread_create failed");
    for (int round = 0; round <= rounds; ++round) {
        pthread_barrier_wait(&start_line);
        pthread_barrier_wait(&finish_line);
        if (round == 0) { // the first reads copy the snapshots' pages (after a fork)
            vmstat_read(&after);
            vmstat_read(&before);
            vmstat_read(&before);
        }
    }
    vmstat_read(&after);
    for (int i = 0; i < CREW; ++i)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start_line);
    pthread_barrier_destroy(&finish_line);
}

static uint64_t volatile* region;

static uint64_t mark(int member, int round) { return (uint64_t)round << 8 | (uint64_t)(member + 1); }

// Odd members read the page first (a zero-page read fault), even ones write at once.
static void fault_fresh_page(int member, int round)
{
    uint64_t volatile* page = region + (size_t)round * WORDS;
    if (member % 2 && page[member] != 0)
        page[WORDS - 1] = 0xbad; // a fresh page reads zero: never taken
    page[member] = mark(member, round);
}

static void write_cow_page(int member, int round) { region[(size_t)round * WORDS + member] = mark(member, round); }

static uint64_t original(int round, int word) { return 0x5000000 + (uint64_t)round * WORDS + (uint64_t)word; }

static int crew_marks_there(int rounds)
{
    for (int round = 0; round < rounds; ++round)
        for (int member = 0; member < CREW; ++member)
            if (region[(size_t)round * WORDS + member] != mark(member, round))
                return 0;
    return 1;
}

static void check_fresh_pages(void)
{
    region = (uint64_t volatile*)map_pages(FRESH_ROUNDS);
    run_crew(fault_fresh_page, FRESH_ROUNDS);
    int marks = crew_marks_there(FRESH_ROUNDS);
    int zeros = 1;
    for (int round = 0; round < FRESH_ROUNDS; ++round)
        zeros &= region[(size_t)round * WORDS + WORDS - 1] == 0;
    ok(marks && zeros,
        "%d rounds of %d threads faulting one fresh page at once (reads and writes): every write there, the rest zero",
        FRESH_ROUNDS, CREW);
    long rss = smaps_kb((void*)region, "Rss");
    ok(rss == FRESH_ROUNDS * PAGE / 1024, "one frame a page: smaps Rss %ld kB (want %d)", rss, FRESH_ROUNDS * PAGE / 1024);
    if (vmstat_is_pagoda(&before)) {
        long long zero = vmstat_delta(&before, &after, "zero_fill_write");
        long long reads = vmstat_delta(&before, &after, "zero_fill_read");
        ok(zero == FRESH_ROUNDS && reads <= FRESH_ROUNDS, "zero_fill_write %+lld (want %+d), zero_fill_read %+lld (at most %d)",
            zero, FRESH_ROUNDS, reads, FRESH_ROUNDS);
    } else {
        skip("not Pagoda", "zero_fill_write exactly one a page");
    }
    munmap((void*)region, FRESH_ROUNDS * PAGE);
}

static void check_cow_pages(void)
{
    region = (uint64_t volatile*)map_pages(COW_ROUNDS);
    for (int round = 0; round < COW_ROUNDS; ++round)
        for (int word = 0; word < WORDS; ++word)
            region[(size_t)round * WORDS + word] = original(round, word);
    int hold[2];
    if (pipe(hold))
        bail("pipe failed (errno=%d)", errno);
    fflush(stdout);
    vmstat_read(&around_fork[0]);
    pid_t child = fork();
    if (child == 0) {
        char go;
        read(hold[0], &go, 1);
        int kept = 1;
        for (int round = 0; round < COW_ROUNDS; ++round)
            for (int word = 0; word < WORDS; ++word)
                kept &= region[(size_t)round * WORDS + word] == original(round, word);
        _exit(kept ? 0 : 1);
    }
    if (child < 0)
        bail("fork failed (errno=%d)", errno);
    vmstat_read(&around_fork[1]);
    long shared_before = smaps_kb((void*)region, "Shared_Dirty");
    run_crew(write_cow_page, COW_ROUNDS);
    long private_dirty = smaps_kb((void*)region, "Private_Dirty");
    long shared_dirty = smaps_kb((void*)region, "Shared_Dirty");
    write(hold[1], "g", 1);
    int status = -1;
    waitpid(child, &status, 0);

    int marks = crew_marks_there(COW_ROUNDS);
    int rest = 1; // the words nobody wrote came with the copy
    for (int round = 0; round < COW_ROUNDS; ++round)
        for (int word = CREW; word < WORDS; ++word)
            rest &= region[(size_t)round * WORDS + word] == original(round, word);
    ok(marks && rest,
        "%d rounds of %d threads writing one copy-on-write page at once: every write there, the copy holds the rest", COW_ROUNDS,
        CREW);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child kept every page's old contents (%s)",
        describe_wait_status(status));
    int want = COW_ROUNDS * PAGE / 1024;
    // Pagoda's smaps counts a frame's mappers by its references, which a leaf table shared
    // since fork holds once for all its sharers: then the pages before the writes are not
    // seen as shared (procfs.cpp, count_smaps).
    long long tables_shared
        = vmstat_is_pagoda(&around_fork[0]) ? vmstat_delta(&around_fork[0], &around_fork[1], "pgtable_shared") : 0;
    if (tables_shared == 0)
        ok(shared_before == want, "smaps before the writes: Shared_Dirty %ld kB (want %d)", shared_before, want);
    else
        skip("page tables shared at fork: smaps does not count their sharers",
            "smaps before the writes: Shared_Dirty %ld kB (want %d)", shared_before, want);
    ok(private_dirty == want && shared_dirty == 0,
        "smaps after the writes: Private_Dirty %ld kB and Shared_Dirty %ld kB (want %d, 0)", private_dirty, shared_dirty, want);
    if (vmstat_is_pagoda(&before)) {
        long long copies = vmstat_delta(&before, &after, "cow_copy");
        ok(copies == COW_ROUNDS, "one copy a page: cow_copy %+lld (want %+d)", copies, COW_ROUNDS);
    } else {
        skip("not Pagoda", "one copy a page: cow_copy exactly one a page");
    }
    munmap((void*)region, COW_ROUNDS * PAGE);
    close(hold[0]);
    close(hold[1]);
}

// --- fork while threads write ---
static atomic_int writers_stop;
static _Atomic uint64_t passes[WRITERS];
static atomic_int missed_own_store; // a writer found a word not holding its last store

static uint64_t stamp(uint64_t pass, int page) { return pass << 16 | (uint64_t)page; }

static void* rewrite_pages(void* arg)
{
    int writer = (int)(long)arg;
    uint64_t pass = 0;
    while (!atomic_load_explicit(&writers_stop, memory_order_relaxed)) {
        ++pass;
        for (int p = writer * WRITER_PAGES; p < (writer + 1) * WRITER_PAGES; ++p) {
            uint64_t volatile* page = region + (size_t)p * WORDS;
            for (int word = 0; word < WORDS; ++word) {
                if (page[word] != (pass == 1 ? 0 : stamp(pass - 1, p)))
                    atomic_store(&missed_own_store, 1);
                page[word] = stamp(pass, p);
            }
        }
        atomic_store_explicit(&passes[writer], pass, memory_order_release);
    }
    return NULL;
}

static uint64_t child_copy[WRITERS * WRITER_PAGES * WORDS];

// In the child: 0 if every page is one instant of its writer's stream and stays so.
static int child_check_pages(void)
{
    for (int p = 0; p < WRITERS * WRITER_PAGES; ++p) {
        uint64_t volatile* page = region + (size_t)p * WORDS;
        uint64_t first = page[0] >> 16;
        for (int word = 0; word < WORDS; ++word) {
            uint64_t value = page[word];
            child_copy[(size_t)p * WORDS + word] = value;
            if (value == 0)
                continue; // not written yet in the first pass (then all later words are 0 too)
            if ((value & 0xffff) != (uint64_t)p)
                return 10;
            uint64_t pass = value >> 16;
            if (pass > first || first - pass > 1)
                return 11;
            if (word > 0 && child_copy[(size_t)p * WORDS + word - 1] == 0)
                return 12;
        }
    }
    // A moment for the parent's writers to run (on one CPU a yield hands them a time slice).
    sched_yield();
    usleep(1000);
    for (size_t i = 0; i < sizeof child_copy / sizeof child_copy[0]; ++i)
        if (region[i] != child_copy[i])
            return 13;
    return 0;
}

static void check_fork_while_writing(void)
{
    region = (uint64_t volatile*)map_pages(WRITERS * WRITER_PAGES);
    pthread_t writers[WRITERS];
    for (long i = 0; i < WRITERS; ++i)
        pthread_create(&writers[i], NULL, rewrite_pages, (void*)i);
    int children_ok = 0, first_failure = 0;
    for (int round = 0; round < FORKS; ++round) {
        // Let every writer finish at least one more pass (yielding, for one CPU).
        uint64_t seen[WRITERS];
        for (int i = 0; i < WRITERS; ++i)
            seen[i] = atomic_load(&passes[i]);
        for (int i = 0; i < WRITERS; ++i)
            while (atomic_load(&passes[i]) == seen[i])
                sched_yield();
        pid_t child = fork();
        if (child == 0)
            _exit(child_check_pages());
        int status = -1;
        if (child > 0)
            waitpid(child, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ++children_ok;
        else if (!first_failure)
            first_failure = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    atomic_store(&writers_stop, 1);
    for (int i = 0; i < WRITERS; ++i)
        pthread_join(writers[i], NULL);
    ok(children_ok == FORKS,
        "%d forks while %d threads rewrite their pages: every child sees each page as one instant, and unchanged later (%d ok; "
        "first "
        "failure %d: 10 tag, 11 passes, 12 gap, 13 changed)",
        FORKS, WRITERS, children_ok, first_failure);
    int final = 1;
    for (int w = 0; w < WRITERS; ++w)
        for (int p = w * WRITER_PAGES; p < (w + 1) * WRITER_PAGES; ++p)
            for (int word = 0; word < WORDS; ++word)
                final &= region[(size_t)p * WORDS + word] == stamp(atomic_load(&passes[w]), p);
    ok(!atomic_load(&missed_own_store) && final,
        "no writer ever missed its own last store, the last pass is there (passes %llu, %llu)",
        (unsigned long long)atomic_load(&passes[0]), (unsigned long long)atomic_load(&passes[1]));
    munmap((void*)region, WRITERS * WRITER_PAGES * PAGE);
}

// --- mprotect against a writer on another CPU ---
static atomic_int protect_round = -1; // the round the writer may write in (-1: none yet)
static atomic_int faulted_round = -1; // the round whose SIGSEGV the writer took
static _Atomic uint64_t stores; // the writer's completed stores
static _Atomic uintptr_t fault_address;
static atomic_int fault_code;
static sigjmp_buf writer_escape;

static void on_write_fault(int signal, siginfo_t* info, void* context)
{
    (void)signal;
    (void)context;
    atomic_store(&fault_address, (uintptr_t)info->si_addr);
    atomic_store(&fault_code, info->si_code);
    siglongjmp(writer_escape, 1);
}

static void* write_until_protected(void* arg)
{
    (void)arg;
    int volatile round = 0;
    if (sigsetjmp(writer_escape, 1)) {
        atomic_store(&faulted_round, round);
        ++round;
    }
    while (round < PROTECT_ROUNDS) {
        while (atomic_load(&protect_round) < round)
            sched_yield();
        for (uint64_t n = 1;; ++n) {
            region[0] = n;
            region[WORDS - 1] = n;
            atomic_fetch_add_explicit(&stores, 1, memory_order_relaxed);
        }
    }
    return NULL;
}

static void check_mprotect_stops_writer(void)
{
    region = (uint64_t volatile*)map_pages(1);
    region[0] = 0;
    struct sigaction action = { .sa_sigaction = on_write_fault, .sa_flags = SA_SIGINFO };
    sigaction(SIGSEGV, &action, NULL);
    pthread_t writer;
    pthread_create(&writer, NULL, write_until_protected, NULL);
    int changed = 0, wrong_fault = 0, calls_failed = 0;
    uintptr_t bad_address = 0;
    int bad_code = 0;
    for (int round = 0; round < PROTECT_ROUNDS; ++round) {
        if (mprotect((void*)region, PAGE, PROT_READ | PROT_WRITE) != 0)
            ++calls_failed;
        uint64_t stored = atomic_load(&stores);
        atomic_store(&protect_round, round);
        for (long spins = 1; atomic_load(&stores) < stored + 10; ++spins)
            if (spins % 1024 == 0)
                sched_yield();
        if (mprotect((void*)region, PAGE, PROT_READ) != 0)
            ++calls_failed;
        uint64_t first = region[0], last = region[WORDS - 1]; // the page as mprotect left it
        while (atomic_load(&faulted_round) < round)
            sched_yield();
        for (int look = 0; look < 3; ++look) {
            if (region[0] != first || region[WORDS - 1] != last)
                ++changed;
            sched_yield();
        }
        uintptr_t at = atomic_load(&fault_address);
        int code = atomic_load(&fault_code);
        if ((at != (uintptr_t)region && at != (uintptr_t)(region + WORDS - 1)) || code != SEGV_ACCERR) {
            if (!wrong_fault++) {
                bad_address = at;
                bad_code = code;
            }
        }
    }
    pthread_join(writer, NULL);
    signal(SIGSEGV, SIG_DFL);
    ok(!calls_failed && !changed,
        "%d rounds of mprotect(PROT_READ) under a writing thread: after it returned the page never changed (%d changes, %d "
        "failed "
        "calls, %llu stores)",
        PROTECT_ROUNDS, changed, calls_failed, (unsigned long long)atomic_load(&stores));
    ok(!wrong_fault,
        "the writer's next store took SIGSEGV with SEGV_ACCERR at the page (%d wrong: si_addr %#lx for %p, si_code %d)",
        wrong_fault, (unsigned long)bad_address, (void*)region, bad_code);
    munmap((void*)region, PAGE);
}

static void check_parallel_path(void)
{
    enum { PAGES = 256 };
    cpu_set_t cpus;
    int one_cpu = sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) == 1;
    // Pages of a 2 MiB chunk wholly inside the new mapping: no leaf table there can still be
    // shared with the fork children above (those fill serially: pgtable_copied).
    size_t chunk = 2u << 20;
    unsigned char* mapped = map_pages(2 * chunk / PAGE);
    unsigned char volatile* p = (unsigned char*)(((uintptr_t)mapped + chunk - 1) & ~(uintptr_t)(chunk - 1));
    vmstat_read(&before);
    for (int i = 0; i < PAGES; ++i)
        p[(size_t)i * PAGE] = 1;
    vmstat_read(&after);
    if (vmstat_is_pagoda(&before)) {
        long long parallel = -1, ignored;
        if (vmstat_get(&before, "parallel_fault", &ignored))
            parallel = vmstat_delta(&before, &after, "parallel_fault");
        long long zero = vmstat_delta(&before, &after, "zero_fill_write");
        ok(zero == PAGES && (one_cpu ? parallel == PAGES : parallel >= 1 && parallel <= PAGES),
            "%d first writes by one thread: zero_fill_write %+lld, parallel_fault %+lld (want %s%d)", PAGES, zero, parallel,
            one_cpu ? "" : "1 to ", PAGES);
    } else {
        skip("not Pagoda", "first writes served on the parallel path");
    }
    munmap(mapped, 2 * chunk);
}

static void check_parallel_file_faults(void)
{
    enum { PAGES = 64, READ_PAGES = 32 };
    cpu_set_t cpus;
    int one_cpu = sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) == 1;
    char path[] = "/dev/shm/smp_races-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        bail("mkstemp in /dev/shm (errno %d)", errno);
    unlink(path);
    static unsigned char page[PAGE];
    for (int i = 0; i < PAGES; ++i) {
        memset(page, 'a' + i % 26, sizeof page);
        if (write(fd, page, sizeof page) != (ssize_t)sizeof page)
            bail("write the file (errno %d)", errno);
    }
    // A 2 MiB chunk wholly inside a new reservation (as in check 5), the file mapped over it.
    size_t chunk = 2u << 20;
    unsigned char* reserved = map_pages(2 * chunk / PAGE);
    unsigned char* at = (unsigned char*)(((uintptr_t)reserved + chunk - 1) & ~(uintptr_t)(chunk - 1));
    unsigned char volatile* p = mmap(at, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (p == MAP_FAILED)
        bail("mmap the file (errno %d)", errno);
    vmstat_read(&before);
    int wrong = 0;
    for (int i = 0; i < READ_PAGES; ++i)
        wrong += p[(size_t)i * PAGE + 7] != 'a' + i % 26;
    vmstat_read(&after);
    for (int i = READ_PAGES; i < PAGES; ++i) // a write first: no read maps the cache's page
        p[(size_t)i * PAGE] = '!';
    static struct vmstat written;
    vmstat_read(&written);
    for (int i = READ_PAGES; i < PAGES; ++i)
        wrong += p[(size_t)i * PAGE] != '!' || p[(size_t)i * PAGE + 1] != 'a' + i % 26;
    int file_changed = 0;
    for (int i = READ_PAGES; i < PAGES; ++i)
        file_changed += pread(fd, page, 1, (off_t)i * PAGE) != 1 || page[0] != 'a' + i % 26;
    ok(!wrong && !file_changed, "a cached file's pages read and written through a private mapping (%d wrong, %d changed in the file)",
        wrong, file_changed);
    if (vmstat_is_pagoda(&before)) {
        long long read_faults = vmstat_delta(&before, &after, "file_fault");
        long long read_parallel = vmstat_delta(&before, &after, "parallel_file_fault");
        long long write_faults = vmstat_delta(&after, &written, "file_fault");
        long long write_parallel = vmstat_delta(&after, &written, "parallel_file_fault");
        long long copies = vmstat_delta(&after, &written, "file_cow");
        int reads_ok = read_faults == READ_PAGES / 16 && (one_cpu ? read_parallel == read_faults : read_parallel >= 1);
        int writes_ok = write_faults == PAGES - READ_PAGES && copies == PAGES - READ_PAGES
            && (one_cpu ? write_parallel == write_faults : write_parallel >= 1);
        ok(reads_ok && writes_ok,
            "%d reads: file_fault %+lld (want %d), parallel_file_fault %+lld; %d writes: file_fault %+lld, file_cow %+lld, "
            "parallel_file_fault %+lld",
            READ_PAGES, read_faults, READ_PAGES / 16, read_parallel, PAGES - READ_PAGES, write_faults, copies, write_parallel);
    } else {
        skip("not Pagoda", "file faults served on the parallel path");
    }
    munmap(reserved, 2 * chunk);
    close(fd);
}

int main(void)
{
    tap_plan(15);
    alarm(120);
    vmstat_read(&before); // the snapshot's buffers and stack pages, faulted in once
    vmstat_read(&after);
    check_fresh_pages();
    check_cow_pages();
    check_fork_while_writing();
    check_mprotect_stops_writer();
    check_parallel_path();
    check_parallel_file_faults();
    return tap_done();
}
