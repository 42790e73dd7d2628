/* vforkdemo — vfork(): a child that borrows its parent's address space.
 *
 * The VM notes: "With vfork(), the parent process is suspended, and the child process uses the
 * address space of the parent. [...] if the child process changes any pages of the parent's
 * address space, the altered pages will be visible to the parent once it resumes. [...]
 * vfork() is intended to be used when the child process calls exec() immediately."
 *
 * This demo shows each sentence happen:
 *   1. the child sees the very same physical frame as the parent (/proc/self/pagemap), and
 *      writes to it without any copy;
 *   2. the parent sleeps until the child calls _exit(), and then sees the child's write;
 *   3. the cost: 200 fork()s against 200 vfork()s of a process with 64 MiB of memory;
 *   4. the intended use: vfork() followed at once by execve().
 *
 * Rules for a vfork child, which this demo keeps: it must not return from the function that
 * called vfork() (that would wreck the parent's stack frame, which it is using), and it should
 * only call _exit() or execve(). Here the child also makes a few plain system calls (open,
 * pread, write, nanosleep) so that we can watch it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmstat_field.h"

#define PAGE_SIZE 4096
#define CYCLES 200
#define HEAP_MIB 64

extern char **environ;

/* ---------------------------------------------------------------- helpers */

/* Physical frame number behind virtual address va, from our own page table; 0 if the page is
 * absent or the kernel hides frame numbers (Linux does, from non-root users). Uses only
 * system calls and the stack, so a vfork child may call it. */
static unsigned long frame_of(const void *va)
{
    uint64_t entry = 0;
    int fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0)
        return 0;
    if (pread(fd, &entry, sizeof entry, (off_t)((uintptr_t)va / PAGE_SIZE * sizeof entry)) != sizeof entry)
        entry = 0;
    close(fd);
    return (entry >> 63) ? (unsigned long)(entry & ((1ull << 55) - 1)) : 0;
}

struct counters {
    int available; /* 0 on a kernel without Pagoda's counters */
    long cow_copy, cow_reuse, frames_free, forks, tables_shared, tables_copied;
};


static struct counters read_counters(void)
{
    static char text[4096];
    memset(text, 0, sizeof text);
    int fd = open("/proc/vmstat", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, text, sizeof text - 1);
        (void)n;
        close(fd);
    }
    struct counters c;
    c.cow_copy = vmstat_field(text, "cow_copy");
    c.cow_reuse = vmstat_field(text, "cow_reuse");
    c.frames_free = vmstat_field(text, "frames_free");
    c.forks = vmstat_field(text, "forks"); /* counts address spaces copied: vfork copies none */
    c.tables_shared = vmstat_field(text, "pgtable_shared"); /* leaf tables shared with a child */
    c.tables_copied = vmstat_field(text, "pgtable_copied"); /* ... and copied on a later change */
    c.available = c.cow_copy >= 0 && c.cow_reuse >= 0 && c.frames_free >= 0;
    return c;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- 1 and 2: one address space */

/* A page of its own, so that its frame number means exactly this variable. */
static volatile char shared_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
/* What the child reports back. It writes these in the parent's memory: that IS the point. */
static volatile unsigned long child_frame;
static volatile double child_exit_ms;

