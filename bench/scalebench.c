// scalebench — the scalability benchmark of Pagoda's benchmark tier (docs/benchmarks.md,
// "Scalability"; issue 16). Workloads shaped like will-it-scale's: each runs with T = 1, 2
// and 4 threads (processes for fork), every thread doing the same fixed amount of work, and
// the figure is the operations per second of all T together. With more CPUs than one the
// figure should grow with T; on one CPU it can only stay level. The TLB figures are the
// other way round: the time of one munmap or mprotect while T-1 other threads of the process
// keep running (on other CPUs, if the kernel puts them there), against T = 1.
//
//   scalebench [--quick] [--only NAME,...] [DIR]
//
// DIR (default ".") holds the files of page_fault2 and page_fault3 (scale-pf-N.dat, made
// with write() if missing or short): give it the virtio disk (e.g. /mnt). --quick: tiny
// sizes and 2 runs (the smoke test). --only takes workload names (page_fault1 page_fault2
// page_fault3 mmap_munmap fork_exit tlb_munmap tlb_mprotect) or figure names
// (page_fault1_t2, ...). Every figure is the median of its runs after one warm-up run, timed
// with clock_gettime(CLOCK_MONOTONIC): wall-clock time, since QEMU's -icount cannot run
// several CPUs at once.
//
// Output: one "name=value unit" line per figure, "#" lines for notes, and at the end one
// JSON object on one line: {"tool":"scalebench",...,"figures":{"name":{"value":V,"unit":"U"}}}
// (the shape of vmbench's, which tools/bench reads). Exit status 0, or 1 if some figure
// could not be measured.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_figures.h"

#define PAGE 4096UL
#define KIB 1024UL
#define MAX_THREADS 4
#define MAX_RUNS 16
// Calls timed per TLB run: few, because one shootdown under multi-threaded TCG on a loaded
// host can take milliseconds (the sender waits until the host runs the other vCPU's thread).
#define TLB_SAMPLES 100

static const int thread_counts[] = {1, 2, 4};
#define THREAD_COUNTS 3

static int quick;
static const char *dir = ".";
static int errors;

// The work of one thread in one run (smaller with --quick): enough that a run of Pagoda's
// lasts tens of milliseconds under TCG, longer than the host's time slices.
static unsigned long region_bytes = 16384 * KIB; // page_fault*: the range mapped, touched, unmapped
static int region_rounds = 2;                   // ... so many times per run
static int mmap_pairs = 4000;                   // mmap_munmap: mmap + munmap pairs per thread
static int forks_per_process = 100;             // fork_exit: children each process forks
static int runs = 5;

static void failed(const char *name, const char *what, int error) {
    printf("# %s: %s failed: %s\n", name, what, strerror(error));
    errors++;
}

// Is any of WORKLOAD's figures (WORKLOAD_tT) selected?
static int workload_wanted(const char *workload) {
    for (int t = 0; t < THREAD_COUNTS; t++) {
        char name[40];
        snprintf(name, sizeof name, "%s_t%d", workload, thread_counts[t]);
        if (wanted(workload, name)) return 1;
    }
    return 0;
}

// ---- T threads doing the same work at once ----
// The threads are made first and wait at a barrier with the main thread; each reads the clock
// when it leaves the barrier and when its work is done, and the figure's time runs from the
// first start to the last end (so neither thread creation nor joining is in it, and a thread
// that finished before the main thread was scheduled again is still counted right).

struct worker {
    pthread_t thread;
    int index;
    long (*work)(int index); // the operations done, or -errno
    long result;
    uint64_t started, ended;
    pthread_barrier_t *start;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    pthread_barrier_wait(w->start);
    w->started = now_ns();
    w->result = w->work(w->index);
    w->ended = now_ns();
    return NULL;
}

