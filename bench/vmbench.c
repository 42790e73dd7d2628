// vmbench — the virtual-memory benchmark of Pagoda's benchmark tier (docs/benchmarks.md).
// One static binary (musl-gcc -static), the same bytes on Pagoda, on Linux in QEMU and on the
// host. Every figure is the median of repeated runs after a warm-up, timed with
// clock_gettime(CLOCK_MONOTONIC); under QEMU's -icount shift=0 one nanosecond is one guest
// instruction.
//
//   vmbench [--quick] [--only NAME,...] [DIR]
//
// DIR (default ".") is where the file figures keep their files: read.dat and shared.dat
// (created with write() if missing or too short) — give it the virtio disk (e.g. /mnt).
// The exec figures run DIR/exit0, else exit0 next to argv[0], else this program with
// --exit0 (said in a "#" line). --quick: tiny sizes and 2 runs (the smoke test).
// --only takes group names (fork vfork exec cow anon mappings read private msync threads clock
// cold dynamic write workloads memory) or figure names. The cold figures drop the page cache first (root only; skipped otherwise).
//
// Output: one "name=value unit" line per figure, "#" lines for notes, and at the end one
// JSON object on one line: {"tool":"vmbench",...,"figures":{"name":{"value":V,"unit":"U"}}}.
// Exit status 0, or 1 if some figure could not be measured.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_figures.h"

extern char **environ;

#define PAGE 4096UL
#define MIB (1024UL * 1024UL)
#define MAX_RUNS 64

static int quick;
static const char *dir = ".";
static char exit0_path[512];
static int exit0_self; // exec ourselves with --exit0 instead of exit0
static int errors;
static unsigned long total_ram_mib; // 0 if unknown

static void failed(const char *name, const char *what) {
    printf("# %s: %s failed: %s\n", name, what, strerror(errno));
    fflush(stdout);
    errors++;
}

// Runs counts: big sizes get fewer runs; --quick gets 2 (1 for the biggest work).
static int runs_for(unsigned long mib) {
    if (quick) return 2;
    if (mib >= 1024) return 3;
    if (mib >= 256) return 5;
    if (mib >= 64) return 5;
    return 11;
}

static char *map_anon(unsigned long bytes) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void touch_pages(volatile char *p, unsigned long bytes, char value) {
    for (unsigned long off = 0; off < bytes; off += PAGE) p[off] = value;
}

static int enough_memory(const char *name, unsigned long mib) {
    // Leave room for the kernel, the page cache of the files and the child's page tables.
    if (total_ram_mib && mib + 192 > total_ram_mib) {
        printf("# %s skipped: needs about %lu MiB of memory, the machine has %lu MiB\n", name, mib + 192,
               total_ram_mib);
        fflush(stdout);
        return 0;
    }
    return 1;
}

// ---- fork()/vfork() + _exit + waitpid with N MiB of touched private memory ----

static int wait_ok(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static double one_fork(void) {
    uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0 || !wait_ok(pid)) return -1;
    return (double)(now_ns() - t0);
}

static double one_vfork(void) {
    uint64_t t0 = now_ns();
    pid_t pid = vfork();
    if (pid == 0) _exit(0);
    if (pid < 0 || !wait_ok(pid)) return -1;
    return (double)(now_ns() - t0);
}

static void bench_fork_sizes(void) {
    static const unsigned long full_sizes[] = {0, 1, 16, 256, 1024};
    static const unsigned long quick_sizes[] = {0, 1};
    const unsigned long *sizes = quick ? quick_sizes : full_sizes;
    int nsizes = quick ? 2 : 5;
    double fork_result[5], vfork_result[5];
    int have_fork[5] = {0}, have_vfork[5] = {0};
    char fname[5][40], vname[5][40];

    for (int s = 0; s < nsizes; s++) {
        unsigned long mib = sizes[s];
        snprintf(fname[s], sizeof fname[s], "fork_%luM", mib);
        snprintf(vname[s], sizeof vname[s], "vfork_%luM", mib);
        int want_fork = wanted("fork", fname[s]), want_vfork = wanted("vfork", vname[s]);
        if (!want_fork && !want_vfork) continue;
        if (!enough_memory(fname[s], mib)) continue;
        char *region = NULL;
        if (mib) {
            region = map_anon(mib * MIB);
            if (!region) {
                failed(fname[s], "mmap");
                continue;
            }
            touch_pages(region, mib * MIB, 1);
        }
        int runs = runs_for(mib);
        double v[MAX_RUNS];
        if (want_fork) {
            int ok = 1;
            one_fork(); // warm-up
            for (int i = 0; i < runs && ok; i++) ok = (v[i] = one_fork()) >= 0;
            if (ok) {
                fork_result[s] = median(v, runs);
                have_fork[s] = 1;
            } else
                failed(fname[s], "fork/waitpid");
        }
        if (want_vfork) {
            int ok = 1;
            one_vfork();
            for (int i = 0; i < runs && ok; i++) ok = (v[i] = one_vfork()) >= 0;
            if (ok) {
                vfork_result[s] = median(v, runs);
                have_vfork[s] = 1;
            } else
                failed(vname[s], "vfork/waitpid");
        }
        if (region) munmap(region, mib * MIB);
    }
    for (int s = 0; s < nsizes; s++)
        if (have_fork[s]) report(fname[s], fork_result[s], "ns");
    for (int s = 0; s < nsizes; s++)
        if (have_vfork[s]) report(vname[s], vfork_result[s], "ns");
}

// ---- starting a tiny program: fork+execve, vfork+execve, posix_spawn ----

static char *exit0_argv[3];

static void find_exit0(const char *argv0) {
    snprintf(exit0_path, sizeof exit0_path, "%s/exit0", dir);
    if (access(exit0_path, X_OK) == 0) return;
    const char *slash = strrchr(argv0, '/');
    if (slash) {
        snprintf(exit0_path, sizeof exit0_path, "%.*s/exit0", (int)(slash - argv0), argv0);
        if (access(exit0_path, X_OK) == 0) return;
    }
    snprintf(exit0_path, sizeof exit0_path, "%s", argv0);
    exit0_self = 1;
}

static double one_fork_exec(void) {
    uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        execve(exit0_path, exit0_argv, environ);
        _exit(127);
    }
    if (pid < 0 || !wait_ok(pid)) return -1;
    return (double)(now_ns() - t0);
}

static double one_vfork_exec(void) {
    uint64_t t0 = now_ns();
    pid_t pid = vfork();
    if (pid == 0) {
        execve(exit0_path, exit0_argv, environ);
        _exit(127);
    }
    if (pid < 0 || !wait_ok(pid)) return -1;
    return (double)(now_ns() - t0);
}

