/* cowdemo — copy-on-write after fork(), watched in the page tables and the kernel's counters.
 *
 * The story of the two figures in the VM notes ("Before / After process 1 modifies page C"):
 * process 1 fills three pages A, B, C and forks process 2. Both now map the SAME three
 * physical frames. When process 1 writes page C, the kernel copies just that page into a new
 * frame for process 1; process 2 keeps the original. A and B stay shared.
 *
 * What we look at:
 *   /proc/self/pagemap (and /proc/<pid>/pagemap): one 8-byte entry per virtual page, in
 *     Linux's format. Bit 63 = present, bits 0-54 = the physical frame number (PFN),
 *     bit 56 = "exclusive": no other process maps this frame.
 *   /proc/vmstat: Pagoda counts every copy-on-write fault: cow_copy (the frame was shared, so
 *     it was copied) and cow_reuse (nobody else held it any more, so it was made writable in
 *     place). The host Linux has no such counters; there the demo shows frames only.
 *
 * The two processes take turns through two pipes, so their lines never interleave. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmstat_field.h"

#define PAGE_SIZE 4096
#define PAGES 3
static const char page_name[PAGES] = { 'A', 'B', 'C' };
enum { A, B, C };

static char *pages; /* the three pages, one anonymous private mapping */

/* ---------------------------------------------------------------- the kernel's counters */

struct counters {
    int available; /* 0 on a kernel without Pagoda's counters */
    long cow_copy, cow_reuse, forks, frames_free;
};

/* Static, so that reading the counters never needs new memory (no faults of its own). */
static char vmstat_text[4096];


static struct counters parse_counters(const char *text)
{
    struct counters c;
    c.cow_copy = vmstat_field(text, "cow_copy");
    c.cow_reuse = vmstat_field(text, "cow_reuse");
    c.forks = vmstat_field(text, "forks");
    c.frames_free = vmstat_field(text, "frames_free");
    c.available = c.cow_copy >= 0 && c.cow_reuse >= 0 && c.frames_free >= 0;
    return c;
}

static struct counters read_counters(void)
{
    memset(vmstat_text, 0, sizeof vmstat_text);
    int fd = open("/proc/vmstat", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, vmstat_text, sizeof vmstat_text - 1);
        (void)n;
        close(fd);
    }
    return parse_counters(vmstat_text);
}

static void print_counters(const struct counters *before, const struct counters *after)
{
    if (!before->available || !after->available) {
        printf("    (counters: not available on this kernel)\n");
        return;
    }
    printf("    counters: cow_copy +%ld, cow_reuse +%ld, frames taken %ld\n", after->cow_copy - before->cow_copy,
        after->cow_reuse - before->cow_reuse, before->frames_free - after->frames_free);
}

/* Every write to a page that is still shared copies it. Before a measurement we therefore
 * write, once, everything the measuring code itself will write (the stack below us and the
 * counters' buffer), so that the only copy counted is the one we are looking for. */
__attribute__((noinline)) static void touch_own_memory(void)
{
    volatile char stack[32 * 1024];
    for (size_t i = 0; i < sizeof stack; i += 512)
        stack[i] = 0;
    memset(vmstat_text, 0, sizeof vmstat_text);
}

/* ---------------------------------------------------------------- the page tables */

struct frame_info {
    int present, exclusive;
    unsigned long frame; /* physical frame number; 0 if the kernel hides it */
};

/* Look up virtual address va in the page table of process pid (0 = ourselves). */
static struct frame_info frame_of(pid_t pid, const void *va)
{
    char path[64];
    if (pid)
        snprintf(path, sizeof path, "/proc/%d/pagemap", (int)pid);
    else
        snprintf(path, sizeof path, "/proc/self/pagemap");
    struct frame_info info = { 0, 0, 0 };
    uint64_t entry = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return info;
    if (pread(fd, &entry, sizeof entry, (off_t)((uintptr_t)va / PAGE_SIZE * sizeof entry)) == sizeof entry) {
        info.present = (entry >> 63) & 1;
        info.exclusive = (entry >> 56) & 1;
        info.frame = entry & ((1ull << 55) - 1);
    }
    close(fd);
    return info;
}

