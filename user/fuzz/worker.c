/* worker.c — one fuzzing worker: its fixed memory layout and descriptors (set up the same
 * way in every worker, so that a replayed call sees the same addresses and descriptor
 * numbers), and the loop that makes calls [start, calls) of the sequence (seed, worker).
 *
 * Calls that would end or wreck the worker (execve, exit, rt_sigreturn, arch_prctl, a
 * random system-call number, and mmap/munmap/mprotect/madvise outside the MM arena) are
 * made in a forked child; the worker waits child_ms for it, then SIGKILLs it and requires
 * it to be gone within kill_wait_ms (else it reports a hang in its slot). A fraction of all
 * other calls is made in a child too, to exercise fork's copy-on-write paths. */
#include "fuzz.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { SYS_READ = 0, SYS_WRITE = 1, SYS_OPEN = 2, SYS_CLOSE = 3, SYS_MMAP = 9, SYS_BRK = 12, SYS_NANOSLEEP = 35,
    SYS_GETPID = 39, SYS_FORK = 57, SYS_EXECVE = 59, SYS_EXIT = 60, SYS_WAIT4 = 61, SYS_KILL = 62 };

static struct slot *g_slot;
static int g_worker;
static long g_child; /* newest child of a fork-like call */

void say(int fd, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    raw_syscall(SYS_WRITE, fd, line, n);
}

static long monotonic_ms(void)
{
    struct { long s, ns; } t;
    raw_syscall(228, 1 /* CLOCK_MONOTONIC */, &t, 0);
    return t.s * 1000 + t.ns / 1000000;
}

/* kernel_heap_objects and kernel_heap_bytes from /proc/vmstat, without libc or the heap. */
static void kernel_heap(long *objects, long *bytes)
{
    static char text[8192];
    *objects = *bytes = -1;
    long fd = raw_syscall(SYS_OPEN, "/proc/vmstat", O_RDONLY, 0);
    if (fd < 0)
        return;
    long n = raw_syscall(SYS_READ, fd, text, sizeof text - 1);
    raw_syscall(SYS_CLOSE, fd, 0, 0);
    text[n > 0 ? n : 0] = 0;
    char *p = strstr(text, "kernel_heap_bytes ");
    if (p)
        *bytes = strtol(p + 18, NULL, 10);
    p = strstr(text, "kernel_heap_objects ");
    if (p)
        *objects = strtol(p + 20, NULL, 10);
}

static void sleep_ms(long ms)
{
    struct { long s, ns; } t = { ms / 1000, (ms % 1000) * 1000000 };
    raw_syscall(SYS_NANOSLEEP, &t, 0, 0);
}

/* ---- the template ELF for exec_mutated_elf: two program headers, 12 bytes of code that
 * exit(7). 64 + 2 * 56 + 12 = 188 bytes, loaded at 0x400000. ---- */
#define ELF_SIZE 188
static unsigned char g_elf[ELF_SIZE];
void build_template_elf(unsigned char *e)
{
    memset(e, 0, ELF_SIZE);
    memcpy(e, "\177ELF\2\1\1", 7);
    u64 entry = 0x400000 + 176;
    *(uint16_t *)(e + 16) = 2;      /* ET_EXEC */
    *(uint16_t *)(e + 18) = 62;     /* EM_X86_64 */
    *(u32 *)(e + 20) = 1;
    memcpy(e + 24, &entry, 8);
    *(u64 *)(e + 32) = 64;          /* e_phoff */
    *(uint16_t *)(e + 52) = 64;
    *(uint16_t *)(e + 54) = 56;
    *(uint16_t *)(e + 56) = 2;      /* e_phnum */
    unsigned char *p = e + 64;      /* PT_LOAD R+X, the whole file */
    *(u32 *)(p + 0) = 1;
    *(u32 *)(p + 4) = 5;
    *(u64 *)(p + 16) = 0x400000;
    *(u64 *)(p + 24) = 0x400000;
    *(u64 *)(p + 32) = ELF_SIZE;
    *(u64 *)(p + 40) = ELF_SIZE;
    *(u64 *)(p + 48) = 0x1000;
    p = e + 120;                    /* PT_GNU_STACK RW */
    *(u32 *)(p + 0) = 0x6474e551;
    *(u32 *)(p + 4) = 6;
    static const unsigned char code[12] = { 0xb8, 60, 0, 0, 0, 0xbf, 7, 0, 0, 0, 0x0f, 0x05 };
    memcpy(e + 176, code, sizeof code);
}