static double one_posix_spawn(void) {
    uint64_t t0 = now_ns();
    pid_t pid;
    int e = posix_spawn(&pid, exit0_path, NULL, NULL, exit0_argv, environ);
    if (e) {
        errno = e;
        return -1;
    }
    if (!wait_ok(pid)) return -1;
    return (double)(now_ns() - t0);
}

static void bench_exec(void) {
    static const struct {
        const char *name;
        double (*once)(void);
    } kinds[] = {{"fork_exec", one_fork_exec}, {"vfork_exec", one_vfork_exec}, {"posix_spawn", one_posix_spawn}};
    exit0_argv[0] = exit0_path;
    exit0_argv[1] = exit0_self ? "--exit0" : NULL;
    exit0_argv[2] = NULL;
    int announced = 0;
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (!wanted("exec", kinds[k].name)) continue;
        if (!announced) {
            printf("# exec figures run %s%s\n", exit0_path, exit0_self ? " --exit0 (exit0 not found)" : "");
            announced = 1;
        }
        int runs = quick ? 2 : 21, ok = 1;
        double v[MAX_RUNS];
        kinds[k].once();
        for (int i = 0; i < runs && ok; i++) ok = (v[i] = kinds[k].once()) >= 0;
        if (ok)
            report(kinds[k].name, median(v, runs), "ns");
        else
            failed(kinds[k].name, "start/wait of exit0");
    }
}

// ---- copy-on-write: the child writes every page after fork; the parent reuses afterwards ----

static void bench_cow(void) {
    int want_fault = wanted("cow", "cow_fault"), want_reuse = wanted("cow", "cow_reuse");
    if (!want_fault && !want_reuse) return;
    unsigned long mib = quick ? 1 : 64, bytes = mib * MIB, pages = bytes / PAGE;
    char *region = map_anon(bytes);
    if (!region) {
        failed("cow_fault", "mmap");
        return;
    }
    touch_pages(region, bytes, 1);
    int runs = runs_for(mib);
    double fault[MAX_RUNS], reuse[MAX_RUNS];
    for (int i = -1; i < runs; i++) { // i == -1: warm-up
        int fds[2];
        if (pipe(fds) < 0) {
            failed("cow_fault", "pipe");
            goto out;
        }
        pid_t pid = fork();
        if (pid == 0) {
            uint64_t t0 = now_ns();
            touch_pages(region, bytes, 2);
            double per_page = (double)(now_ns() - t0) / (double)pages;
            _exit(write(fds[1], &per_page, sizeof per_page) == sizeof per_page ? 0 : 1);
        }
        if (pid < 0) {
            failed("cow_fault", "fork");
            goto out;
        }
        double per_page = -1;
        ssize_t got = read(fds[0], &per_page, sizeof per_page);
        close(fds[0]);
        close(fds[1]);
        if (got != sizeof per_page || !wait_ok(pid)) {
            failed("cow_fault", "child report");
            goto out;
        }
        uint64_t t0 = now_ns();
        touch_pages(region, bytes, 3);
        double reuse_per_page = (double)(now_ns() - t0) / (double)pages;
        if (i >= 0) {
            fault[i] = per_page;
            reuse[i] = reuse_per_page;
        }
    }
    if (want_fault) report("cow_fault", median(fault, runs), "ns/page");
    if (want_reuse) report("cow_reuse", median(reuse, runs), "ns/page");
out:
    munmap(region, bytes);
}

// ---- anonymous memory: first write (zeroed frame), first read (the shared zero page) ----

static void bench_anon(void) {
    unsigned long mib = quick ? 1 : 64, bytes = mib * MIB, pages = bytes / PAGE;
    int runs = runs_for(mib);
    for (int kind = 0; kind < 2; kind++) {
        const char *name = kind == 0 ? "anon_first_touch" : "zero_page_read";
        if (!wanted("anon", name)) continue;
        double v[MAX_RUNS];
        int ok = 1;
        for (int i = -1; i < runs && ok; i++) {
            volatile char *p = map_anon(bytes);
            if (!p) {
                failed(name, "mmap");
                ok = 0;
                break;
            }
            uint64_t t0 = now_ns();
            if (kind == 0) {
                touch_pages(p, bytes, 1);
            } else {
                char sum = 0;
                for (unsigned long off = 0; off < bytes; off += PAGE) sum += p[off];
                if (sum) printf("# %s: zero page is not zero\n", name);
            }
            double per_page = (double)(now_ns() - t0) / (double)pages;
            munmap((void *)p, bytes);
            if (i >= 0) v[i] = per_page;
        }
        if (ok) report(name, median(v, runs), "ns/page");
    }
}

// ---- threads: create+join, a futex ping-pong, an uncontended mutex, and first-touch faults
// of 64 MiB by 1 or 4 threads (disjoint quarters: what sharing one address space costs) ----

static void *thread_nothing(void *arg) { return arg; }

static double one_thread_create_join(void) {
    pthread_t t;
    uint64_t t0 = now_ns();
    if (pthread_create(&t, NULL, thread_nothing, NULL) != 0) return -1;
    pthread_join(t, NULL);
    return (double)(now_ns() - t0);
}

#define PINGPONG_ROUNDS 2000
static volatile int pingpong_word;

static void futex_wait_for(volatile int *word, int value_to_leave) {
    while (*word == value_to_leave) syscall(SYS_futex, word, 128 /* WAIT_PRIVATE */, value_to_leave, NULL, NULL, 0);
}

static void futex_set_and_wake(volatile int *word, int value) {
    *word = value;
    syscall(SYS_futex, word, 129 /* WAKE_PRIVATE */, 1, NULL, NULL, 0);
}

static void *pong(void *arg) {
    (void)arg;
    for (int i = 0; i < PINGPONG_ROUNDS; i++) {
        futex_wait_for(&pingpong_word, 0);
        futex_set_and_wake(&pingpong_word, 0);
    }
    return NULL;
}

static double one_pingpong(void) {
    pthread_t t;
    pingpong_word = 0;
    if (pthread_create(&t, NULL, pong, NULL) != 0) return -1;
    uint64_t t0 = now_ns();
    for (int i = 0; i < PINGPONG_ROUNDS; i++) {
        futex_set_and_wake(&pingpong_word, 1);
        futex_wait_for(&pingpong_word, 1);
    }
    double per_round = (double)(now_ns() - t0) / PINGPONG_ROUNDS;
    pthread_join(t, NULL);
    return per_round;
}