// Runs WORK in T threads at once: operations per second of them all, or -1 (and *error).
static double run_threads(int threads, long (*work)(int index), int *error) {
    struct worker workers[MAX_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        workers[i] = (struct worker){.index = i, .work = work, .start = &start};
        int e = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
        if (e) { // the barrier would never open: give up the whole run
            fprintf(stderr, "scalebench: pthread_create: %s\n", strerror(e));
            exit(1);
        }
    }
    pthread_barrier_wait(&start);
    long operations = 0;
    int ok = 1;
    uint64_t first_start = UINT64_MAX, last_end = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
        if (workers[i].started < first_start) first_start = workers[i].started;
        if (workers[i].ended > last_end) last_end = workers[i].ended;
        if (workers[i].result < 0) {
            ok = 0;
            *error = (int)-workers[i].result;
        } else
            operations += workers[i].result;
    }
    uint64_t elapsed = last_end - first_start;
    pthread_barrier_destroy(&start);
    return ok && elapsed ? (double)operations * 1e9 / (double)elapsed : -1;
}

// One figure: a warm-up run and RUNS measured runs of ONE(T); the median.
static void measure(const char *workload, int threads, const char *unit, double (*one)(int threads, int *error)) {
    char name[40];
    snprintf(name, sizeof name, "%s_t%d", workload, threads);
    if (!wanted(workload, name)) return;
    double v[MAX_RUNS];
    int error = 0;
    if (one(threads, &error) < 0) {
        failed(name, "warm-up run", error);
        return;
    }
    for (int i = 0; i < runs; i++)
        if ((v[i] = one(threads, &error)) < 0) {
            failed(name, "run", error);
            return;
        }
    report(name, median(v, runs), unit);
}

// ---- page_fault1: each thread maps its own private anonymous range, writes one byte to every
// page (a zeroed frame each), unmaps it, again; one operation is one page fault ----

static long touch_range(char *p, unsigned long bytes) {
    for (unsigned long off = 0; off < bytes; off += PAGE) ((volatile char *)p)[off] = 1;
    return (long)(bytes / PAGE);
}

static long page_fault1_work(int index) {
    (void)index;
    long faults = 0;
    for (int r = 0; r < region_rounds; r++) {
        char *p = mmap(NULL, region_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return -errno;
        faults += touch_range(p, region_bytes);
        if (munmap(p, region_bytes) < 0) return -errno;
    }
    return faults;
}

static double one_page_fault1(int threads, int *error) { return run_threads(threads, page_fault1_work, error); }

// ---- page_fault2 and page_fault3: the same over a file of the thread's own (in the page
// cache after the warm-up), mapped MAP_PRIVATE (each write copies the cached page into a
// private frame) or MAP_SHARED (each write makes the cached page writable and dirty) ----

static int file_fds[MAX_THREADS];

// Opens DIR/scale-pf-I.dat with at least BYTES of data (written with write() if shorter).
static int open_thread_file(int i, unsigned long bytes) {
    char path[600];
    snprintf(path, sizeof path, "%s/scale-pf-%d.dat", dir, i);
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0) return -1;
    off_t size = lseek(fd, 0, SEEK_END);
    if (size >= 0 && (unsigned long)size >= bytes) return fd;
    static char chunk[64 * KIB];
    memset(chunk, 's', sizeof chunk);
    if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) goto fail;
    for (unsigned long done = 0; done < bytes; done += sizeof chunk)
        if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) goto fail;
    return fd;
fail:
    close(fd);
    return -1;
}

static long file_fault_work(int index, int sharing) {
    long faults = 0;
    for (int r = 0; r < region_rounds; r++) {
        char *p = mmap(NULL, region_bytes, PROT_READ | PROT_WRITE, sharing, file_fds[index], 0);
        if (p == MAP_FAILED) return -errno;
        faults += touch_range(p, region_bytes);
        if (munmap(p, region_bytes) < 0) return -errno;
    }
    return faults;
}