static unsigned char g_mutated[ELF_SIZE];
static size_t g_mutated_size;

/* Mutates the template (in the worker, before the fork, so that replay can print what was
 * done); the child writes it to /tmp/fz/elf-w<worker> and execs it. */
static void mutate_elf(struct rng *r, char *text, size_t cap)
{
    static const struct { unsigned char offset, width; } FIELDS[] = { { 4, 1 }, { 5, 1 }, { 16, 2 }, { 18, 2 },
        { 24, 8 }, { 32, 8 }, { 52, 2 }, { 54, 2 }, { 56, 2 }, { 64, 4 }, { 68, 4 }, { 72, 8 }, { 80, 8 },
        { 96, 8 }, { 104, 8 }, { 112, 8 }, { 120, 4 }, { 124, 4 }, { 128, 8 }, { 136, 8 }, { 152, 8 },
        { 160, 8 }, { 168, 8 } };
    unsigned char *e = g_mutated;
    memcpy(e, g_elf, ELF_SIZE);
    int mutations = 1 + (int)rng_below(r, 4);
    size_t n = (size_t)snprintf(text, cap, "exec_mutated_elf(");
    for (int m = 0; m < mutations; ++m) {
        if (rng_chance(r, 20)) {
            u64 at = rng_below(r, ELF_SIZE);
            e[at] ^= (unsigned char)(1 << rng_below(r, 8));
            n += (size_t)snprintf(text + n, cap > n ? cap - n : 0, "%sbyte[%lu]=%#x", m ? ", " : "",
                (unsigned long)at, e[at]);
            continue;
        }
        int f = (int)rng_below(r, sizeof FIELDS / sizeof FIELDS[0]);
        u64 v = interesting_value(r);
        if (FIELDS[f].offset == 120 && rng_chance(r, 50))
            v = (u64[]) { 1, 2, 3, 4, 6, 7, 0x6474e550, 0x6474e552 }[rng_below(r, 8)]; /* second header's type */
        memcpy(e + FIELDS[f].offset, &v, FIELDS[f].width);
        if (FIELDS[f].width < 8)
            v &= (1ul << (8 * FIELDS[f].width)) - 1;
        n += (size_t)snprintf(text + n, cap > n ? cap - n : 0, "%su%d[%d]=%#lx", m ? ", " : "", 8 * FIELDS[f].width,
            FIELDS[f].offset, (unsigned long)v);
    }
    g_mutated_size = rng_chance(r, 10) ? rng_below(r, ELF_SIZE) : ELF_SIZE;
    if (n < cap)
        snprintf(text + n, cap - n, "; %lu bytes)", (unsigned long)g_mutated_size);
}

static void exec_mutated_elf(void)
{
    char path[32];
    snprintf(path, sizeof path, "/tmp/fz/elf-w%d", g_worker);
    long fd = raw_syscall(SYS_OPEN, path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd >= 0) {
        raw_syscall(SYS_WRITE, fd, g_mutated, g_mutated_size);
        raw_syscall(SYS_CLOSE, fd, 0, 0);
    }
    char *argv[] = { path, NULL }, *envp[] = { NULL };
    raw_syscall(SYS_EXECVE, path, argv, envp);
}

/* Where a fuzzed rt_sigreturn may "return" to: exits 42. */
__asm__(".text\n.globl fuzz_landing\nfuzz_landing:\n  mov $60, %eax\n  mov $42, %edi\n  syscall\n  ud2\n");
void fuzz_landing(void);

#define SIGRETURN_FRAME (RW_BASE + 5 * SLOT_SIZE)

/* A random rt_sigreturn frame (a ucontext) in slot 5, with an fxsave image of random bytes
 * in slot 3; built in the worker before the fork, so that replay can print it. */