static double one_mutex_round(void) {
    static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    enum { N = 100000 };
    uint64_t t0 = now_ns();
    for (int i = 0; i < N; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    return (double)(now_ns() - t0) / N;
}

struct touch_part { volatile char *p; unsigned long bytes; };
static void *touch_part(void *arg) {
    struct touch_part *part = arg;
    touch_pages(part->p, part->bytes, 1);
    return NULL;
}

static double one_threaded_touch(unsigned long bytes, int threads) {
    volatile char *p = map_anon(bytes);
    if (!p) return -1;
    pthread_t t[4];
    struct touch_part parts[4];
    uint64_t t0 = now_ns();
    for (int i = 0; i < threads; i++) {
        parts[i].p = p + i * (bytes / threads);
        parts[i].bytes = bytes / threads;
        if (threads > 1) pthread_create(&t[i], NULL, touch_part, &parts[i]);
    }
    if (threads == 1) touch_part(&parts[0]);
    else
        for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    double per_page = (double)(now_ns() - t0) / (double)(bytes / PAGE);
    munmap((void *)p, bytes);
    return per_page;
}

static void measure(const char *name, const char *unit, int runs, double (*one)(void)) {
    if (!wanted("threads", name)) return;
    double v[MAX_RUNS];
    for (int i = -1; i < runs; i++) {
        double x = one();
        if (x < 0) {
            failed(name, "pthread_create");
            return;
        }
        if (i >= 0) v[i] = x;
    }
    report(name, median(v, runs), unit);
}

static unsigned long touch_bytes;
static double one_touch_1(void) { return one_threaded_touch(touch_bytes, 1); }
static double one_touch_4(void) { return one_threaded_touch(touch_bytes, 4); }

static void bench_threads(void) {
    int runs = quick ? 2 : 11;
    measure("thread_create_join", "ns", runs, one_thread_create_join);
    measure("futex_pingpong", "ns/round", runs, one_pingpong);
    measure("mutex_uncontended", "ns", runs, one_mutex_round);
    touch_bytes = (quick ? 1 : 64) * MIB;
    measure("fault_1_thread", "ns/page", runs_for(quick ? 1 : 64), one_touch_1);
    measure("fault_4_threads", "ns/page", runs_for(quick ? 1 : 64), one_touch_4);
}

// ---- the clock: clock_gettime through the vDSO (libc's call, no trap) and as a system call ----

static double clock_rounds(int through_kernel) {
    enum { N = 100000 };
    struct timespec t;
    uint64_t t0 = now_ns();
    for (int i = 0; i < N; i++) {
        if (through_kernel) syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
        else clock_gettime(CLOCK_MONOTONIC, &t);
    }
    return (double)(now_ns() - t0) / N;
}
static double one_clock_vdso(void) { return clock_rounds(0); }
static double one_clock_syscall(void) { return clock_rounds(1); }

static void bench_clock(void) {
    int runs = quick ? 2 : 11;
    static const struct { const char *name; double (*one)(void); } kinds[] = {
        { "clock_gettime_vdso", one_clock_vdso }, { "clock_gettime_syscall", one_clock_syscall } };
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (!wanted("clock", kinds[k].name)) continue;
        double v[MAX_RUNS];
        for (int i = -1; i < runs; i++) {
            double x = kinds[k].one();
            if (i >= 0) v[i] = x;
        }
        report(kinds[k].name, median(v, runs), "ns");
    }
}

// ---- many mappings: what a fault costs when the address space holds 10, 1,000 or 10,000 ----
// One-page mappings two pages apart (so that none merge) below a 1 MiB region, then the
// first-write faults of that region, per page: the mapping lookup of every fault walks
// whatever structure holds the mappings.

static void bench_mappings(void) {
    static const int counts[] = { 10, 1000, 10000 };
    static const char *names[] = { "fault_10_mappings", "fault_1000_mappings", "fault_10000_mappings" };
    unsigned long region_bytes = quick ? 64 * 1024 : MIB, pages = region_bytes / PAGE;
    for (int c = 0; c < 3; c++) {
        if (!wanted("mappings", names[c])) continue;
        int count = quick && counts[c] > 1000 ? 1000 : counts[c];
        // The measured region first: mmap places top-down, so the small mappings then land
        // below it, and a lookup that walks the mappings in address order passes them all.
        volatile char *region = map_anon(region_bytes);
        // A free stretch of address space for them, found by reserving and releasing it.
        unsigned long span = 2UL * count * PAGE;
        char *base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED || !region) {
            failed(names[c], "mmap of the region or the reservation");
            if (region) munmap((void *)region, region_bytes);
            continue;
        }
        munmap(base, span);
        int made = 0;
        for (; made < count; made++)
            if (mmap(base + 2UL * made * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
                == MAP_FAILED)
                break;
        if (made < count || !region) {
            failed(names[c], "mmap of the small mappings");
        } else {
            int runs = runs_for(1);
            double v[MAX_RUNS];
            for (int i = -1; i < runs; i++) {
                madvise((void *)region, region_bytes, MADV_DONTNEED);
                uint64_t t0 = now_ns();
                touch_pages(region, region_bytes, 3);
                double per_page = (double)(now_ns() - t0) / (double)pages;
                if (i >= 0) v[i] = per_page;
            }
            report(names[c], median(v, runs), "ns/page");
        }
        if (region) munmap((void *)region, region_bytes);
        munmap(base, span);
    }
}

// ---- files (in DIR, cached): read(), mmap MAP_SHARED reads, MAP_PRIVATE writes, msync ----

// Opens DIR/NAME read-write with at least BYTES of data (written with write() if shorter).
static int open_file(const char *name, unsigned long bytes, const char *figure) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0) {
        failed(figure, "open");
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        failed(figure, "fstat");
        close(fd);
        return -1;
    }
    if ((unsigned long)st.st_size < bytes) {
        static char chunk[64 * 1024];
        for (size_t i = 0; i < sizeof chunk; i++) chunk[i] = (char)('a' + i % 26);
        for (unsigned long off = 0; off < bytes; off += sizeof chunk)
            if (pwrite(fd, chunk, sizeof chunk, (off_t)off) != (ssize_t)sizeof chunk) {
                failed(figure, "write");
                close(fd);
                return -1;
            }
        if (fsync(fd) < 0) {
            failed(figure, "fsync");
            close(fd);
            return -1;
        }
    }
    return fd;
}

// Reads the whole file once with read() (to bring it into the page cache); 0 on success.
static int read_all(int fd, char *buf, size_t chunk, unsigned long bytes) {
    unsigned long done = 0;
    if (lseek(fd, 0, SEEK_SET) < 0) return -1;
    while (done < bytes) {
        size_t want = bytes - done < chunk ? bytes - done : chunk;
        ssize_t n = read(fd, buf, want);
        if (n <= 0) return -1;
        done += (unsigned long)n;
    }
    return 0;
}