static long page_fault2_work(int index) { return file_fault_work(index, MAP_PRIVATE); }
static long page_fault3_work(int index) { return file_fault_work(index, MAP_SHARED); }
static double one_page_fault2(int threads, int *error) { return run_threads(threads, page_fault2_work, error); }
static double one_page_fault3(int threads, int *error) { return run_threads(threads, page_fault3_work, error); }

static int open_thread_files(void) {
    if (!workload_wanted("page_fault2") && !workload_wanted("page_fault3")) return 0;
    for (int i = 0; i < MAX_THREADS; i++)
        if ((file_fds[i] = open_thread_file(i, region_bytes)) < 0) {
            failed("page_fault2/3", "making the thread's file", errno);
            return -1;
        }
    return 0;
}

// ---- mmap_munmap: each thread maps 1 MiB of anonymous memory and unmaps it, untouched (the
// address space's own structures only: no page, no page table); one operation is one pair ----

static long mmap_munmap_work(int index) {
    (void)index;
    for (int i = 0; i < mmap_pairs; i++) {
        void *p = mmap(NULL, 1024 * KIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return -errno;
        if (munmap(p, 1024 * KIB) < 0) return -errno;
    }
    return mmap_pairs;
}

static double one_mmap_munmap(int threads, int *error) { return run_threads(threads, mmap_munmap_work, error); }

// ---- fork_exit: T processes, each forking children that _exit(0) at once and waiting for
// each; one operation is one child. The processes wait on a pipe so that their own start is
// not timed ----

static int wait_ok(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void fork_exit_process(int go) {
    char byte;
    if (read(go, &byte, 1) != 1) _exit(1);
    for (int i = 0; i < forks_per_process; i++) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        if (pid < 0 || !wait_ok(pid)) _exit(1);
    }
    _exit(0);
}

static double one_fork_exit(int processes, int *error) {
    int go[2];
    if (pipe(go) < 0) {
        *error = errno;
        return -1;
    }
    pid_t pids[MAX_THREADS];
    int made = 0;
    for (; made < processes; made++) {
        pids[made] = fork();
        if (pids[made] < 0) {
            *error = errno;
            break;
        }
        if (pids[made] == 0) {
            close(go[1]);
            fork_exit_process(go[0]);
        }
    }
    close(go[0]);
    uint64_t t0 = now_ns();
    static const char bytes[MAX_THREADS] = {1, 1, 1, 1};
    int ok = made == processes && write(go[1], bytes, (size_t)made) == made;
    close(go[1]); // a process left without its byte reads end-of-file and exits with 1
    for (int i = 0; i < made; i++) ok &= wait_ok(pids[i]);
    uint64_t elapsed = now_ns() - t0;
    if (!ok && !*error) *error = ECHILD;
    return ok && elapsed ? (double)processes * forks_per_process * 1e9 / (double)elapsed : -1;
}

// ---- tlb_munmap, tlb_mprotect: what one call costs while T-1 other threads of the process
// run. They spin in user space, so a kernel that runs them on other CPUs must make those CPUs
// forget the page's translation before the call returns (a TLB shootdown). The main thread
// times each call alone; the figure is the median call (a call that a time slice of a
// spinner interrupted, as on one CPU, does not move it) ----

static volatile int spinners_stop;
static volatile unsigned long spinner_laps[MAX_THREADS];

static void *spinner(void *arg) {
    volatile unsigned long *laps = arg;
    while (!spinners_stop) (*laps)++;
    return NULL;
}

// One sample: the time of one munmap of a page just written (mapped and written untimed).
static double munmap_sample(char *unused) {
    (void)unused;
    char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    p[0] = 1;
    uint64_t t0 = now_ns();
    int r = munmap(p, PAGE);
    uint64_t t1 = now_ns();
    return r < 0 ? -1 : (double)(t1 - t0);
}

// One sample: the time of mprotect(PROT_READ) of the written page P (then made writable and
// written again, untimed, so that the next sample finds a writable translation).
static double mprotect_sample(char *p) {
    uint64_t t0 = now_ns();
    int r = mprotect(p, PAGE, PROT_READ);
    uint64_t t1 = now_ns();
    if (r < 0 || mprotect(p, PAGE, PROT_READ | PROT_WRITE) < 0) return -1;
    ((volatile char *)p)[0] = 2;
    return (double)(t1 - t0);
}

static double one_tlb(int threads, int *error, double (*sample)(char *page)) {
    pthread_t others[MAX_THREADS];
    spinners_stop = 0;
    int made = 0;
    for (; made < threads - 1; made++) {
        spinner_laps[made] = 0;
        int e = pthread_create(&others[made], NULL, spinner, (void *)&spinner_laps[made]);
        if (e) {
            *error = e;
            break;
        }
    }
    for (int i = 0; i < made; i++) // each has run (and so holds the address space) before we start
        while (!spinner_laps[i]) sched_yield();
    double result = -1;
    char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        *error = errno;
    else if (made == threads - 1) {
        page[0] = 1;
        static double v[TLB_SAMPLES];
        int n = quick ? 20 : TLB_SAMPLES, i = 0;
        for (; i < n && (v[i] = sample(page)) >= 0; i++) {}
        if (i == n)
            result = median(v, n);
        else
            *error = errno;
        munmap(page, PAGE);
    }
    spinners_stop = 1;
    for (int i = 0; i < made; i++) pthread_join(others[i], NULL);
    return result;
}

static double one_tlb_munmap(int threads, int *error) { return one_tlb(threads, error, munmap_sample); }
static double one_tlb_mprotect(int threads, int *error) { return one_tlb(threads, error, mprotect_sample); }

// ---- the run ----

// The CPUs this process may run on (what the kernel says it has), or -1.
static int cpus_available(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) < 0) return -1;
    return CPU_COUNT(&set);
}

