/* mmapdemo — memory-mapped files, told step by step with the kernel's own evidence.
 *
 *   mmapdemo [DIR]      DIR: a directory on a real disk (default /mnt, where Pagoda mounts
 *                       the image given with `tools/pagoda-run --disk IMG`)
 *
 * Two processes map one file, DIR/mmapdemo.txt, with MAP_SHARED and take turns (pipes keep
 * the story in order). For every step the demo shows what each process sees, which physical
 * frame its page table points at (/proc/self/pagemap) and what the kernel counted in
 * /proc/vmstat (Pagoda's file_fault, pgmajfault = pages read from disk, nr_dirty,
 * nr_written = pages written back, file_cow). It follows the notes, "MEMORY MAPPED FILES":
 *   1. the first access to the mapped page is a page fault that reads the page from disk;
 *   2. the second process's access finds the page in the page cache: same frame, no read;
 *   3. a store by one process is seen by the other at once, and marks the page dirty;
 *   4. write() shows in the mapping, and a store in the mapping shows in read();
 *   5. the disk is updated by msync(MS_SYNC), 6. by the flusher thread, ...
 *   7. MAP_PRIVATE gives a process its own copy on its first write; the file stays as it was;
 *   8. ... and by close() + munmap().
 * Boot with `--append 'flush_interval=1 dirty_age=1'` to see the flusher within seconds.
 * The demo puts the file's original text back at the end, so it can be run again; after a
 * reboot with the same image, step 1 reads the page from the disk. On Linux it runs too:
 * frames are real as root (zeros otherwise), and Pagoda's counters are "not available". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmstat_field.h"

#define PAGE_SIZE 4096
#define FILE_NAME "mmapdemo.txt"

/* The file's original content: one page, the text below and then zeros. The demo's stores go
 * to the lines that follow it. */
static const char original_text[] = "Hello! I am page 0 of mmapdemo.txt, read from the disk.\n";
#define LINE(n) (64 * (n)) /* the demo writes "line" n at this offset */

/* ---------------------------------------------------------------- the kernel's counters */

struct counters {
    int available; /* 0 on a kernel without Pagoda's counters (Linux) */
    long file_fault, pgmajfault, nr_dirty, nr_written, file_cow, pgfault;
};

/* Static, so that reading the counters needs no new memory (no faults of its own). */
static char vmstat_text[4096];


__attribute__((noinline)) static struct counters read_counters(void)
{
    memset(vmstat_text, 0, sizeof vmstat_text);
    int fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, vmstat_text, sizeof vmstat_text - 1);
        (void)n;
        close(fd);
    }
    struct counters c;
    c.file_fault = vmstat_field(vmstat_text, "file_fault");
    c.pgmajfault = vmstat_field(vmstat_text, "pgmajfault");
    c.nr_dirty = vmstat_field(vmstat_text, "nr_dirty");
    c.nr_written = vmstat_field(vmstat_text, "nr_written");
    c.file_cow = vmstat_field(vmstat_text, "file_cow");
    c.pgfault = vmstat_field(vmstat_text, "pgfault");
    /* file_fault and file_cow are Pagoda's own: Linux's pgmajfault/nr_dirty/nr_written count
     * the whole machine and would not tell this demo's story. */
    c.available = c.file_fault >= 0 && c.file_cow >= 0 && c.nr_dirty >= 0 && c.nr_written >= 0;
    return c;
}

#define DELTA(field_name) (after->field_name - before->field_name)

static int counters_missing(const struct counters *before, const struct counters *after)
{
    if (before->available && after->available)
        return 0;
    printf("    (counters: not available on this kernel)\n");
    return 1;
}

static void print_fault_counters(const struct counters *before, const struct counters *after)
{
    if (counters_missing(before, after))
        return;
    printf("    counters: page faults +%ld, file_fault +%ld, pgmajfault +%ld (pages read from disk)\n", DELTA(pgfault),
        DELTA(file_fault), DELTA(pgmajfault));
}