static void bench_read(void) {
    static const char *names[] = {"read_4k", "read_64k", "mmap_shared_page", "mmap_shared_bytes"};
    int any = 0;
    for (int k = 0; k < 4; k++) any |= wanted("read", names[k]);
    if (!any) return;
    unsigned long mib = quick ? 1 : 64, bytes = mib * MIB, pages = bytes / PAGE;
    int fd = open_file("read.dat", bytes, "read_4k");
    if (fd < 0) return;
    static char buf[64 * 1024];
    if (read_all(fd, buf, sizeof buf, bytes) < 0) { // warm the page cache
        failed("read_4k", "read");
        close(fd);
        return;
    }
    int runs = runs_for(mib);
    for (int k = 0; k < 4; k++) {
        if (!wanted("read", names[k])) continue;
        double v[MAX_RUNS];
        int ok = 1;
        for (int i = -1; i < runs && ok; i++) {
            uint64_t t0 = now_ns();
            if (k < 2) {
                ok = read_all(fd, buf, k == 0 ? 4096 : sizeof buf, bytes) == 0;
                if (!ok) failed(names[k], "read");
            } else {
                // mmap + faults + munmap: what it costs to read the file through a mapping.
                volatile char *p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
                if (p == MAP_FAILED) {
                    failed(names[k], "mmap");
                    ok = 0;
                    break;
                }
                uint64_t sum = 0;
                if (k == 2) {
                    for (unsigned long off = 0; off < bytes; off += PAGE) sum += (unsigned char)p[off];
                } else {
                    volatile uint64_t *w = (volatile uint64_t *)p;
                    for (unsigned long j = 0; j < bytes / 8; j++) sum += w[j];
                }
                munmap((void *)p, bytes);
                if (sum == 0) printf("# %s: file reads as zeros\n", names[k]);
            }
            if (i >= 0) v[i] = (double)(now_ns() - t0) / (double)pages;
        }
        if (ok) report(names[k], median(v, runs), "ns/page");
    }
    close(fd);
}

static void bench_private(void) {
    if (!wanted("private", "map_private_write")) return;
    unsigned long mib = quick ? 1 : 64, bytes = mib * MIB, pages = bytes / PAGE;
    int fd = open_file("read.dat", bytes, "map_private_write");
    if (fd < 0) return;
    static char buf[64 * 1024];
    if (read_all(fd, buf, sizeof buf, bytes) < 0) {
        failed("map_private_write", "read");
        close(fd);
        return;
    }
    int runs = runs_for(mib);
    double v[MAX_RUNS];
    for (int i = -1; i < runs; i++) {
        char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            failed("map_private_write", "mmap");
            close(fd);
            return;
        }
        uint64_t t0 = now_ns();
        touch_pages(p, bytes, 'Z');
        double per_page = (double)(now_ns() - t0) / (double)pages;
        munmap(p, bytes);
        if (i >= 0) v[i] = per_page;
    }
    close(fd);
    report("map_private_write", median(v, runs), "ns/page");
}

static void bench_msync(void) {
    if (!wanted("msync", "msync_shared")) return;
    unsigned long mib = quick ? 1 : 64, bytes = mib * MIB;
    int fd = open_file("shared.dat", bytes, "msync_shared");
    if (fd < 0) return;
    int runs = quick ? 2 : 3;
    double v[MAX_RUNS];
    for (int i = -1; i < runs; i++) {
        char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            failed("msync_shared", "mmap");
            close(fd);
            return;
        }
        uint64_t t0 = now_ns();
        touch_pages(p, bytes, (char)('0' + (i + 1) % 10)); // a new value each run: every page dirty
        if (msync(p, bytes, MS_SYNC) < 0) {
            failed("msync_shared", "msync");
            munmap(p, bytes);
            close(fd);
            return;
        }
        double ns = (double)(now_ns() - t0);
        munmap(p, bytes);
        if (i >= 0) v[i] = ns;
    }
    close(fd);
    double ns = median(v, runs);
    report("msync_shared", (double)mib / (ns / 1e9), "MB/s");
}

// ---- cold cache: the file or program is not in memory (dropped before each run) ----
// sync() then "3" into /proc/sys/vm/drop_caches, the same on every kernel: dirty pages are
// written first, then every clean page-cache page that no process maps is dropped.

static int cold_unavailable; // drop_caches cannot be written here (not root): skip, not an error

// 1 when the caches were dropped; 0 (and a "#" line, or an error) when not.
static int drop_caches(const char *figure) {
    if (cold_unavailable) return 0;
    sync();
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
    if (fd < 0 || write(fd, "3\n", 2) != 2) {
        int e = errno;
        if (fd >= 0) close(fd);
        errno = e;
        if (e == EACCES || e == EPERM) {
            printf("# cold figures skipped: /proc/sys/vm/drop_caches: %s\n", strerror(e));
            fflush(stdout);
            cold_unavailable = 1;
        } else
            failed(figure, "writing 3 to /proc/sys/vm/drop_caches");
        return 0;
    }
    close(fd);
    return 1;
}

// One cold run of figure K on the file FD of BYTES: the time in ns, or -1.
enum { COLD_READ, COLD_MMAP, COLD_RANDOM };
#define COLD_RANDOM_READS 1024

static double one_cold_file(int k, int fd, unsigned long bytes) {
    static char buf[64 * 1024];
    uint64_t t0 = now_ns();
    if (k == COLD_READ) {
        if (read_all(fd, buf, sizeof buf, bytes) < 0) return -1;
    } else if (k == COLD_MMAP) {
        volatile char *p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) return -1;
        uint64_t sum = 0;
        for (unsigned long off = 0; off < bytes; off += PAGE) sum += (unsigned char)p[off];
        munmap((void *)p, bytes);
        if (sum == 0) return -1;
    } else {
        // The same pseudo-random pages on every kernel (a fixed linear congruential sequence).
        uint32_t x = 12345;
        unsigned long pages = bytes / PAGE;
        int reads = quick ? 64 : COLD_RANDOM_READS;
        for (int i = 0; i < reads; i++) {
            x = x * 1103515245u + 12345u;
            if (pread(fd, buf, PAGE, (off_t)((x >> 8) % pages * PAGE)) != (ssize_t)PAGE) return -1;
        }
        return (double)(now_ns() - t0) / reads;
    }
    return (double)(now_ns() - t0);
}