static void make_sigreturn_frame(struct rng *r, char *text, size_t cap)
{
    u64 *frame = (u64 *)SIGRETURN_FRAME;
    for (int i = 0; i < 64; ++i)
        frame[i] = rng_chance(r, 30) ? 0 : rng_next(r);
    static const u64 RIP[] = { 0, 0x800000000000, 0x7ffffffffffe, 0xffffffff80000000, 0xffff800000000000,
        0x8000000000000000, 0x7ffffffff000 };
    static const u64 FLAGS[] = { 0x202, 0x3202, 0x302, 0x40202, 0x20202, 0x4202, 0x200202, 0 };
    static const uint16_t SEL[] = { 0x33, 0x2b, 0x23, 0x1b, 0x08, 0x10, 0, 0xffff, 0x3b };
    u64 *mc = frame + 5; /* uc_mcontext: r8..r15 rdi rsi rbp rbx rdx rax rcx rsp rip eflags, cs gs fs ss */
    mc[16] = rng_chance(r, 40) ? (u64)fuzz_landing
                               : RIP[rng_below(r, sizeof RIP / 8)] + (rng_chance(r, 20) ? rng_below(r, 4096) : 0);
    mc[15] = rng_chance(r, 50) ? RW_BASE + 4 * SLOT_SIZE + 0x2000 : RIP[rng_below(r, sizeof RIP / 8)];
    mc[17] = rng_chance(r, 70) ? FLAGS[rng_below(r, sizeof FLAGS / 8)] : rng_next(r);
    uint16_t *seg = (uint16_t *)&mc[18];
    for (int i = 0; i < 4; ++i)
        seg[i] = rng_chance(r, 80) ? SEL[rng_below(r, sizeof SEL / 2)] : (uint16_t)rng_next(r);
    u64 fp[] = { 0, RW_BASE + 3 * SLOT_SIZE, RW_BASE + 3 * SLOT_SIZE + 8, BU_END - 256, RO_PAGE, 0xffffffff80000000,
        0x800000000000 };
    mc[23] = fp[rng_below(r, sizeof fp / 8)];
    u64 *image = (u64 *)(RW_BASE + 3 * SLOT_SIZE);
    for (int i = 0; i < 64; ++i)
        image[i] = rng_next(r);
    snprintf(text, cap, "rt_sigreturn(frame at %#lx: rip=%#lx rsp=%#lx eflags=%#lx cs=%#x gs=%#x fs=%#x ss=%#x "
                        "fpstate=%#lx mxcsr=%#x sigmask=%#lx)",
        (unsigned long)SIGRETURN_FRAME, (unsigned long)mc[16], (unsigned long)mc[15], (unsigned long)mc[17], seg[0],
        seg[1], seg[2], seg[3], (unsigned long)mc[23], (unsigned)(image[3] & 0xffffffff), (unsigned long)frame[37]);
}

long random_syscall_number(struct rng *r)
{
    /* never: kill-like calls (they could reach other processes), pause/sigsuspend (sleep
     * forever), reboot, kexec, modules, ptrace, process_vm_*, mount/umount/pivot_root */
    static const long DENY[] = { 34, 62, 101, 129, 130, 155, 165, 166, 169, 175, 176, 200, 234, 246, 297, 310, 311,
        313, 320, 424 };
    for (;;) {
        unsigned c = (unsigned)rng_below(r, 100);
        long nr = c < 75 ? (long)rng_below(r, 460) : c < 85 ? 512 + (long)rng_below(r, 512)
            : c < 93 ? (long)(0x40000000 | rng_below(r, 548)) : (long)interesting_value(r);
        int denied = 0;
        for (unsigned i = 0; i < sizeof DENY / sizeof DENY[0]; ++i)
            denied |= (nr & 0x3fffffff) == DENY[i] && (nr & ~0x3fffffffl) == (nr & 0x40000000);
        if (!denied)
            return nr;
    }
}

/* Whether a memory call's range lies inside the MM arena (or wholly in the upper half without
 * wrapping), so that it cannot unmap or change the worker's own memory. */
static int memory_call_is_contained(const struct call *c, const struct arg *a)
{
    u64 address = a[0].value, length = a[1].value;
    if (c->nr == 9 && !(a[3].value & 0x10))
        return 1; /* mmap without MAP_FIXED: the address is a hint */
    u64 rounded = (length + PAGE - 1) & ~(PAGE - 1);
    if (rounded < length)
        return 0;
    if (address >= MM_BASE && address < MM_BASE + MM_SIZE)
        return rounded <= MM_BASE + MM_SIZE - address;
    if (address >= 0x800000000000ul)
        return address + rounded >= address && rounded != 0;
    return 0;
}