static void frames_of(pid_t pid, struct frame_info out[PAGES])
{
    for (int i = 0; i < PAGES; ++i)
        out[i] = frame_of(pid, pages + i * PAGE_SIZE);
}

static const char *sharing(const struct frame_info *f)
{
    if (!f->present)
        return "not present";
    return f->exclusive ? "this process alone" : "shared";
}

/* One line per page: which frame this process's page table points at. */
static void show_pages(const char *who)
{
    struct frame_info f[PAGES];
    frames_of(0, f);
    for (int i = 0; i < PAGES; ++i)
        printf("    %s  page %c at %p  ->  frame %#7lx   holds \"%s\"  (%s)\n", who, page_name[i],
            (void *)(pages + i * PAGE_SIZE), f[i].frame, pages + i * PAGE_SIZE, sharing(&f[i]));
    if (f[0].present && f[0].frame == 0)
        printf("    (frame numbers read 0: this kernel shows them to root only)\n");
}

/* ---------------------------------------------------------------- what was seen */

/* Every sentence about what the kernel did is chosen by what the demo read just before:
 * the frames in the page tables and, on Pagoda, the counters. */
static struct frame_info original[PAGES]; /* process 1's frames before fork(), inherited by process 2 */

enum comparison { SAME, DIFFERENT, UNKNOWN };

static enum comparison compare(const struct frame_info *a, const struct frame_info *b)
{
    if (!a->present || !b->present || a->frame == 0 || b->frame == 0)
        return UNKNOWN; /* absent, or the kernel hides frame numbers */
    return a->frame == b->frame ? SAME : DIFFERENT;
}

/* How many of the pages compare `how` between two readings. */
static int count(const struct frame_info a[PAGES], const struct frame_info b[PAGES], enum comparison how)
{
    int n = 0;
    for (int i = 0; i < PAGES; ++i)
        n += compare(&a[i], &b[i]) == how;
    return n;
}

/* "A, B and C", "A and B", "C": the names of the pages that compare `how`. */
static const char *names_of(const struct frame_info a[PAGES], const struct frame_info b[PAGES], enum comparison how)
{
    static char text[3][32];
    static int next;
    char *out = text[next++ % 3];
    int n = count(a, b, how), seen = 0;
    out[0] = '\0';
    for (int i = 0; i < PAGES; ++i) {
        if (compare(&a[i], &b[i]) != how)
            continue;
        size_t len = strlen(out);
        snprintf(out + len, 32 - len, "%s%c", seen == 0 ? "" : seen == n - 1 ? " and " : ", ", page_name[i]);
        ++seen;
    }
    return out;
}

/* The notes' figure, drawn with the real frame numbers: process 1 on the left, physical
 * memory in the middle, process 2 on the right. A frame both map gets two arrows; a frame
 * that is not the page's frame from before fork() is marked as the copy. */
static void draw_figure(const char *title, const struct frame_info p1[PAGES], const struct frame_info p2[PAGES])
{
    printf("\n    %s\n\n", title);
    printf("    process 1         physical memory                    process 2\n");
    for (int i = 0; i < PAGES; ++i) {
        char n = page_name[i], left[40], right[40];
        int left_copy = compare(&p1[i], &original[i]) == DIFFERENT, right_copy = compare(&p2[i], &original[i]) == DIFFERENT;
        snprintf(left, sizeof left, left_copy ? "frame %#lx (copy of %c)" : "frame %#lx (%c)", p1[i].frame, n);
        snprintf(right, sizeof right, right_copy ? "frame %#lx (copy of %c)" : "frame %#lx (%c)", p2[i].frame, n);
        if (p1[i].frame == p2[i].frame) {
            printf("    page %c ──────▶  %-26s ◀────── page %c\n", n, left, n);
        } else {
            printf("                    %-26s ◀────── page %c\n", right, n);
            printf("    page %c ──────▶  %s\n", n, left);
        }
    }
    printf("\n");
}

/* ---------------------------------------------------------------- taking turns */

/* Process 2 sleeps in read() until process 1 writes a byte, and the other way round. Output
 * is flushed before every hand-over, so the two processes' lines never mix. */
static int to_child[2], to_parent[2];