static void bench_cold_files(void) {
    static const char *names[] = {"cold_read", "cold_mmap", "cold_random_4k"};
    static const char *units[] = {"MB/s", "MB/s", "ns"};
    int any = 0;
    for (int k = 0; k < 3; k++) any |= wanted("cold", names[k]);
    if (!any) return;
    unsigned long mib = quick ? 1 : 64, bytes = mib * MIB;
    int fd = open_file("read.dat", bytes, "cold_read");
    if (fd < 0) return;
    int runs = quick ? 2 : 3;
    for (int k = 0; k < 3 && !cold_unavailable; k++) {
        if (!wanted("cold", names[k])) continue;
        double v[MAX_RUNS];
        int ok = 1;
        for (int i = 0; i < runs && ok; i++) { // no warm-up: every run starts cold
            if (!drop_caches(names[k])) {
                ok = 0;
                break;
            }
            double ns = one_cold_file(k, fd, bytes);
            if (ns < 0) {
                failed(names[k], k == COLD_MMAP ? "mmap or its reads" : "read");
                ok = 0;
            }
            v[i] = k == COLD_RANDOM ? ns : (double)mib / (ns / 1e9);
        }
        if (ok) report(names[k], median(v, runs), units[k]);
    }
    close(fd);
}

// cold_exec: fork + execve + wait of DIR/bigprog (bench/bigprog.c: 2 MiB that it reads one
// byte a page of), after the caches were dropped.
static void bench_cold_exec(const char *argv0) {
    if (!wanted("cold", "cold_exec") || cold_unavailable) return;
    char path[600];
    snprintf(path, sizeof path, "%s/bigprog", dir);
    if (access(path, X_OK) != 0) {
        const char *slash = strrchr(argv0, '/');
        snprintf(path, sizeof path, "%.*s/bigprog", slash ? (int)(slash - argv0) : 1, slash ? argv0 : ".");
        if (access(path, X_OK) != 0) {
            printf("# cold_exec skipped: no bigprog in %s or next to %s\n", dir, argv0);
            fflush(stdout);
            return;
        }
    }
    char *args[] = {path, NULL};
    int runs = quick ? 2 : 5;
    double v[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        if (!drop_caches("cold_exec")) return;
        uint64_t t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0) {
            execve(path, args, environ);
            _exit(127);
        }
        if (pid < 0 || !wait_ok(pid)) {
            failed("cold_exec", "start/wait of bigprog");
            return;
        }
        v[i] = (double)(now_ns() - t0);
    }
    report("cold_exec", median(v, runs), "ns");
}

// ---- dynamically linked programs: Debian's true, python3 -c pass, a dash loop of 100 trues ----
// tools/bench puts them on the disk under DIR/dyn (Debian's layout) and links the paths
// their loader and libraries are looked up by, /lib64 and /lib/x86_64-linux-gnu, to there
// in both kernels' roots. Each run is fork + execve + waitpid, with the same small
// environment on every kernel (what a program does at start-up depends on it).

static char *dynamic_environment[] = {"PATH=/bin:/usr/bin", "HOME=/", "LC_ALL=C", NULL};

static char dyn_true[600], dyn_dash[600], dyn_python[600], dash_loop[700];
static char *dyn_argv[4];

static double one_dynamic(void) {
    uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        execve(dyn_argv[0], dyn_argv, dynamic_environment);
        _exit(127);
    }
    if (pid < 0 || !wait_ok(pid)) return -1;
    return (double)(now_ns() - t0);
}

static void bench_dynamic(void) {
    snprintf(dyn_true, sizeof dyn_true, "%s/dyn/usr/bin/true", dir);
    snprintf(dyn_dash, sizeof dyn_dash, "%s/dyn/usr/bin/dash", dir);
    snprintf(dyn_python, sizeof dyn_python, "%s/dyn/usr/bin/python3", dir);
    snprintf(dash_loop, sizeof dash_loop, "i=0; while [ $i -lt 100 ]; do %s; i=$((i+1)); done", dyn_true);
    const struct {
        const char *name;
        char *argv[4];
        int runs;
    } kinds[] = {
        {"dyn_true", {dyn_true, NULL}, 21},
        {"python_start", {dyn_python, "-c", "pass", NULL}, 11},
        {"dash_100_true", {dyn_dash, "-c", dash_loop, NULL}, 5},
    };
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (!wanted("dynamic", kinds[k].name)) continue;
        if (access(kinds[k].argv[0], X_OK) != 0) {
            printf("# %s skipped: no %s (tools/bench puts Debian's programs there)\n", kinds[k].name, kinds[k].argv[0]);
            continue;
        }
        memcpy(dyn_argv, kinds[k].argv, sizeof dyn_argv);
        int runs = quick ? 2 : kinds[k].runs, ok = 1;
        double v[MAX_RUNS];
        ok = one_dynamic() >= 0; // the warm-up: the files come into the page cache
        for (int i = 0; i < runs && ok; i++) ok = (v[i] = one_dynamic()) >= 0;
        if (ok)
            report(kinds[k].name, median(v, runs), "ns");
        else
            failed(kinds[k].name, "start/wait (exit status not 0)");
    }
}

// ---- writing files: write() of a new file then fsync; 4 KiB records with O_APPEND ----

static void dir_path(char *out, size_t size, const char *name) { snprintf(out, size, "%s/%s", dir, name); }

// Writes BYTES to FD in CHUNK-sized write() calls of a repeating pattern; 0 on success.
static int write_pattern(int fd, unsigned long bytes, size_t chunk) {
    static char buf[64 * 1024];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (char)('A' + i % 23);
    for (unsigned long done = 0; done < bytes; done += chunk)
        if (write(fd, buf, chunk) != (ssize_t)chunk) return -1;
    return 0;
}

// write_fsync: create DIR/write.dat, write() 64 MiB in 64 KiB calls, fsync, close (MB/s of the
// whole). append_4k: 64 MiB in 4 KiB write()s to a file opened O_APPEND (MB/s of the writes;
// the page cache takes them, fsync comes after the clock stops). A new file every run.
static void bench_write(void) {
    static const char *names[] = {"write_fsync", "append_4k"};
    unsigned long mib = quick ? 1 : 64, bytes = mib * MIB;
    int runs = quick ? 2 : 3;
    char path[600];
    for (int k = 0; k < 2; k++) {
        if (!wanted("write", names[k])) continue;
        dir_path(path, sizeof path, k == 0 ? "write.dat" : "append.dat");
        double v[MAX_RUNS];
        int ok = 1;
        for (int i = -1; i < runs && ok; i++) {
            unlink(path);
            sync(); // the previous run's freed blocks and metadata are not this run's work
            uint64_t t0 = now_ns();
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | (k == 1 ? O_APPEND : 0), 0644);
            if (fd < 0) {
                failed(names[k], "open");
                ok = 0;
                break;
            }
            if (write_pattern(fd, bytes, k == 0 ? 64 * 1024 : 4096) < 0) {
                failed(names[k], "write");
                ok = 0;
            } else if (k == 0 && fsync(fd) < 0) {
                failed(names[k], "fsync");
                ok = 0;
            }
            double ns = (double)(now_ns() - t0);
            struct stat st;
            if (ok && (fstat(fd, &st) < 0 || (unsigned long)st.st_size != bytes)) {
                printf("# %s: the file has %ld bytes, not %lu\n", names[k], (long)st.st_size, bytes);
                errors++;
                ok = 0;
            }
            if (k == 1) fsync(fd);
            close(fd);
            if (i >= 0) v[i] = (double)mib / (ns / 1e9);
        }
        unlink(path);
        if (ok) report(names[k], median(v, runs), "MB/s");
    }
}