static void print_dirty_counters(const struct counters *before, const struct counters *after)
{
    if (counters_missing(before, after))
        return;
    printf("    counters: nr_dirty %+ld (now %ld), nr_written +%ld (pages written to disk)\n", DELTA(nr_dirty),
        after->nr_dirty, DELTA(nr_written));
}

/* Write, once, everything the measuring code itself will write (stack, buffers), and run its
 * code once, so that the only faults counted are the ones we are looking for. */
__attribute__((noinline)) static void warm_up(void)
{
    volatile char stack[32 * 1024];
    for (size_t i = 0; i < sizeof stack; i += 512)
        stack[i] = 0;
    (void)read_counters();
}

/* ---------------------------------------------------------------- the page tables */

/* The physical frame behind virtual address va in this process (0 if not present or if the
 * kernel hides frame numbers, as Linux does from non-root users). */
static unsigned long frame_of(const void *va, int *present)
{
    uint64_t entry = 0;
    *present = 0;
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    if (pread(fd, &entry, sizeof entry, (off_t)((uintptr_t)va / PAGE_SIZE * sizeof entry)) == sizeof entry)
        *present = (int)((entry >> 63) & 1);
    close(fd);
    return (unsigned long)(entry & ((1ull << 55) - 1));
}

static unsigned long show_frame(const char *who, const char *what, const void *va)
{
    int present;
    unsigned long frame = frame_of(va, &present);
    if (!present)
        printf("    %s: %s at %p is not in the page table (no frame yet)\n", who, what, va);
    else if (frame == 0)
        printf("    %s: %s at %p -> frame (hidden: this kernel shows frame numbers to root only)\n", who, what, va);
    else
        printf("    %s: %s at %p -> physical frame %#lx\n", who, what, va, frame);
    return frame;
}

static void compare_frames(unsigned long mine, unsigned long other, const char *same, const char *different)
{
    if (mine == 0 || other == 0)
        printf("    (cannot compare frames: their numbers are hidden)\n");
    else
        printf("    %s\n", mine == other ? same : different);
}

/* The text of "line" n of a mapping or buffer, or "(empty)". */
static const char *line_text(const char *page, int n)
{
    static char out[80];
    snprintf(out, sizeof out, "%.63s", page + LINE(n));
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = '\0';
    return out[0] ? out : "(empty)";
}

/* ---------------------------------------------------------------- taking turns */

/* The process not on stage sleeps in read() on its pipe. A turn hands over one number (a
 * frame, so the other process can compare). Output is flushed first so lines never mix. */
static int to_child[2], to_parent[2];

static void hand_over(int fd, unsigned long value)
{
    fflush(stdout);
    if (write(fd, &value, sizeof value) != sizeof value)
        _exit(3);
}

static unsigned long wait_turn(int fd)
{
    unsigned long value;
    if (read(fd, &value, sizeof value) != sizeof value)
        _exit(3);
    return value;
}

static void die(const char *what)
{
    printf("mmapdemo: %s: %s\n", what, strerror(errno));
    fflush(stdout);
    _exit(1);
}

static char path[512];

static char *map_file(int fd, int flags)
{
    char *p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p == MAP_FAILED)
        die("mmap");
    return p;
}

/* ---------------------------------------------------------------- process 2 */

/* What process 2 saw in step 7, handed back to process 1 for the summary. */
enum { PRIVATE_COPIED = 1, PRIVATE_KEPT_FROM_FILE = 2, STORE_SEEN = 4 };

/* Is line n of `page` exactly `text` (up to its newline)? */
static int line_is(const char *page, int n, const char *text) { return strncmp(page + LINE(n), text, strlen(text)) == 0; }