static void hand_over(int fd)
{
    fflush(stdout);
    if (write(fd, "g", 1) != 1)
        _exit(3);
}

static void wait_turn(int fd)
{
    char byte;
    if (read(fd, &byte, 1) != 1)
        _exit(3);
}

/* fork(), plus a reading of the counters taken before either process writes to its memory.
 *
 * Why not simply fork() and then read_counters()? From the moment fork returns, EVERY write
 * either process makes to a private page copies that page, and ordinary C code writes all the
 * time: a function call pushes its return address on the stack, the C library updates its own
 * variables. Those copies would be counted too, and we want to see what fork() itself copies.
 * So this is the bare fork system call followed, in the same few instructions and without a
 * single store to user memory, by open/read/close of /proc/vmstat (Pagoda makes the text at
 * open()) in process 1, and by read() of the "go" pipe in process 2, which therefore sleeps
 * before it can write anything. Afterwards both continue in C, exactly as after fork(). */
static pid_t fork_and_read_counters(struct counters *after_fork)
{
    static const char path[] = "/proc/vmstat";
    char *text = vmstat_text;
    memset(vmstat_text, 0, sizeof vmstat_text);
    fflush(stdout); /* or both processes would print what is still buffered */
    long pid;
    asm volatile("    mov $57, %%eax\n"     /* fork() */
                 "    syscall\n"
                 "    mov %%rax, %[pid]\n"
                 "    test %%rax, %%rax\n"
                 "    jz 2f\n"              /* 0: we are process 2 */
                 "    js 3f\n"              /* < 0: fork failed */
                 "    mov $2, %%eax\n"      /* process 1: fd = open(path, O_RDONLY) */
                 "    mov %[path], %%rdi\n"
                 "    xor %%esi, %%esi\n"
                 "    xor %%edx, %%edx\n"
                 "    syscall\n"
                 "    test %%rax, %%rax\n"
                 "    js 3f\n"
                 "    mov %%rax, %%rdi\n"   /* read(fd, text, size) */
                 "    mov %[text], %%rsi\n"
                 "    mov %[size], %%rdx\n"
                 "    xor %%eax, %%eax\n"
                 "    syscall\n"
                 "    mov $3, %%eax\n"      /* close(fd): rdi still holds fd */
                 "    syscall\n"
                 "    jmp 3f\n"
                 "2:  xor %%eax, %%eax\n"   /* process 2: read(to_child[0], text, 1) */
                 "    mov %[go], %%edi\n"
                 "    mov %[text], %%rsi\n"
                 "    mov $1, %%edx\n"
                 "    syscall\n"
                 "3:\n"
                 : [pid] "=&r"(pid)
                 : [path] "r"(path), [text] "r"(text), [size] "r"(sizeof vmstat_text - 1), [go] "r"(to_child[0])
                 : "rax", "rcx", "r11", "rdi", "rsi", "rdx", "memory", "cc");
    if (pid > 0)
        *after_fork = parse_counters(vmstat_text);
    return (pid_t)pid;
}

/* ---------------------------------------------------------------- the story */