// ---- workloads people run: a shell script over 2,000 files, sort, fork/exit, mmap KV ----

static char busybox_path[600];

// DIR/busybox (tools/bench puts Debian's static busybox on the disk): 1 if it is there.
static int find_busybox(const char *figure) {
    dir_path(busybox_path, sizeof busybox_path, "busybox");
    if (access(busybox_path, X_OK) == 0) return 1;
    printf("# %s skipped: no busybox in %s\n", figure, dir);
    fflush(stdout);
    return 0;
}

// fork + execve(ARGV) + wait: the time in ns, or -1 if it did not exit with status 0.
static double run_program(char *const argv[]) {
    uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        execve(argv[0], argv, environ);
        _exit(127);
    }
    if (pid < 0 || !wait_ok(pid)) return -1;
    return (double)(now_ns() - t0);
}

// The script: busybox sh running busybox's mkdir, ls, tar, gzip and rm (each a fork+exec) on a
// tree of 20 directories of 100 small files each, made with the shell's own echo.
static const char tree_script[] = "set -e\n"
                                  "B=$1 D=$2/tree\n"
                                  "$B rm -rf $D $D.tar.gz\n"
                                  "$B mkdir $D\n"
                                  "i=0\n"
                                  "while [ $i -lt 20 ]; do\n"
                                  "  $B mkdir $D/d$i\n"
                                  "  j=0\n"
                                  "  while [ $j -lt 100 ]; do\n"
                                  "    echo \"file $j of directory $i: a few words of text\" > $D/d$i/f$j\n"
                                  "    j=$((j + 1))\n"
                                  "  done\n"
                                  "  i=$((i + 1))\n"
                                  "done\n"
                                  "test $($B ls -lR $D | $B grep -c ' f[0-9]') -eq 2000\n"
                                  "$B tar -cf $D.tar -C $2 tree\n"
                                  "$B gzip $D.tar\n"
                                  "$B gzip -t $D.tar.gz\n"
                                  "$B rm -rf $D $D.tar.gz\n";

static void bench_shell_tree(void) {
    if (!wanted("workloads", "shell_tree") || !find_busybox("shell_tree")) return;
    char script[600];
    dir_path(script, sizeof script, "tree.sh");
    FILE *f = fopen(script, "w");
    if (!f || fputs(tree_script, f) < 0 || fclose(f) != 0) {
        failed("shell_tree", "writing tree.sh");
        return;
    }
    char *argv[] = {busybox_path, "sh", script, busybox_path, (char *)dir, NULL};
    int runs = quick ? 2 : 3;
    double v[MAX_RUNS];
    for (int i = -1; i < runs; i++) {
        double ns = run_program(argv);
        if (ns < 0) {
            failed("shell_tree", "busybox sh tree.sh");
            return;
        }
        if (i >= 0) v[i] = ns;
    }
    unlink(script);
    report("shell_tree", median(v, runs) / 1e6, "ms");
}

// sort_16m: busybox sort of a 16 MiB file of pseudo-random lines (the same on every kernel).
static void bench_sort(void) {
    if (!wanted("workloads", "sort_16m") || !find_busybox("sort_16m")) return;
    unsigned long bytes = (quick ? 1 : 16) * MIB;
    char in[600], out[600];
    dir_path(in, sizeof in, "sort.in");
    dir_path(out, sizeof out, "sort.out");
    FILE *f = fopen(in, "w");
    if (!f) {
        failed("sort_16m", "creating sort.in");
        return;
    }
    uint32_t x = 4711;
    for (unsigned long done = 0; done < bytes;) {
        x = x * 1103515245u + 12345u;
        uint32_t y = x * 2654435761u;
        done += (unsigned long)fprintf(f, "%08x %u line\n", x, y % 100000);
    }
    if (fclose(f) != 0) {
        failed("sort_16m", "writing sort.in");
        return;
    }
    struct stat before;
    stat(in, &before);
    char *argv[] = {busybox_path, "sort", "-o", out, in, NULL};
    int runs = quick ? 2 : 3;
    double v[MAX_RUNS];
    for (int i = -1; i < runs; i++) {
        double ns = run_program(argv);
        struct stat after;
        if (ns < 0 || stat(out, &after) < 0 || after.st_size != before.st_size) {
            failed("sort_16m", "busybox sort (or its output's size)");
            return;
        }
        if (i >= 0) v[i] = ns;
    }
    unlink(in);
    unlink(out);
    report("sort_16m", median(v, runs) / 1e6, "ms");
}

// fork_100x4m: 100 children at once, each touching 4 MiB of its own memory, then exiting.
static double one_fork_crowd(void) {
    int children = quick ? 10 : 100;
    unsigned long bytes = (quick ? 1 : 4) * MIB;
    pid_t pids[100];
    uint64_t t0 = now_ns();
    for (int c = 0; c < children; c++) {
        pids[c] = fork();
        if (pids[c] == 0) {
            char *p = map_anon(bytes);
            if (!p) _exit(1);
            touch_pages(p, bytes, (char)c);
            _exit(0);
        }
        if (pids[c] < 0) return -1;
    }
    int ok = 1;
    for (int c = 0; c < children; c++) ok &= wait_ok(pids[c]);
    return ok ? (double)(now_ns() - t0) : -1;
}

static void bench_fork_crowd(void) {
    if (!wanted("workloads", "fork_100x4m")) return;
    int runs = quick ? 2 : 5;
    double v[MAX_RUNS];
    for (int i = -1; i < runs; i++) {
        double ns = one_fork_crowd();
        if (ns < 0) {
            failed("fork_100x4m", "fork/touch/exit of the children");
            return;
        }
        if (i >= 0) v[i] = ns;
    }
    report("fork_100x4m", median(v, runs) / 1e6, "ms");
}