static long make_call(const struct call *c, struct arg *a)
{
    if (c->flags & F_FORKLIKE) {
        long r = fuzz_forklike(c->nr, (long)a[0].value, (long)a[1].value, (long)a[2].value, (long)a[3].value,
            (long)a[4].value);
        if (r > 0)
            g_child = r;
        return r;
    }
    if (c->flags & F_RANDOM_NR)
        return raw_syscall6((long)a[0].value, (long)a[1].value, (long)a[2].value, (long)a[3].value,
            (long)a[4].value, (long)a[5].value, 0);
    return raw_syscall6(c->nr, (long)a[0].value, (long)a[1].value, (long)a[2].value, (long)a[3].value,
        (long)a[4].value, (long)a[5].value);
}

/* Makes the call in a child. Returns its wait status, -1 if it had to be killed, -2 if it
 * did not die after SIGKILL (reported in the slot), or -errno if fork failed. */
/* fork() must not take long: it only shares pages. One that takes a second or more means the
 * kernel (which holds its one lock meanwhile) spent that long on something. */
static void check_fork_time(long t0, u64 index)
{
    long ms = monotonic_ms() - t0;
    if (ms >= 1000 && !g_slot->slow_ms) {
        g_slot->slow_index = index;
        g_slot->slow_ms = (u64)ms;
    }
}

static long call_in_child(const struct call *c, struct arg *a, u64 index)
{
    long t0 = monotonic_ms();
    long pid = raw_syscall(SYS_FORK, 0, 0, 0);
    if (pid > 0)
        check_fork_time(t0, index);
    if (pid < 0)
        return pid;
    if (pid == 0) {
        if (c->flags & F_SIGRETURN)
            fuzz_sigreturn((void *)SIGRETURN_FRAME);
        if (c->flags & F_ELF)
            exec_mutated_elf();
        else
            make_call(c, a);
        raw_syscall(SYS_EXIT, 0, 0, 0);
    }
    g_slot->busy_child = (int)pid;
    int status = 0;
    long waited = 0;
    for (long ms = 0; ms < g_options.child_ms; ++ms) {
        waited = raw_syscall6(SYS_WAIT4, pid, (long)&status, 1 /* WNOHANG */, 0, 0, 0);
        if (waited != 0)
            break;
        g_slot->heartbeat++;
        sleep_ms(1);
    }
    if (waited == 0) {
        raw_syscall(SYS_KILL, pid, 9, 0);
        for (long ms = 0; ms < g_options.kill_wait_ms; ms += 2) {
            waited = raw_syscall6(SYS_WAIT4, pid, (long)&status, 1, 0, 0, 0);
            if (waited != 0)
                break;
            g_slot->heartbeat++;
            sleep_ms(2);
        }
        g_slot->busy_child = 0;
        if (waited == 0) {
            g_slot->hang_index = index;
            g_slot->hang_pid = (int)pid;
            return -2;
        }
        return -1;
    }
    g_slot->busy_child = 0;
    return waited == pid ? status : 0; /* ECHILD: SIGCHLD was set to SIG_IGN */
}

static void map_fixed(u64 address, u64 length, int prot, int flags, int fd)
{
    void *p = mmap((void *)address, length, prot, flags | MAP_FIXED, fd, 0);
    if (p == MAP_FAILED)
        say(LOG_FD, "fuzz: worker %d: setup mmap at %#lx failed", g_worker, (unsigned long)address);
}

static int open_or(const char *path, const char *fallback, int flags)
{
    int fd = open(path, flags, 0644);
    return fd >= 0 || !fallback ? fd : open(fallback, flags, 0644);
}

/* The same layout in every worker: fds 3..15 (see the table in docs/testing.md), the RW
 * slots and boundary pages, the MM arena's mappings. */