static void one_address_space(void)
{
    strcpy((char *)shared_page, "written by the parent");
    unsigned long parent_frame = frame_of((const void *)shared_page);
    printf("1. Before vfork(), a global page of the parent holds \"%s\"\n"
           "   and sits in frame %#lx.\n",
        shared_page, parent_frame);
    if (parent_frame == 0)
        printf("   (frame numbers read 0: this kernel shows them to root only)\n");
    fflush(stdout); /* the child shares our stdio buffer too: leave it empty */

    struct counters before = read_counters();
    double start = now_ms();
    pid_t pid = vfork();
    if (pid == 0) {
        /* The child, running on the parent's page table. It writes the parent's memory
         * directly: there is no copy-on-write, because nothing was duplicated. */
        child_frame = frame_of((const void *)shared_page);
        strcpy((char *)shared_page, "written by the vfork child");
        /* Dawdle for 200 ms: the parent cannot run meanwhile, as its clock will show. */
        struct timespec pause = { 0, 200 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        child_exit_ms = now_ms();
        _exit(0); /* not exit(): that would flush and close the parent's stdio streams */
    }
    double resumed = now_ms();
    if (pid < 0) {
        perror("vfork");
        exit(1);
    }
    waitpid(pid, NULL, 0);
    struct counters after = read_counters();

    if (child_frame && parent_frame)
        printf("   In the vfork child, the same page was in frame %#lx: %s.\n", child_frame,
            child_frame == parent_frame ? "the same frame" : "a different frame");
    else
        printf("   In the vfork child the page's frame number was hidden too.\n");
    if (before.available && after.available) {
        long copied = after.forks - before.forks, faults = after.cow_copy - before.cow_copy + after.cow_reuse - before.cow_reuse;
        if (copied == 0 && faults == 0)
            printf("   No address space was copied (forks +0) and no copy-on-write fault taken: the\n"
                   "   child used the parent's page table itself, so there was no second table to differ.\n");
        else
            printf("   But the counters say forks +%ld and %ld copy-on-write faults: the child did not\n"
                   "   simply borrow the parent's address space.\n",
                copied, faults);
    }
    double waited = resumed - start, after_exit = resumed - child_exit_ms;
    printf("\n2. vfork() returned %.0f ms after it was called (the child dawdled 200 ms), %.1f ms\n"
           "   after the child's _exit(): %s\n",
        waited, after_exit,
        waited >= 190 && after_exit >= 0 ? "the parent was suspended while the child ran."
                                         : "the parent did NOT wait for the child?!");
    int seen = strcmp((const char *)shared_page, "written by the vfork child") == 0;
    unsigned long frame_now = frame_of((const void *)shared_page);
    printf("   The page now holds \"%s\", in frame %#lx: %s\n", shared_page, frame_now,
        !seen                                        ? "the child's write is NOT there?!"
            : frame_now && frame_now == parent_frame ? "the child's write\n   landed in the parent's own page, uncopied."
                                                     : "the child's write is there.");
}

/* ---------------------------------------------------------------- 3: the cost */

struct cost {
    double ms;
    struct counters before, after;
};

/* CYCLES times: create a child that exits at once, and wait for it. */
static struct cost create_and_reap(pid_t (*create)(void))
{
    struct cost cost;
    cost.before = read_counters();
    double start = now_ms();
    for (int i = 0; i < CYCLES; ++i) {
        pid_t pid = create();
        if (pid == 0)
            _exit(0);
        if (pid < 0) {
            perror("fork/vfork");
            exit(1);
        }
        waitpid(pid, NULL, 0);
    }
    cost.ms = now_ms() - start;
    cost.after = read_counters();
    return cost;
}

/* create_and_reap() must call vfork() directly: a vfork child must not return from the
 * function that called vfork(), so vfork() cannot be hidden behind a wrapper function. */
static struct cost vfork_and_reap(void)
{
    struct cost cost;
    cost.before = read_counters();
    double start = now_ms();
    for (int i = 0; i < CYCLES; ++i) {
        pid_t pid = vfork();
        if (pid == 0)
            _exit(0);
        if (pid < 0) {
            perror("vfork");
            exit(1);
        }
        waitpid(pid, NULL, 0);
    }
    cost.ms = now_ms() - start;
    cost.after = read_counters();
    return cost;
}

#define DELTA(c, field) ((c)->after.field - (c)->before.field)

static void print_cost(const char *name, const struct cost *c)
{
    printf("   %-6s %4d cycles: %8.1f ms, %7.1f us per child", name, CYCLES, c->ms, c->ms * 1000 / CYCLES);
    if (c->before.available && c->after.available)
        printf("\n          address spaces copied +%ld, page tables shared +%ld, copied +%ld,\n"
               "          cow_copy +%ld, cow_reuse +%ld, frames kept %ld\n",
            DELTA(c, forks), DELTA(c, tables_shared), DELTA(c, tables_copied), DELTA(c, cow_copy), DELTA(c, cow_reuse),
            c->before.frames_free - c->after.frames_free);
    else
        printf("\n");
}

/* Frames one fork() takes while its child is alive: the child's page tables, and its pages
 * if the kernel copies them. The child waits on a pipe until the parent has read the count. */
static long frames_for_one_fork(void)
{
    int go[2];
    if (pipe(go))
        return -1;
    struct counters before = read_counters();
    pid_t pid = fork();
    if (pid == 0) {
        char byte;
        ssize_t n = read(go[0], &byte, 1);
        _exit(n == 1 ? 0 : 1);
    }
    struct counters during = read_counters();
    close(go[0]);
    if (write(go[1], "g", 1) != 1)
        perror("write");
    close(go[1]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    if (pid < 0 || !before.available || !during.available)
        return -1;
    return before.frames_free - during.frames_free;
}

static void cost_of_fork_and_vfork(void)
{
    size_t size = (size_t)HEAP_MIB << 20;
    char *heap = malloc(size);
    if (!heap) {
        perror("malloc");
        exit(1);
    }
    for (size_t offset = 0; offset < size; offset += PAGE_SIZE)
        heap[offset] = 1; /* touch every page, so each has a frame and a page-table entry */

    long pages = (long)(size / PAGE_SIZE);
    printf("\n3. The cost. The parent now has a %d MiB heap, every page touched (%ld pages).\n"
           "   Each child exits at once.\n",
        HEAP_MIB, pages);
    fflush(stdout);
    struct cost forked = create_and_reap(fork);
    struct cost vforked = vfork_and_reap();
    long one_fork = frames_for_one_fork();
    print_cost("fork", &forked);
    print_cost("vfork", &vforked);
    if (!forked.before.available) {
        printf("   (counters: not available on this kernel)\n");
    } else {
        long shared = DELTA(&forked, tables_shared), copied = DELTA(&forked, tables_copied);
        if (one_fork >= pages)
            printf("   One fork() took %ld frames while its child lived, more than the heap's %ld pages:\n"
                   "   this kernel copied the pages themselves at fork() (as with fork=copy).\n",
                one_fork, pages);
        else if (one_fork >= 0)
            printf("   One fork() took %ld frames while its child lived, far fewer than the heap's %ld\n"
                   "   pages: fork() copied no pages, only page tables and bookkeeping.\n",
                one_fork, pages);
        if (shared > 0)
            printf("   Nor did it copy every page-table entry: it shared %ld leaf page tables (%ld per fork,\n"
                   "   2 MiB of memory each) with the children; %s (pgtable_copied +%ld).\n",
                shared, shared / CYCLES,
                copied ? "a table was copied only when one side changed it" : "none had to be copied afterwards",
                copied);
        else if (one_fork >= 0 && one_fork < pages)
            printf("   It shared no page tables (pgtable_shared +0): it copied the page-table entries and\n"
                   "   write-protected the pages for copy-on-write.\n");
        if (DELTA(&forked, cow_copy) > 0 || DELTA(&forked, cow_reuse) > 0)
            printf("   fork's copies are the pages the child and the parent wrote while both existed\n"
                   "   (stack, C library data); the reuses are the parent's first writes after each\n"
                   "   child is gone.\n");
        else
            printf("   fork caused no copy-on-write faults: nothing was left shared to fault on.\n");
        if (DELTA(&vforked, forks) == 0 && DELTA(&vforked, cow_copy) == 0 && DELTA(&vforked, cow_reuse) == 0)
            printf("   vfork copied no address space and write-protected nothing: no faults.\n");
        else
            printf("   vfork: address spaces copied +%ld, copy-on-write faults %ld — not a borrowed space?!\n",
                DELTA(&vforked, forks), DELTA(&vforked, cow_copy) + DELTA(&vforked, cow_reuse));
    }
    if (vforked.ms > 0)
        printf("   vfork was %.1f times faster here.\n", forked.ms / vforked.ms);
    free(heap);
}

/* ---------------------------------------------------------------- 4: vfork + exec */

static volatile int exec_errno; /* set by the child only if execve fails */

static void vfork_then_exec(const char *self)
{
    printf("\n4. The intended use: vfork() and, at once, execve(). The child borrows the parent's\n"
           "   memory only for the moment before execve() gives it a fresh address space of its\n"
           "   own. The new program waits 100 ms before it prints and exits.\n");
    fflush(stdout);
    char *const argv[] = { (char *)self, "--after-exec", NULL };
    pid_t pid = vfork();
    if (pid == 0) {
        execve(self, argv, environ);
        exec_errno = 1; /* shared memory: the parent will see this */
        _exit(127);
    }
    /* Has the child exited yet? If not, the parent was let go by the execve itself. */
    int status = 0;
    int child_still_running = pid > 0 && waitpid(pid, &status, WNOHANG) == 0;
    if (child_still_running)
        waitpid(pid, &status, 0); /* let the new program print before we do */
    if (exec_errno)
        printf("   execve(%s) failed\n", self);
    printf("   The parent resumed %s;\n   the exec'd child exited with status %d.\n",
        child_still_running ? "while the child was still running its new program: execve() let it go"
                            : "only after the child had exited",
        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* What the same program does when started by step 4. */
static int after_exec(void)
{
    struct timespec pause = { 0, 100 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    int empty = shared_page[0] == '\0';
    strcpy((char *)shared_page, "written after execve");
    printf("   [pid %d] I am this program again, run by execve() in the vfork child. My address\n"
           "   space is new: the global page started %s, and now sits in frame %#lx.\n",
        (int)getpid(), empty ? "empty" : "NOT empty?!", frame_of((const void *)shared_page));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--after-exec") == 0)
        return after_exec();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("vfork(): the child runs in the parent's address space.\n\n");
    one_address_space();
    cost_of_fork_and_vfork();
    vfork_then_exec("/proc/self/exe");
    return 0;
}