// kv_mmap: a hash table in a 256 MiB MAP_SHARED file (32-byte slots, linear probing), 200,000
// operations on 100,000 keys drawn at random, half lookups and half insert-or-update, then
// msync(MS_SYNC). kv_mmap is the whole; kv_msync the msync alone.
struct kv_slot {
    uint64_t key, value, pad[2];
};

static int kv_run(int fd, unsigned long bytes, int ops, double *total_ns, double *msync_ns) {
    uint64_t t0 = now_ns();
    struct kv_slot *table = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (table == MAP_FAILED) return -1;
    unsigned long slots = bytes / sizeof(struct kv_slot);
    uint64_t x = 99991, found = 0;
    for (int i = 0; i < ops; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t key = (x >> 33) % 100000 + 1;
        int update = (x >> 20) & 1;
        unsigned long s = (unsigned long)((key * 0x9E3779B97F4A7C15ULL) % slots);
        for (int probe = 0; probe < 64; probe++, s = (s + 1) % slots) {
            if (table[s].key == key) {
                if (update)
                    table[s].value++;
                else
                    found += table[s].value;
                break;
            }
            if (table[s].key == 0) {
                if (update) {
                    table[s].key = key;
                    table[s].value = 1;
                }
                break;
            }
        }
    }
    uint64_t t1 = now_ns();
    int rc = msync(table, bytes, MS_SYNC);
    uint64_t t2 = now_ns();
    munmap(table, bytes);
    *total_ns = (double)(t2 - t0);
    *msync_ns = (double)(t2 - t1);
    if (found == 0 && ops > 1000) printf("# kv_mmap: no lookup found a key\n");
    return rc;
}

static void bench_kv(void) {
    if (!wanted("workloads", "kv_mmap") && !wanted("workloads", "kv_msync")) return;
    unsigned long bytes = (quick ? 4 : 256) * MIB;
    int ops = quick ? 2000 : 200000;
    char path[600];
    dir_path(path, sizeof path, "kv.dat");
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0) { // a sparse file: the table starts empty
        failed("kv_mmap", "creating kv.dat");
        if (fd >= 0) close(fd);
        return;
    }
    int runs = quick ? 2 : 3;
    double total[MAX_RUNS], sync_part[MAX_RUNS];
    for (int i = -1; i < runs; i++) {
        double t, m;
        if (kv_run(fd, bytes, ops, &t, &m) < 0) {
            failed("kv_mmap", "mmap or msync");
            close(fd);
            unlink(path);
            return;
        }
        if (i >= 0) total[i] = t, sync_part[i] = m;
    }
    close(fd);
    unlink(path);
    report("kv_mmap", median(total, runs) / 1e6, "ms");
    report("kv_msync", median(sync_part, runs) / 1e6, "ms");
}

static void bench_workloads(void) {
    bench_shell_tree();
    bench_sort();
    bench_fork_crowd();
    bench_kv();
}

// ---- what the kernel costs in memory: /proc/meminfo before and after ----

static uint64_t start_boottime_ns;

static uint64_t boottime_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

// One reading of /proc/meminfo, in kB (-1: the line is missing). `kernel` is what the kernel
// itself holds in the lines either kernel has: Slab (Linux's object caches), KernelHeap
// (Pagoda's heap, bytes in use), KernelStack and PageTables. Linux keeps these counts per
// CPU and folds them in now and then; a write to /proc/sys/vm/stat_refresh folds them first
// (Pagoda's counts are exact and it has no such file). MemFree stays coarse on Linux even so:
// pages on the per-CPU free lists do not count as free, so the figures use many objects.
struct meminfo {
    long free, cached, page_tables, kernel;
};

// Before a "before" reading: a second of nothing, so that work still pending from what ran
// before (Linux frees exited tasks and dropped inodes after an RCU grace period) is done.
static void settle(void) {
    struct timespec second = {1, 0};
    while (nanosleep(&second, &second) < 0 && errno == EINTR) {}
}

static int read_meminfo(struct meminfo *m) {
    int refresh = open("/proc/sys/vm/stat_refresh", O_WRONLY);
    if (refresh >= 0) {
        if (write(refresh, "1", 1) < 0) {} // EINVAL when some count is negative: read anyway
        close(refresh);
    }
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return -1;
    char line[256];
    *m = (struct meminfo){-1, -1, -1, 0};
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        long kb = strtol(colon + 1, NULL, 10);
        *colon = 0;
        if (strcmp(line, "MemFree") == 0) m->free = kb;
        if (strcmp(line, "Cached") == 0) m->cached = kb;
        if (strcmp(line, "PageTables") == 0) m->page_tables = kb;
        if (strcmp(line, "Slab") == 0 || strcmp(line, "KernelHeap") == 0 || strcmp(line, "KernelStack") == 0
            || strcmp(line, "PageTables") == 0)
            m->kernel += kb;
    }
    fclose(f);
    return m->free < 0 ? -1 : 0;
}

// mem_per_process: the drop of MemFree per child of a fork that then sleeps in read() of a
// pipe (kernel structures, kernel stack, page tables, the pages the child and we copy);
// kmem_per_process: the growth of the kernel's own lines (struct meminfo) per child.
static void bench_mem_process(void) {
    if (!wanted("memory", "mem_per_process") && !wanted("memory", "kmem_per_process")) return;
    int n = quick ? 10 : 200;
    int fds[2];
    if (pipe(fds) < 0) {
        failed("mem_per_process", "pipe");
        return;
    }
    pid_t pids[200];
    struct meminfo before, after;
    settle();
    int ok = read_meminfo(&before) == 0;
    int made = 0;
    for (; made < n; made++) {
        pids[made] = fork();
        if (pids[made] == 0) {
            char c;
            close(fds[1]);
            while (read(fds[0], &c, 1) < 0 && errno == EINTR) {}
            _exit(0);
        }
        if (pids[made] < 0) break;
    }
    ok &= read_meminfo(&after) == 0;
    close(fds[1]);
    close(fds[0]);
    ok &= made == n;
    for (int c = 0; c < made; c++) ok &= wait_ok(pids[c]);
    if (!ok) {
        failed("mem_per_process", "fork of the sleepers or /proc/meminfo");
        return;
    }
    report("mem_per_process", (double)(before.free - after.free) / n, "KiB");
    report("kmem_per_process", (double)(after.kernel - before.kernel) / n, "KiB");
}