static void process_2(void)
{
    struct counters before, after;
    unsigned long frame_p1 = wait_turn(to_child[0]);

    printf("\nStep 2. Process 2 opens the same file, maps it MAP_SHARED too and reads it.\n");
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        die("open");
    char *shared = map_file(fd, MAP_SHARED);
    warm_up();
    before = read_counters();
    volatile char first = shared[0];
    after = read_counters();
    (void)first;
    printf("    Process 2 sees: \"%s\"\n", line_text(shared, 0));
    print_fault_counters(&before, &after);
    if (before.available && after.available) {
        if (after.file_fault > before.file_fault && after.pgmajfault == before.pgmajfault)
            printf("    Again a page fault (process 2's page table had no entry), but no disk read:\n"
                   "    the kernel found the page in the page cache and only pointed process 2's page\n"
                   "    table at the frame that is already there.\n");
        else if (after.pgmajfault > before.pgmajfault)
            printf("    The fault read the page from the disk again: it was not kept in the page cache.\n");
        else
            printf("    No file fault was counted for this first read.\n");
    }
    unsigned long frame = show_frame("process 2", "its page", shared);
    compare_frames(frame, frame_p1, "Process 1 and process 2 use the SAME physical frame: one copy of the page, two mappings.",
        "The frames differ: the two processes do not share the page!");
    hand_over(to_parent[1], frame);

    wait_turn(to_child[0]);
    printf("\nStep 4. Process 2 reads line 1 of its mapping, without any system call:\n");
    warm_up();
    before = read_counters();
    static char seen[64];
    memcpy(seen, (const char *)shared + LINE(1), sizeof seen);
    after = read_counters();
    printf("    Process 2 sees: \"%s\"\n", line_text(shared, 1));
    int store_seen = strncmp(seen, "Line 1, stored into the mapping by process 1.", 45) == 0;
    if (!store_seen)
        printf("    That is NOT process 1's store: the two mappings do not share the page!\n");
    else if (!counters_missing(&before, &after))
        printf("    counters: page faults +%ld: %s\n", after.pgfault - before.pgfault,
            after.pgfault == before.pgfault ? "process 1's store is simply there, in the frame both share."
                                            : "process 1's store is there, after a fault.");
    else
        printf("    Process 1's store is there, in the page both map.\n");
    static const char by_write[] = "Line 2, put there by process 2 with write().\n";
    printf("    Now process 2 uses the old way, pwrite() on its descriptor, for line 2.\n");
    if (pwrite(fd, by_write, sizeof by_write - 1, LINE(2)) != (ssize_t)(sizeof by_write - 1))
        die("pwrite");
    hand_over(to_parent[1], 0);

    wait_turn(to_child[0]);
    printf("\nStep 5b. Process 2 reads line 3 with pread(), a system call that copies from the\n"
           "         page cache:\n");
    char buffer[64] = { 0 };
    if (pread(fd, buffer, sizeof buffer - 1, LINE(3)) < 0)
        die("pread");
    char *nl = strchr(buffer, '\n');
    if (nl)
        *nl = '\0';
    printf("    Process 2 reads: \"%s\"\n", buffer[0] ? buffer : "(empty)");
    if (strcmp(buffer, "Line 3, stored by process 1, read by process 2 with read().") == 0)
        printf("    That is process 1's store: read() and the mapping are two doors into the same\n"
               "    page-cache page.\n");
    else
        printf("    That is NOT what process 1 stored into its mapping: read() does not see it!\n");
    hand_over(to_parent[1], 0);

    wait_turn(to_child[0]);
    printf("\nStep 7. Process 2 maps the file a second time, now MAP_PRIVATE, and reads it.\n");
    char *private_map = map_file(fd, MAP_PRIVATE);
    volatile char c = private_map[0];
    (void)c;
    unsigned long shared_frame = show_frame("process 2", "MAP_SHARED page ", shared);
    unsigned long private_frame = show_frame("process 2", "MAP_PRIVATE page", private_map);
    compare_frames(private_frame, shared_frame,
        "Only read so far, the private mapping uses the page-cache frame as well.",
        "The private page already has a frame of its own.");
    printf("    Process 2 writes line 4 of its PRIVATE mapping.\n");
    static const char private_note[] = "Line 4, a private note of process 2.\n";
    warm_up();
    before = read_counters();
    memcpy(private_map + LINE(4), private_note, sizeof private_note - 1);
    after = read_counters();
    unsigned long seen_flags = store_seen ? STORE_SEEN : 0;
    if (!counters_missing(&before, &after)) {
        long copies = after.file_cow - before.file_cow, dirtied = after.nr_dirty - before.nr_dirty;
        printf("    counters: file_cow +%ld, nr_dirty %+ld\n", copies, dirtied);
        if (copies == 1)
            printf("    The page was read-only in process 2's page table, so the store faulted and the\n"
                   "    kernel copied the page into a new frame for process 2 alone (copy-on-write).\n");
        if (dirtied == 0)
            printf("    No page-cache page became dirty: a private copy is never written to the file.\n");
        if (copies == 1)
            seen_flags |= PRIVATE_COPIED;
    }
    unsigned long copy_frame = show_frame("process 2", "MAP_PRIVATE page", private_map);
    compare_frames(copy_frame, shared_frame, "The same frame as the shared page: the copy did not happen!",
        "A different frame now: process 2's private copy.");
    if (copy_frame && shared_frame && copy_frame != shared_frame)
        seen_flags |= PRIVATE_COPIED;
    printf("    Process 2 sees line 4 as \"%s\" in its private mapping,\n", line_text(private_map, 4));
    printf("    but as \"%s\" in its shared mapping", line_text(shared, 4));
    memset(buffer, 0, sizeof buffer);
    if (pread(fd, buffer, sizeof buffer - 1, LINE(4)) < 0)
        die("pread");
    printf(" and %s in the file (pread).\n", buffer[0] ? "NOT EMPTY" : "empty");
    if (!buffer[0] && !shared[LINE(4)] && line_is(private_map, 4, "Line 4, a private note"))
        seen_flags |= PRIVATE_KEPT_FROM_FILE;
    munmap(private_map, PAGE_SIZE);
    printf("    Process 2 unmaps the private copy and exits.\n");
    hand_over(to_parent[1], seen_flags);
    /* The shared mapping goes with the exit: if its page is still dirty, the exit writes it
     * back, as munmap does. */
    _exit(0);
}