static void process_2(void)
{
    /* Process 1 has just let us run (the "go" byte woke the read in fork_and_read_counters). */
    struct frame_info mine[PAGES];
    frames_of(0, mine);
    printf("Step 3. Process 2 looks at its own page table:\n");
    show_pages("process 2");
    int same = count(mine, original, SAME), different = count(mine, original, DIFFERENT);
    if (same == PAGES)
        printf("        Its pages A, B, C point at the very same frames as process 1's: fork() gave it\n"
               "        a copy of the page TABLE, not of the pages. Nothing has been copied.\n");
    else if (different == PAGES)
        printf("        Its pages A, B, C point at frames of their own, not at process 1's: this kernel\n"
               "        copied every page at fork() (an eager, \"traditional\" fork, as with fork=copy).\n");
    else if (same + different == PAGES)
        printf("        Pages %s point at process 1's frames, pages %s at frames of their own:\n"
               "        fork() copied some pages and shared the others.\n",
            names_of(mine, original, SAME), names_of(mine, original, DIFFERENT));
    else
        printf("        (frame numbers are hidden, so whether fork() copied the pages cannot be seen)\n");
    touch_own_memory(); /* process 2's own stack copies happen now, not during step 4 */
    hand_over(to_parent[1]);

    wait_turn(to_child[0]);
    frames_of(0, mine);
    printf("Step 5. Process 2 looks again:\n");
    show_pages("process 2");
    int intact = strcmp(pages + C * PAGE_SIZE, "page C") == 0;
    enum comparison c = compare(&mine[C], &original[C]);
    printf("        Its page C %s and holds \"%s\":\n        %s\n",
        c == SAME        ? "still points at the frame C had before fork()"
            : c == DIFFERENT ? "points at a frame of its own"
                             : "(its frame number is hidden)",
        pages + C * PAGE_SIZE,
        intact ? "process 1's write did not reach process 2." : "process 1's write reached it?!");
    if (mine[C].present && mine[C].exclusive)
        printf("        No other process maps that frame now (\"this process alone\").\n");
    printf("        Process 2 exits now.\n");
    fflush(stdout);
    _exit(0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* each line out as soon as it is printed */
    printf("Copy-on-write: what fork() shares, and what a write copies.\n\n");

    /* Step 1: three pages, each written, so that each has a physical frame. */
    pages = mmap(NULL, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (int i = 0; i < PAGES; ++i)
        snprintf(pages + i * PAGE_SIZE, PAGE_SIZE, "page %c", page_name[i]);
    printf("Step 1. Process 1 maps 3 pages and writes into each; the first write to a page gives\n"
           "        it a frame of physical memory:\n");
    show_pages("process 1");
    frames_of(0, original);

    if (pipe(to_child) || pipe(to_parent)) {
        perror("pipe");
        return 1;
    }

    /* Step 2: fork. */
    printf("\nStep 2. Process 1 calls fork().\n");
    touch_own_memory();
    struct counters before_fork = read_counters(), after_fork = { 0, 0, 0, 0, 0 };
    pid_t child = fork_and_read_counters(&after_fork);
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0)
        process_2();

    long fork_copies = after_fork.cow_copy - before_fork.cow_copy,
         fork_frames = before_fork.frames_free - after_fork.frames_free;
    if (after_fork.available)
        printf("    counters for fork(): forks +%ld, cow_copy +%ld, frames taken %ld\n",
            after_fork.forks - before_fork.forks, fork_copies, fork_frames);
    else
        printf("    (counters: not available on this kernel)\n");
    struct frame_info p1_after_fork[PAGES];
    frames_of(0, p1_after_fork);
    show_pages("process 1");
    int now_shared = 0;
    for (int i = 0; i < PAGES; ++i)
        now_shared += p1_after_fork[i].present && !p1_after_fork[i].exclusive;
    if (now_shared == PAGES)
        printf("    Process 1's pages kept their frames, and each frame is now mapped by another\n"
               "    process as well (\"shared\"): fork() shared them instead of copying them.\n");
    else if (now_shared == 0)
        printf("    Process 1's pages are still its alone: no other process maps their frames, so\n"
               "    fork() did not share them. It must have given process 2 copies.\n");
    else
        printf("    %d of the 3 pages are now shared with another process.\n", now_shared);
    printf("\n");
    hand_over(to_child[1]);
    wait_turn(to_parent[0]);

    struct frame_info p1_before[PAGES], p2_before[PAGES];
    frames_of(0, p1_before);
    frames_of(child, p2_before);
    int copied_at_fork = count(p2_before, original, DIFFERENT);
    draw_figure("Before process 1 modifies page C", p1_before, p2_before);

    /* Step 4: the write. Process 2 is asleep in read(), so every count below is ours. */
    printf("Step 4. Process 1 writes page C.\n");
    touch_own_memory();
    struct counters before_write = read_counters();
    pages[C * PAGE_SIZE + 5] = 'c'; /* "page C" becomes "page c" */
    struct counters after_write = read_counters();
    print_counters(&before_write, &after_write);
    struct frame_info p1_after[PAGES], p2_after[PAGES];
    frames_of(0, p1_after);
    frames_of(child, p2_after);
    show_pages("process 1");
    long write_copies = after_write.cow_copy - before_write.cow_copy;
    long write_reuses = after_write.cow_reuse - before_write.cow_reuse;
    enum comparison c_moved = compare(&p1_after[C], &p1_before[C]);
    if (c_moved == DIFFERENT)
        printf("        Page C now points at a new frame%s: the page was shared, so the\n"
               "        write faulted and the kernel copied it for process 1 alone.\n",
            after_write.available ? (write_copies == 1 ? " (cow_copy +1)" : " (but cow_copy did not count one?!)") : "");
    else if (c_moved == SAME && after_write.available && write_copies == 0 && write_reuses == 0)
        printf("        Page C kept its frame and no copy-on-write fault was counted: the page was\n"
               "        process 1's own already, so the write simply went into it.\n");
    else if (c_moved == SAME)
        printf("        Page C kept its frame%s.\n", after_write.available && write_reuses ? " (a reuse: nobody else held it)" : "");
    else
        printf("        (frame numbers are hidden: whether the write copied page C cannot be seen)\n");
    int ab_shared = compare(&p1_after[A], &p2_after[A]) == SAME && compare(&p1_after[B], &p2_after[B]) == SAME;
    int ab_apart = compare(&p1_after[A], &p2_after[A]) == DIFFERENT && compare(&p1_after[B], &p2_after[B]) == DIFFERENT;
    if (ab_shared)
        printf("        A and B are still shared: only the page that was written was copied.\n");
    else if (ab_apart)
        printf("        A and B were never shared: each process has its own frames for them.\n");
    draw_figure("After process 1 modifies page C", p1_after, p2_after);
    hand_over(to_child[1]);

    int status;
    waitpid(child, &status, 0);
    printf("\n");

    /* Step 6: after process 2 is gone, page A may still be marked copy-on-write in process 1. */
    printf("Step 6. Process 2 has exited, so process 1 is the only one mapping page A's frame.\n"
           "        Process 1 writes page A.\n");
    struct frame_info a_before = frame_of(0, pages + A * PAGE_SIZE);
    touch_own_memory();
    struct counters before_reuse = read_counters();
    pages[A * PAGE_SIZE + 5] = 'a';
    struct counters after_reuse = read_counters();
    struct frame_info a_after = frame_of(0, pages + A * PAGE_SIZE);
    print_counters(&before_reuse, &after_reuse);
    printf("    page A: frame %#lx before the write, frame %#lx after it (%s)\n", a_before.frame, a_after.frame,
        compare(&a_before, &a_after) == SAME ? "the same frame"
            : compare(&a_before, &a_after) == DIFFERENT ? "a different frame"
                                                        : "hidden");
    long reuses = after_reuse.cow_reuse - before_reuse.cow_reuse, late_copies = after_reuse.cow_copy - before_reuse.cow_copy;
    if (after_reuse.available && reuses == 1 && compare(&a_before, &a_after) != DIFFERENT)
        printf("    The page was still read-only (copy-on-write), so the write faulted; the kernel saw\n"
               "    that nobody else holds the frame and made the page writable in place: a \"reuse\".\n"
               "    Copying would only have wasted a frame.\n");
    else if (after_reuse.available && reuses == 0 && late_copies == 0)
        printf("    No copy-on-write fault at all: the page was writable already, process 1's own.\n");
    else if (after_reuse.available)
        printf("    cow_reuse +%ld, cow_copy +%ld: not the single reuse a copy-on-write kernel makes here.\n", reuses,
            late_copies);
    show_pages("process 1");

    /* In short: what this run showed, not what it was meant to show. */
    printf("\nIn short: ");
    if (copied_at_fork == 0 && count(p2_before, original, SAME) == PAGES)
        printf("fork() copied no pages");
    else if (copied_at_fork == PAGES)
        printf("fork() copied all %d pages", PAGES);
    else if (copied_at_fork > 0)
        printf("fork() copied %d of %d pages", copied_at_fork, PAGES);
    else
        printf("whether fork() copied pages could not be seen");
    if (!after_write.available)
        printf("; the counters were not available, so only frames were shown.\n");
    else
        printf(";\nthe write to page C copied %ld page%s; the write to page A, after process 2 had gone,\n"
               "reused %ld page%s in place.\n",
            write_copies, write_copies == 1 ? "" : "s", reuses, reuses == 1 ? "" : "s");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