// mem_per_mapping: the drop of MemFree per mapping made by mprotect of every other page of a
// PROT_NONE reservation of P pages (nothing touched: no page, no page table), which splits
// its one mapping into P; kmem_per_mapping: the kernel's own lines' growth per mapping.
// (Counted, not read from /proc/self/maps: Pagoda's is cut at 16 KiB.)
static void bench_mem_mapping(void) {
    if (!wanted("memory", "mem_per_mapping") && !wanted("memory", "kmem_per_mapping")) return;
    unsigned long pages = quick ? 200 : 8000;
    char *base = mmap(NULL, pages * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        failed("mem_per_mapping", "mmap");
        return;
    }
    struct meminfo before, after;
    settle();
    int ok = read_meminfo(&before) == 0;
    for (unsigned long p = 0; p < pages; p += 2)
        if (mprotect(base + p * PAGE, PAGE, PROT_READ) < 0) {
            failed("mem_per_mapping", "mprotect");
            munmap(base, pages * PAGE);
            return;
        }
    ok &= read_meminfo(&after) == 0;
    munmap(base, pages * PAGE);
    if (!ok) {
        failed("mem_per_mapping", "/proc/meminfo");
        return;
    }
    double mappings = (double)(pages - 1); // one mapping became `pages`
    report("mem_per_mapping", (double)(before.free - after.free) * 1024 / mappings, "bytes");
    report("kmem_per_mapping", (double)(after.kernel - before.kernel) * 1024 / mappings, "bytes");
}

// mem_per_cached_page: after drop_caches, read() the 64 MiB read.dat; the drop of MemFree
// beyond the file pages themselves (Cached:), per page that entered the cache;
// kmem_per_cached_page: the kernel's own lines' growth per such page.
static void bench_mem_cached(void) {
    if ((!wanted("memory", "mem_per_cached_page") && !wanted("memory", "kmem_per_cached_page")) || cold_unavailable)
        return;
    unsigned long mib = quick ? 1 : 64, bytes = mib * MIB;
    int fd = open_file("read.dat", bytes, "mem_per_cached_page");
    if (fd < 0) return;
    if (!drop_caches("mem_per_cached_page")) {
        close(fd);
        return;
    }
    static char buf[64 * 1024];
    struct meminfo before, after;
    settle();
    int ok = read_meminfo(&before) == 0;
    ok &= read_all(fd, buf, sizeof buf, bytes) == 0;
    ok &= read_meminfo(&after) == 0;
    close(fd);
    long cached_kb = after.cached - before.cached;
    if (!ok || cached_kb <= 0) {
        failed("mem_per_cached_page", "read or /proc/meminfo");
        return;
    }
    double cached_pages = (double)cached_kb / 4;
    report("mem_per_cached_page", (double)(before.free - after.free - cached_kb) * 1024 / cached_pages, "bytes");
    report("kmem_per_cached_page", (double)(after.kernel - before.kernel) * 1024 / cached_pages, "bytes");
}

// pagetables_1g: PageTables: of this process after touching 1 GiB; pagetables_fork_1g: what a
// fork of it adds (the child's tables: a copy on Linux, shared leaf tables on Pagoda).
static void bench_mem_page_tables(void) {
    if (!wanted("memory", "pagetables_fork_1g") && !wanted("memory", "pagetables_1g")) return;
    unsigned long mib = quick ? 16 : 1024, bytes = mib * MIB;
    if (!enough_memory("pagetables_fork_1g", mib)) return;
    struct meminfo start, touched, forked;
    if (read_meminfo(&start) < 0 || start.page_tables < 0) {
        printf("# pagetables_fork_1g skipped: /proc/meminfo has no PageTables: line\n");
        fflush(stdout);
        return;
    }
    char *p = map_anon(bytes);
    if (!p) {
        failed("pagetables_fork_1g", "mmap");
        return;
    }
    touch_pages(p, bytes, 1);
    read_meminfo(&touched);
    int fds[2];
    if (pipe(fds) < 0) {
        failed("pagetables_fork_1g", "pipe");
        munmap(p, bytes);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(fds[1]);
        while (read(fds[0], &c, 1) < 0 && errno == EINTR) {}
        _exit(p[0] == 1 ? 0 : 1);
    }
    read_meminfo(&forked);
    close(fds[1]);
    close(fds[0]);
    int ok = pid > 0 && wait_ok(pid);
    munmap(p, bytes);
    if (!ok) {
        failed("pagetables_fork_1g", "fork");
        return;
    }
    report("pagetables_1g", (double)(touched.page_tables - start.page_tables), "KiB");
    report("pagetables_fork_1g", (double)(forked.page_tables - touched.page_tables), "KiB");
}

// boot_to_init: CLOCK_BOOTTIME when /init started: ours when we are process 1 (Pagoda runs
// vmbench as /init), else what linux_init passed as BENCH_INIT_BOOTTIME_NS.
static void bench_boot_time(void) {
    if (!wanted("memory", "boot_to_init")) return;
    const char *passed = getenv("BENCH_INIT_BOOTTIME_NS");
    double ns;
    if (passed)
        ns = strtod(passed, NULL);
    else if (getpid() == 1)
        ns = (double)start_boottime_ns;
    else {
        printf("# boot_to_init skipped: not /init and no BENCH_INIT_BOOTTIME_NS\n");
        fflush(stdout);
        return;
    }
    report("boot_to_init", ns / 1e6, "ms");
}

static void bench_memory(void) {
    bench_boot_time();
    bench_mem_process();
    bench_mem_mapping();
    bench_mem_cached();
    bench_mem_page_tables();
}

int main(int argc, char **argv) {
    start_boottime_ns = boottime_ns(); // first thing: boot_to_init when we are /init
    if (argc > 1 && strcmp(argv[1], "--exit0") == 0) return 0; // stand-in for exit0
    if (parse_options(argc, argv, "vmbench", &quick, &dir)) return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct utsname u;
    if (uname(&u) < 0) memset(&u, 0, sizeof u);
    struct sysinfo si;
    if (sysinfo(&si) == 0 && si.totalram) total_ram_mib = (unsigned long)(si.totalram * (uint64_t)si.mem_unit / MIB);
    printf("# vmbench on %s %s, %lu MiB, files in %s%s\n", u.sysname, u.release, total_ram_mib, dir,
           quick ? " (quick)" : "");
    find_exit0(argv[0]);

    bench_memory(); // first: the kernel's own caches have not yet grown for the other figures
    bench_fork_sizes();
    bench_exec();
    bench_cow();
    bench_anon();
    bench_mappings();
    bench_read();
    bench_private();
    bench_msync();
    bench_threads();
    bench_clock();
    bench_cold_files();
    bench_cold_exec(argv[0]);
    bench_dynamic();
    bench_write();
    bench_workloads();

    print_figures_json("vmbench", quick, &u, "", errors);
    return errors ? 1 : 0;
}
