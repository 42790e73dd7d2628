/* fuzz.h — Pagoda's in-guest system-call fuzzer: shared declarations.
 *
 * The fuzzer runs as /init of a throw-away Pagoda guest (tools/fuzz boots it in QEMU). The
 * init process (the supervisor, main.c) forks W workers; worker w runs the calls with
 * indices [from, calls) of the sequence of (seed, w). The arguments of call i depend only on
 * (seed, w, i) — never on earlier results — so the same three numbers replay the same call,
 * and any subset of a sequence can be replayed (--only-file) to minimise a failure.
 *
 *   args.c    argument generators: adversarial pointers, lengths, flags, paths, structs
 *   calls.c   the system-call table and how one call is made (in the worker or in a child)
 *   worker.c  a worker's fixed memory layout, its setup, and its loop
 *   main.c    the guard, options, the supervisor (watchdog, hang and leak checks), cleanup
 */
#ifndef PAGODA_FUZZ_H
#define PAGODA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef int64_t i64;

#define PAGE 4096ul

/* ---- the worker's fixed memory layout (identical in every worker, so a replayed call
 * passes the same addresses) ---- */
#define RW_BASE 0x200000000ul           /* 8 slots of 16 KiB, read-write */
#define SLOT_SIZE 0x4000ul
#define SLOT_COUNT 8
#define SLOT_NESTED 6                    /* buffers that iovecs and argv entries point to */
#define SLOT_MISC 7                      /* futex words, scratch */
#define RW_SIZE (SLOT_SIZE * SLOT_COUNT)
#define HOLE_PAGE (RW_BASE + RW_SIZE)    /* never mapped */
#define BU_PAGE (HOLE_PAGE + PAGE)       /* read-write; the page after it is never mapped */
#define BU_END (BU_PAGE + PAGE)
#define BR_PAGE (BU_END + PAGE)          /* read-write; the page after it is RO_PAGE */
#define BR_END (BR_PAGE + PAGE)
#define RO_PAGE BR_END                   /* PROT_READ, holds fixed strings and zeroes */
#define NONE_PAGE (RO_PAGE + PAGE)       /* PROT_NONE */

/* Offsets of the fixed contents of RO_PAGE. */
#define RO_PATHS 0                       /* 8 paths of 64 bytes */
#define RO_ZEROES 2048                   /* 2 KiB of zeroes: a zero timespec, sigset, ... */

/* The memory-management arena: mmap/munmap/mprotect/madvise/msync work here, so they
 * cannot unmap the worker's own code, stack or buffers. */
#define MM_BASE 0x300000000ul
#define MM_SIZE 0x4000000ul              /* 64 MiB */
#define MM_ANON (MM_BASE + 0x000000)      /* 16 pages private anonymous, written */
#define MM_FILE_SHARED (MM_BASE + 0x100000)  /* 4 pages MAP_SHARED of /tmp/fz/map */
#define MM_FILE_PRIVATE (MM_BASE + 0x200000) /* 4 pages MAP_PRIVATE of /tmp/fz/map */
#define MM_DISK_SHARED (MM_BASE + 0x300000)  /* 4 pages MAP_SHARED of /mnt/fz/map (or /tmp) */
#define MM_ANON_SHARED (MM_BASE + 0x400000)  /* 4 pages MAP_SHARED|MAP_ANONYMOUS */
#define MM_FILE_RO (MM_BASE + 0x500000)      /* 4 pages PROT_READ MAP_SHARED of /tmp/fz/map */
#define MM_BIG (MM_BASE + 0x600000)          /* 2 MiB private anonymous, every 16th page written */
#define MAP_FILE_SIZE (4 * PAGE)

#define LOG_FD 200        /* the worker's copy of the console; no generator yields 200 */