/* ---------------------------------------------------------------- process 1 */

/* If the page was already in memory, show a real read from the disk on another file: the last
 * page of this very program, which the program loader never needed. */
static int show_a_disk_read(void)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 2 * PAGE_SIZE) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    off_t last = (st.st_size - 1) / PAGE_SIZE * PAGE_SIZE;
    char *p = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE, fd, last);
    close(fd);
    if (p == MAP_FAILED)
        return 0;
    warm_up();
    struct counters before = read_counters();
    volatile char c = p[0];
    struct counters after = read_counters();
    (void)c;
    printf("    To see a real read from the disk, process 1 maps a page nobody has used yet: the\n"
           "    last page of its own program file (/proc/self/exe, offset %ld), and reads it.\n",
        (long)last);
    print_fault_counters(&before, &after);
    int read_from_disk = before.available && after.available && after.pgmajfault > before.pgmajfault;
    if (read_from_disk)
        printf("    That page was on the disk only: the fault had to read it (pgmajfault +%ld).\n",
            after.pgmajfault - before.pgmajfault);
    else if (before.available && after.available)
        printf("    No disk read for it either (pgmajfault +0): that page was in memory already.\n");
    munmap(p, PAGE_SIZE);
    return read_from_disk;
}

/* Boot options flush_interval=S and dirty_age=S from /proc/cmdline (defaults 5 and 30). */
static void flusher_settings(long *interval, long *age)
{
    *interval = 5;
    *age = 30;
    char line[1024] = { 0 };
    int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, line, sizeof line - 1);
    close(fd);
    if (n <= 0)
        return;
    const char *s = strstr(line, "flush_interval=");
    if (s)
        *interval = atol(s + 15) > 0 ? atol(s + 15) : 1;
    s = strstr(line, "dirty_age=");
    if (s)
        *age = atol(s + 10);
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Returns 1 if the flusher was seen writing, 0 if not, -1 if the demo did not wait. */
static int wait_for_flusher(void)
{
    long interval, age;
    flusher_settings(&interval, &age);
    long limit = interval + age + 2;
    struct counters start = read_counters();
    if (!start.available) {
        printf("    (counters: not available on this kernel, so there is nothing to watch; Linux's\n"
               "    flusher writes dirty pages after about 30 s, /proc/sys/vm/dirty_expire_centisecs)\n");
        return -1;
    }
    if (limit > 12) {
        printf("    The flusher wakes every %ld s and writes pages dirty for %ld s or more, so this\n"
               "    could take %ld s; the demo does not wait that long. Boot with\n"
               "    --append 'flush_interval=1 dirty_age=1' to watch it happen.\n",
            interval, age, interval + age);
        return -1;
    }
    printf("    The flusher wakes every %ld s and writes pages dirty for %ld s or more.\n"
           "    Waiting for the flusher...\n",
        interval, age);
    fflush(stdout);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct counters now = start;
    while (seconds_since(&t0) < (double)limit) {
        struct timespec tick = { 0, 100 * 1000 * 1000 };
        nanosleep(&tick, NULL);
        now = read_counters();
        if (now.nr_written > start.nr_written)
            break;
    }
    if (now.nr_written > start.nr_written)
        printf("    After about %.0f s: nr_written +%ld, nr_dirty %+ld. Nobody called msync(): the kernel's\n"
               "    flusher thread wrote the page to the disk by itself.\n",
            seconds_since(&t0), now.nr_written - start.nr_written, now.nr_dirty - start.nr_dirty);
    else
        printf("    The flusher did not write the page within %ld s (nr_written +0).\n", limit);
    return now.nr_written > start.nr_written;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *dir = argc > 1 ? argv[1] : "/mnt";
    snprintf(path, sizeof path, "%s/%s", dir, FILE_NAME);
    printf("Memory-mapped files: two processes, one file, one page of memory.\n\n");

    /* Step 0: the file. Made with write() if it is not there yet. */
    struct stat st;
    int made = 0;
    if (stat(path, &st) != 0 || st.st_size != PAGE_SIZE) {
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            die(path);
        static char page[PAGE_SIZE];
        memcpy(page, original_text, sizeof original_text - 1);
        if (write(fd, page, sizeof page) != (ssize_t)sizeof page || fsync(fd) != 0)
            die("write");
        close(fd);
        made = 1;
    }
    printf("Step 0. The file %s (%d bytes) %s.\n", path, PAGE_SIZE,
        made ? "did not exist: process 1 made it with write() and fsync()" : "is already on the disk");

    if (pipe(to_child) || pipe(to_parent))
        die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0)
        process_2();

    struct counters before, after;
    /* What this run showed, for the summary at the end. */
    int disk_read = 0, shared_frame = 0, dirtied = 0, msync_wrote = 0, flusher_wrote = -1, munmap_wrote = 0;
    unsigned long child_saw = 0;

    printf("\nStep 1. Process 1 opens the file and maps it: mmap(MAP_SHARED).\n");
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        die("open");
    char *shared = map_file(fd, MAP_SHARED);
    int present;
    frame_of(shared, &present);
    show_frame("process 1", "its page", shared);
    if (!present)
        printf("        So mmap() read nothing: the kernel only noted which file backs this range.\n");
    printf("        Process 1 reads the first byte.\n");
    warm_up();
    before = read_counters();
    volatile char first = shared[0];
    after = read_counters();
    (void)first;
    printf("    Process 1 sees: \"%s\"\n", line_text(shared, 0));
    print_fault_counters(&before, &after);
    if (before.available && after.available && after.file_fault > before.file_fault)
        printf("    That was a page fault: the kernel looked the page up in the page cache, read it\n"
               "    from the disk if it was not there, and mapped it.\n");
    if (before.available && after.available && after.pgmajfault == before.pgmajfault) {
        printf("    No disk read this time: the page was still in the page cache, because the file\n"
               "    was %s. (Boot again with the same disk image and\n"
               "    run the demo: then this first touch reads the page from the disk.)\n",
            made ? "written with write() a moment ago" : "used earlier since this boot");
        disk_read = show_a_disk_read();
    } else if (before.available && after.available) {
        printf("    The page came from the disk: one page-sized piece of the file, read into a frame.\n");
        disk_read = 1;
    }
    unsigned long frame_p1 = show_frame("process 1", "its page", shared);
    hand_over(to_child[1], frame_p1);
    unsigned long frame_p2 = wait_turn(to_parent[0]);
    shared_frame = frame_p1 && frame_p1 == frame_p2;

    printf("\nStep 3. Process 1 stores a line into its mapping, an ordinary memory write:\n");
    static const char p1_line[] = "Line 1, stored into the mapping by process 1.\n";
    warm_up();
    before = read_counters();
    memcpy(shared + LINE(1), p1_line, sizeof p1_line - 1);
    after = read_counters();
    print_dirty_counters(&before, &after);
    if (before.available && after.available) {
        dirtied = after.nr_dirty > before.nr_dirty;
        if (dirtied && after.nr_written == before.nr_written)
            printf("    The page is now DIRTY: the copy in memory is newer than the one on the disk.\n"
                   "    Nothing has been written to the disk yet.\n");
        else if (!dirtied)
            printf("    No page became dirty (nr_dirty +0): the kernel did not notice the store yet.\n");
    }
    hand_over(to_child[1], 0);
    wait_turn(to_parent[0]);

    printf("\nStep 5. Process 1 looks at line 2 of its mapping:\n");
    printf("    Process 1 sees: \"%s\"\n", line_text(shared, 2));
    if (line_is(shared, 2, "Line 2, put there by process 2 with write()."))
        printf("    write() copied into the page-cache page, and that page IS the mapping.\n");
    else
        printf("    That is NOT what process 2 wrote with pwrite(): the mapping does not see write()s!\n");
    printf("        The other way round: process 1 stores line 3 into the mapping.\n");
    static const char p1_line3[] = "Line 3, stored by process 1, read by process 2 with read().\n";
    memcpy(shared + LINE(3), p1_line3, sizeof p1_line3 - 1);
    hand_over(to_child[1], 0);
    wait_turn(to_parent[0]);

    printf("\nStep 6. When does the disk get the new data?\n");
    printf("  a) Process 1 calls msync(MS_SYNC): write the dirty pages of this range now, and wait.\n");
    warm_up();
    before = read_counters();
    int r = msync(shared, PAGE_SIZE, MS_SYNC);
    after = read_counters();
    printf("    msync returned %d.\n", r);
    print_dirty_counters(&before, &after);
    if (before.available && after.available && after.nr_written > before.nr_written) {
        msync_wrote = 1;
        printf("    The page went to the disk%s.\n",
            after.nr_dirty < before.nr_dirty ? " and is clean again" : ", but nr_dirty did not drop?!");
    } else if (before.available && after.available) {
        printf("    Nothing was written (nr_written +0).\n");
    }
    printf("  b) Process 1 stores into line 5, and calls nothing.\n");
    static const char p1_line5[] = "Line 5, stored by process 1 and left to the flusher.\n";
    warm_up();
    before = read_counters();
    memcpy(shared + LINE(5), p1_line5, sizeof p1_line5 - 1);
    after = read_counters();
    print_dirty_counters(&before, &after);
    if (before.available && after.available) {
        long faults = after.pgfault - before.pgfault;
        if (faults > 0 && after.nr_dirty > before.nr_dirty)
            printf("    The store faulted (page faults +%ld): msync had made the page read-only again in\n"
                   "    the page table, so that the kernel sees the next store and marks the page dirty.\n",
                faults);
        else if (after.nr_dirty > before.nr_dirty)
            printf("    The page is dirty again, without a page fault.\n");
    }
    flusher_wrote = wait_for_flusher();
    hand_over(to_child[1], 0);
    child_saw = wait_turn(to_parent[0]);

    int status = 0;
    waitpid(child, &status, 0);
    printf("\nStep 8. Back in process 1, line 4 of the shared mapping reads \"%s\":\n", line_text(shared, 4));
    if (!shared[LINE(4)])
        printf("    process 2's private write never reached the file or process 1.\n");
    else
        printf("    process 2's private write reached the shared page?!\n");

    printf("\nStep 9. The last way to the disk: close and munmap. Process 1 puts the file's original\n"
           "        text back (clears lines 1-5) through the mapping.\n");
    warm_up();
    before = read_counters();
    memset(shared + LINE(1), 0, LINE(6) - LINE(1));
    after = read_counters();
    print_dirty_counters(&before, &after);
    before = after;
    close(fd);
    after = read_counters();
    int still_reads = line_is(shared, 0, "Hello! I am page 0");
    printf("    close(fd): %s", still_reads ? "the mapping still reads the file without the descriptor" : "the mapping no longer reads the file?!");
    if (before.available && after.available)
        printf("; %s", after.nr_written == before.nr_written ? "nothing written yet" : "pages were written");
    printf(".\n");
    print_dirty_counters(&before, &after);
    before = after;
    r = munmap(shared, PAGE_SIZE);
    after = read_counters();
    printf("    munmap returned %d: the mapping is gone.\n", r);
    print_dirty_counters(&before, &after);
    if (before.available && after.available && after.nr_written > before.nr_written) {
        munmap_wrote = 1;
        printf("    Before it went, the kernel wrote its dirty page to the disk.\n");
    }

    fd = open(path, O_RDONLY | O_CLOEXEC);
    char check[PAGE_SIZE];
    ssize_t n = fd >= 0 ? read(fd, check, sizeof check) : -1;
    if (fd >= 0)
        close(fd);
    int intact = n == PAGE_SIZE && memcmp(check, original_text, sizeof original_text - 1) == 0;
    for (size_t i = sizeof original_text - 1; intact && i < sizeof check; ++i)
        intact = check[i] == 0;
    printf("    read() of the file now: \"%s\" and %s\n", line_text(check, 0),
        intact ? "zeros: the original text." : "OTHER BYTES (unexpected!)");

    /* In short: only what this run showed. */
    printf("\nIn short, in this run:\n");
    if (!after.available) {
        printf("  - the counters were not available, so the disk's side could not be watched;\n");
    } else {
        printf("  - %s\n", disk_read ? "a mapped file page was read from the disk on its first fault;"
                                     : "no read from the disk was seen (the pages were in memory already);");
        printf("  - %s\n", dirtied ? "a store through the mapping made the page dirty;" : "no store made a page dirty?!");
        printf("  - the disk caught up at msync(): %s; by the flusher: %s; at munmap(): %s;\n", msync_wrote ? "yes" : "no",
            flusher_wrote < 0 ? "not waited for" : flusher_wrote ? "yes" : "no", munmap_wrote ? "yes" : "no");
    }
    printf("  - %s;\n", shared_frame ? "both processes mapped the page in one frame"
                                     : "the two processes' frames could not be compared (hidden) or differed");
    printf("  - %s\n", (child_saw & STORE_SEEN) ? "a store by process 1 was seen by process 2 at once, without a system call;"
                                            : "process 2 did NOT see process 1's store?!");
    printf("  - %s\n", (child_saw & PRIVATE_COPIED) && (child_saw & PRIVATE_KEPT_FROM_FILE)
            ? "a MAP_PRIVATE mapping copied the page on its first write and kept the copy to itself."
            : (child_saw & PRIVATE_KEPT_FROM_FILE) ? "a MAP_PRIVATE write stayed out of the file (its copy not seen in frames or counters)."
                                                   : "a MAP_PRIVATE write was NOT kept to itself?!");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && intact ? 0 : 1;
}