static void set_up(void)
{
    /* The console is at LOG_FD, and read-only at fd 0 (reading it blocks: a SIGKILL must still
     * end the reader); fds 1 and 2 go to /dev/null, so that fuzzed writes to them do not flood
     * the console. */
    dup2(1, LOG_FD);
    int console = open("/dev/console", O_RDONLY);
    if (console >= 0 && console != 0) {
        dup2(console, 0);
        close(console);
    }
    int null = open("/dev/null", O_RDWR);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2)
        close(null);
    for (int fd = 3; fd < 64; ++fd)
        if (fd != LOG_FD)
            close(fd);
    mkdir("/tmp/fz", 0777);
    if (g_options.have_disk)
        mkdir("/mnt/fz", 0777);
    const char *disk = g_options.have_disk ? "/mnt/fz" : "/tmp/fz";
    char path[64];
    int fds[16];
    int n = 0;
    fds[n++] = open_or("/tmp/fz/a", NULL, O_RDWR | O_CREAT);                       /* 3 */
    snprintf(path, sizeof path, "%s/b", disk);
    fds[n++] = open_or(path, "/dev/null", O_RDWR | O_CREAT);                       /* 4 */
    int p[2] = { -1, -1 };
    if (pipe(p) == 0) {                                                            /* 5, 6 */
        fds[n++] = p[0];
        fds[n++] = p[1];
        write(p[1], "0123456789abcdef0123456789abcdef", 32);
    }
    fds[n++] = open("/dev/null", O_RDWR);                                          /* 7 */
    fds[n++] = open("/proc/self/maps", O_RDONLY);                                  /* 8 */
    fds[n++] = open_or("/tmp/fz", "/", O_RDONLY | O_DIRECTORY);                    /* 9 */
    fds[n++] = open("/dev/zero", O_RDWR);                                          /* 10 */
    fds[n++] = open_or("/tmp/fz/elf", "/dev/null", O_RDONLY);                      /* 11 */
    fds[n++] = open_or(disk, "/", O_RDONLY | O_DIRECTORY);                         /* 12 */
    int map = fds[n++] = open_or("/tmp/fz/map", "/dev/zero", O_RDWR | O_CREAT);    /* 13 */
    snprintf(path, sizeof path, "%s/map", disk);
    int disk_map = fds[n++] = open_or(path, "/dev/zero", O_RDWR | O_CREAT);        /* 14 */
    fds[n++] = open("/proc/vmstat", O_RDONLY);                                     /* 15 */
    (void)fds;
    struct stat st;
    if (fstat(map, &st) == 0 && st.st_size < (off_t)MAP_FILE_SIZE)
        ftruncate(map, MAP_FILE_SIZE);
    if (fstat(disk_map, &st) == 0 && st.st_size < (off_t)MAP_FILE_SIZE)
        ftruncate(disk_map, MAP_FILE_SIZE);

    int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
    map_fixed(RW_BASE, RW_SIZE, rw, anon, -1);
    memset((void *)RW_BASE, 0, RW_SIZE);
    map_fixed(BU_PAGE, PAGE, rw, anon, -1);
    map_fixed(BR_PAGE, PAGE, rw, anon, -1);
    map_fixed(RO_PAGE, PAGE, rw, anon, -1);
    static const char *const RO_PATH_LIST[8] = { "/tmp/fz/a", "/tmp/fz/d", "/mnt/fz/b", "/proc/self/maps", "/",
        "/dev/null", "/tmp/fz/elf", "/tmp/fz/nonexistent" };
    for (int i = 0; i < 8; ++i)
        strcpy((char *)(RO_PAGE + RO_PATHS + 64 * i), RO_PATH_LIST[i]);
    mprotect((void *)RO_PAGE, PAGE, PROT_READ);
    map_fixed(NONE_PAGE, PAGE, PROT_NONE, anon, -1);

    map_fixed(MM_ANON, 16 * PAGE, rw, anon, -1);
    memset((void *)MM_ANON, 0x5a, 16 * PAGE);
    map_fixed(MM_FILE_SHARED, MAP_FILE_SIZE, rw, MAP_SHARED, map);
    map_fixed(MM_FILE_PRIVATE, MAP_FILE_SIZE, rw, MAP_PRIVATE, map);
    map_fixed(MM_DISK_SHARED, MAP_FILE_SIZE, rw, MAP_SHARED, disk_map);
    map_fixed(MM_ANON_SHARED, 4 * PAGE, rw, MAP_SHARED | MAP_ANONYMOUS, -1);
    map_fixed(MM_FILE_RO, MAP_FILE_SIZE, PROT_READ, MAP_SHARED, map);
    map_fixed(MM_BIG, 0x200000, rw, anon, -1);
    for (u64 off = 0; off < 0x200000; off += 16 * PAGE)
        *(volatile char *)(MM_BIG + off) = 1;
    build_template_elf(g_elf);
    if (chdir("/tmp/fz") != 0)
        chdir("/");
}