int main(int argc, char **argv) {
    if (parse_options(argc, argv, "scalebench", &quick, &dir)) return 2;
    if (quick) {
        region_bytes = 256 * KIB;
        region_rounds = 1;
        mmap_pairs = 20;
        forks_per_process = 4;
        runs = 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct utsname u;
    if (uname(&u) < 0) memset(&u, 0, sizeof u);
    int cpus = cpus_available();
    printf("# scalebench on %s %s, %d CPUs available, files in %s%s\n", u.sysname, u.release, cpus, dir,
           quick ? " (quick)" : "");
    printf("# per thread and run: page_fault* %lu KiB x %d, mmap_munmap %d pairs, fork_exit %d children; "
           "%d runs after a warm-up\n",
           region_bytes / KIB, region_rounds, mmap_pairs, forks_per_process, runs);

    int have_files = open_thread_files() == 0;
    for (int t = 0; t < THREAD_COUNTS; t++) measure("page_fault1", thread_counts[t], "ops/s", one_page_fault1);
    for (int t = 0; t < THREAD_COUNTS && have_files; t++)
        measure("page_fault2", thread_counts[t], "ops/s", one_page_fault2);
    for (int t = 0; t < THREAD_COUNTS && have_files; t++)
        measure("page_fault3", thread_counts[t], "ops/s", one_page_fault3);
    for (int t = 0; t < THREAD_COUNTS; t++) measure("mmap_munmap", thread_counts[t], "ops/s", one_mmap_munmap);
    for (int t = 0; t < THREAD_COUNTS; t++) measure("fork_exit", thread_counts[t], "ops/s", one_fork_exit);
    for (int t = 0; t < THREAD_COUNTS; t++) measure("tlb_munmap", thread_counts[t], "ns", one_tlb_munmap);
    for (int t = 0; t < THREAD_COUNTS; t++) measure("tlb_mprotect", thread_counts[t], "ns", one_tlb_mprotect);

    char cpus_field[32];
    snprintf(cpus_field, sizeof cpus_field, "\"cpus\":%d,", cpus);
    print_figures_json("scalebench", quick, &u, cpus_field, errors);
    return errors ? 1 : 0;
}