/* ---- deterministic random numbers: splitmix64 ---- */
struct rng {
    u64 state;
};
static inline u64 rng_next(struct rng *r)
{
    u64 z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static inline u64 rng_below(struct rng *r, u64 n) { return n ? rng_next(r) % n : 0; }
static inline int rng_chance(struct rng *r, unsigned percent) { return rng_below(r, 100) < percent; }
/* The generator for call `index` of worker `worker` of `seed`: independent of every other call. */
static inline struct rng rng_for_call(u64 seed, u64 worker, u64 index)
{
    struct rng r = { seed * 0x2545f4914f6cdd1dull ^ (worker + 1) * 0x9e3779b97f4a7c15ull ^ index * 0xd1b54a32d192ed03ull };
    rng_next(&r);
    return r;
}

/* ---- argument kinds (args.c) ---- */
enum kind {
    K_NONE,
    K_FD, K_DIRFD, K_BUF_IN, K_BUF_OUT, K_LEN, K_PATH, K_OFLAGS, K_MODE, K_OFFSET, K_WHENCE,
    K_MADDR, K_MLEN, K_PROT, K_MFLAGS, K_MMFD, K_MOFFSET, K_BRK, K_ADVICE, K_MSFLAGS,
    K_SIG, K_SIGACT, K_SIGSET, K_SIGSETSIZE, K_HOW, K_IOCTL, K_IOVEC, K_IOVCNT, K_AMODE,
    K_PIPEFLAGS, K_TIMESPEC, K_WPID, K_KPID, K_WAITOPT, K_FCNTL, K_FCNTLARG, K_INT, K_RES,
    K_CLOCK, K_TIMERFLAGS, K_FUTEX, K_FUTEXOP, K_FUTEXVAL, K_ATFLAGS, K_ARGV, K_CLONEFLAGS,
    K_ANY, K_PTR, K_DUP3FLAGS, K_RENAMEFLAGS, K_STATXMASK, K_GRNDFLAGS, K_ARCHCODE,
    K_REBOOT, K_UNLINKFLAGS, K_PID0, K_SIGFRAME, K_SECONDS, K_ITIMERVAL,
    K_COUNT
};

/* One generated argument: the value, and a short tag saying how it was made (for logs). */
struct arg {
    u64 value;
    const char *tag;
};

struct call;

/* What the generators may know about the worker (never the results of earlier calls). */
struct gen_context {
    const struct call *call;
    struct arg args[6];
    int position;         /* the argument being generated */
};

void generate_arguments(struct rng *r, const struct call *c, struct arg out[6]);
u64 interesting_value(struct rng *r);
void args_set_worker_state(u64 brk0, long self, long child);

/* ---- the call table (calls.c) ---- */
enum call_flags {
    F_CHILD = 1,      /* always made in a forked child (would end or wreck the worker) */
    F_MEM = 2,        /* args[0], args[1] are an address range: made in a child unless inside MM arena */
    F_FORKLIKE = 4,   /* fork/vfork/clone: the new process exits at once, without touching memory */
    F_RANDOM_NR = 8,  /* the number itself is random */
    F_ELF = 16,       /* pseudo-call: execve a mutated ELF in a child */
    F_SIGRETURN = 32, /* pseudo-call: rt_sigreturn on a random frame, in a child */
    F_LINUX_ONLY_SAFE = 64,
};

struct call {
    const char *name;
    long nr;
    unsigned char kinds[6];
    unsigned char weight;
    unsigned char flags;
};

extern const struct call CALLS[];
extern const int CALL_COUNT;
const struct call *choose_call(struct rng *r);
int restrict_calls(const char *list, int only);

/* ---- raw system calls (no errno, no libc state) ---- */
static inline long raw_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define raw_syscall(n, a, b, c) raw_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* fork-like call: the child (return 0) calls exit(0) at once, touching neither stack nor memory. */
long fuzz_forklike(long nr, long a, long b, long c, long d, long e);
/* rt_sigreturn with the stack pointer at `frame`: never returns. */
void fuzz_sigreturn(void *frame) __attribute__((noreturn));
void fuzz_restorer(void);
void fuzz_signal_handler(int);

/* ---- the worker (worker.c) ---- */
/* Shared with the supervisor, one per worker, in a MAP_SHARED page. */
struct slot {
    volatile u64 index;       /* the call being made (or about to be) */
    volatile u64 heartbeat;   /* bumped at every step; the supervisor watches it */
    volatile u64 done;        /* 1 when the worker finished its range */
    volatile u64 calls_made;
    volatile u64 in_child;
    volatile int hang_pid;    /* a child of this worker that did not die after SIGKILL */
    volatile u64 hang_index;
    volatile int busy_child;  /* pid of the child the worker is waiting for, or 0 */
    volatile u64 slow_ms;     /* a fork that took this long (>= 1 s: the kernel was busy), 0 if none */
    volatile u64 slow_index;
    volatile long state_child, state_self; /* the worker's state for the call at `index` */
    volatile u64 state_brk;
    volatile u64 results[8];  /* counts: ok, EFAULT, EINVAL, ENOSYS, other errors, killed child, ... */
};

struct options {
    u64 seed;
    u64 calls;          /* per worker */
    u64 from;
    int workers;
    int only_worker;    /* the highest worker of --worker, or -1 */
    unsigned worker_mask; /* --worker W,W,...: only these (0: all) */
    int replay;         /* print every call and its result */
    u64 print_from;     /* ... from this index on */
    int heap_trace;     /* replay: print the kernel heap's change over each call */
    int throwaway;      /* explicitly allowed outside pid 1 */
    u64 *only;          /* sorted list of indices to run, or NULL */
    u64 only_count;
    int stall_ms;       /* a worker making no progress this long is killed */
    int kill_wait_ms;   /* ... and must be gone this long after SIGKILL */
    int child_ms;       /* a call made in a child gets this long */
    int leak_tolerance_kb;
    int warmup;         /* calls per worker run (and cleaned up) before the baseline */
    int checkpoint;     /* a worker prints its index every this many calls */
    int have_disk;
};
extern struct options g_options;

void worker_main(int worker, struct slot *slot, u64 start_index) __attribute__((noreturn));
long random_syscall_number(struct rng *r);
void describe_call(char *out, size_t cap, const struct call *c, const struct arg a[6]);
const char *errno_name(long e);

/* Output: whole lines, each one write(2) (so they survive interleaving with garbage a
 * fuzzed call writes to the console). Every line starts with "fuzz: ". */
void say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