static int in_only_list(u64 index)
{
    if (!g_options.only)
        return 1;
    u64 lo = 0, hi = g_options.only_count;
    while (lo < hi) {
        u64 mid = (lo + hi) / 2;
        if (g_options.only[mid] == index)
            return 1;
        if (g_options.only[mid] < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

void worker_main(int worker, struct slot *slot, u64 start)
{
    g_slot = slot;
    g_worker = worker;
    set_up();
    u64 brk0 = (u64)raw_syscall(SYS_BRK, 0, 0, 0);
    long self = raw_syscall(SYS_GETPID, 0, 0, 0);
    char text[1024];
    for (u64 i = start; i < g_options.calls; ++i) {
        if (!in_only_list(i))
            continue;
        slot->index = i;
        slot->heartbeat++;
        int print = g_options.replay && i >= g_options.print_from;
        if (!print && g_options.checkpoint && i % (u64)g_options.checkpoint == 0)
            say(LOG_FD, "fuzz: at w=%d i=%lu", worker, (unsigned long)i);
        args_set_worker_state(brk0, self, g_child);
        slot->state_child = g_child;
        slot->state_self = self;
        slot->state_brk = brk0;
        struct rng r = rng_for_call(g_options.seed, (u64)worker, i);
        const struct call *c = choose_call(&r);
        struct arg a[6];
        if (c->flags & F_RANDOM_NR) {
            generate_arguments(&r, c, a);
            a[0].value = (u64)random_syscall_number(&r);
            a[0].tag = "nr";
        } else {
            generate_arguments(&r, c, a);
        }
        int child = (c->flags & F_CHILD) || ((c->flags & F_MEM) && !memory_call_is_contained(c, a))
            || rng_chance(&r, 4);
        text[0] = 0;
        if (c->flags & F_SIGRETURN)
            make_sigreturn_frame(&r, text, sizeof text);
        if (c->flags & F_ELF)
            mutate_elf(&r, text, sizeof text);
        if (print) {
            if (!text[0])
                describe_call(text, sizeof text, c, a);
            say(LOG_FD, "fuzz: #%lu w=%d%s %s", (unsigned long)i, worker, child ? " [child]" : "", text);
        }
        long heap_objects0 = 0, heap_bytes0 = 0;
        if (print && g_options.heap_trace)
            kernel_heap(&heap_objects0, &heap_bytes0);
        long result, t0 = print ? monotonic_ms() : 0;
        if (child) {
            slot->in_child++;
            result = call_in_child(c, a, i);
        } else {
            result = make_call(c, a);
        }
        slot->calls_made++;
        if (!child)
            slot->results[result >= 0 ? 0 : result == -14 ? 1 : result == -22 ? 2 : result == -38 ? 3 : 4]++;
        else
            slot->results[result >= 0 ? 5 : 6]++;
        if (print) {
            long ms = monotonic_ms() - t0;
            if (ms >= 20)
                say(LOG_FD, "fuzz: #%lu took %ld ms", (unsigned long)i, ms);
            if (g_options.heap_trace) {
                long objects, bytes;
                kernel_heap(&objects, &bytes);
                if (objects != heap_objects0 || bytes != heap_bytes0)
                    say(LOG_FD, "fuzz: #%lu kernel heap %+ld objects %+ld bytes", (unsigned long)i,
                        objects - heap_objects0, bytes - heap_bytes0);
            }
            if (child)
                say(LOG_FD, "fuzz: #%lu = %s %ld", (unsigned long)i,
                    result == -2 ? "HANG (child not dead after SIGKILL)" : result == -1 ? "child killed (stuck)"
                    : result < 0 ? "fork failed" : (result & 0x7f) ? "child signal" : "child exit",
                    result < 0 ? result : (result & 0x7f) ? (result & 0x7f) : (result >> 8) & 0xff);
            else if (result < 0 && result > -4096)
                say(LOG_FD, "fuzz: #%lu = %ld %s", (unsigned long)i, result, errno_name(-result));
            else
                say(LOG_FD, "fuzz: #%lu = %#lx", (unsigned long)i, (unsigned long)result);
        }
        if ((c->flags & F_FORKLIKE) || (i & 15) == 0) {
            while (raw_syscall6(SYS_WAIT4, -1, 0, 1, 0, 0, 0) > 0)
                ;
        }
    }
    slot->done = 1;
    raw_syscall(SYS_EXIT, 0, 0, 0);
    __builtin_unreachable();
}
