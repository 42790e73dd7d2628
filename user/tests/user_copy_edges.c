// user_copy_edges — read() and write() whose user buffer sits at the edges the kernel's
// copy to and from user memory must get right (on Pagoda that copy runs through the MMU and
// resolves its faults like the user's own: docs/mm.md, "Copying to and from user memory"):
// - read() from a file into a buffer whose second page is unmapped: the first page's count;
//   from a pipe holding two pages: one page, and the second stays in the pipe;
// - write() from a buffer that was filled and then made PROT_NONE (its pages are present):
//   EFAULT and the file unchanged; from a readable page followed by a PROT_NONE one: the
//   first page only; to a pipe from a PROT_NONE buffer: EFAULT;
// - read() into a page shared copy-on-write with a child after fork: each sees its own
//   data; on Pagoda the child's read makes exactly one cow_copy;
// - read() into a never-touched anonymous page: the data; on Pagoda exactly one
//   zero_fill_write and no copy;
// - read() into a clean MAP_SHARED page of a file: the page is dirty (nr_dirty +1 on
//   Pagoda), msync(MS_SYNC) writes it (nr_written +1) and the file holds the data;
// - write() from a file mapping whose page was dropped from memory (drop_caches): the
//   fault inside the kernel's copy reads the disk (pgmajfault +1 on Pagoda) and the bytes
//   arrive.
// Exactness: each measured step runs after its code, stack and vmstat buffers were used
// once, and nothing prints between snapshots.
// disk: 16
// args: @DIR@
#include "file_util.h"
#include "proc_util.h"
#include "vmstat.h"

#include <sys/wait.h>

#define SEED 41

static struct vmstat before, after, after_sync;
static int pagoda;

// Two pages, readable and writable, the second then changed by `second` (unmapped, or
// PROT_NONE after being filled, so its page is present).
static unsigned char* two_pages(int unmap_second)
{
    unsigned char* m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    memset(m, 'x', 2 * PAGE);
    if (unmap_second ? munmap(m + PAGE, PAGE) : mprotect(m + PAGE, PAGE, PROT_NONE))
        bail("munmap/mprotect failed (errno=%d)", errno);
    return m;
}

static void partial_reads(int source)
{
    unsigned char* m = two_pages(1);
    ssize_t r = pread(source, m, 2 * PAGE, 0);
    ok(r == PAGE && pattern_mismatch(m, PAGE, SEED, 0) < 0,
        "file: read() into a buffer whose second page is unmapped returns the first page (r=%zd)", r);

    int p[2];
    static unsigned char two[2 * PAGE];
    memset(two, 'p', sizeof two);
    if (pipe(p) != 0 || write(p[1], two, sizeof two) != (ssize_t)sizeof two)
        bail("pipe setup failed (errno=%d)", errno);
    r = read(p[0], m, 2 * PAGE);
    ok(r == PAGE && m[0] == 'p' && m[PAGE - 1] == 'p', "pipe: read() of two pages into that buffer returns one page (r=%zd)", r);
    memset(two, 0, sizeof two);
    r = read(p[0], two, sizeof two);
    ok(r == PAGE && two[0] == 'p' && two[PAGE - 1] == 'p', "pipe: the second page is still in the pipe (r=%zd)", r);
    close(p[0]);
    close(p[1]);
    munmap(m, PAGE);
}

static void prot_none_writes(const char* dir)
{
    static char path[512];
    file_path(path, sizeof path, dir, "user_copy_target");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        bail("open %s failed (errno=%d)", path, errno);
    unsigned char* m = two_pages(0);
    errno = 0;
    ssize_t r = write(fd, m + PAGE, PAGE);
    struct stat st;
    fstat(fd, &st);
    ok(r == -1 && errno == EFAULT && st.st_size == 0,
        "file: write() from a filled page made PROT_NONE fails with EFAULT and writes nothing (r=%zd errno=%d size=%lld)", r, errno,
        (long long)st.st_size);
    r = write(fd, m, 2 * PAGE);
    fstat(fd, &st);
    ok(r == PAGE && st.st_size == PAGE, "file: write() from a readable page and a PROT_NONE one writes the first page (r=%zd size=%lld)",
        r, (long long)st.st_size);
    int p[2];
    if (pipe(p) != 0)
        bail("pipe failed (errno=%d)", errno);
    errno = 0;
    r = write(p[1], m + PAGE, 16);
    ok(r == -1 && errno == EFAULT, "pipe: write() from a PROT_NONE buffer fails with EFAULT (r=%zd errno=%d)", r, errno);
    close(p[0]);
    close(p[1]);
    close(fd);
    unlink(path);
    munmap(m, 2 * PAGE);
}

struct child_report {
    int data_ok; // the child's buffer holds the file's bytes
    long long cow_copy; // during the child's read()
};

__attribute__((noinline)) static ssize_t measured_read(int fd, void* buffer, struct vmstat* a, struct vmstat* b)
{
    vmstat_read(a);
    ssize_t r = pread(fd, buffer, PAGE, 0);
    vmstat_read(b);
    return r;
}

static void read_into_cow_page(int source)
{
    unsigned char* page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    memset(page, 'P', PAGE);
    int report[2];
    if (pipe(report) != 0)
        bail("pipe failed (errno=%d)", errno);
    pid_t child = fork();
    if (child < 0)
        bail("fork failed (errno=%d)", errno);
    if (child == 0) {
        static struct vmstat a, b;
        static unsigned char warm[PAGE];
        measured_read(source, warm, &a, &b); // code, stack and snapshots copied first
        struct child_report out;
        ssize_t r = measured_read(source, page, &a, &b);
        out.data_ok = r == PAGE && pattern_mismatch(page, PAGE, SEED, 0) < 0;
        out.cow_copy = vmstat_delta(&a, &b, "cow_copy");
        _exit(write(report[1], &out, sizeof out) == sizeof out ? 0 : 1);
    }
    struct child_report in = { 0, -1 };
    ssize_t got = read(report[0], &in, sizeof in);
    int status;
    waitpid(child, &status, 0);
    close(report[0]);
    close(report[1]);
    ok(got == sizeof in && in.data_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "fork: the child's read() into a copy-on-write page gives it the file's bytes");
    int parent_intact = 1;
    for (int i = 0; i < PAGE; ++i)
        parent_intact &= page[i] == 'P';
    ok(parent_intact, "fork: the parent's page keeps its own bytes");
    if (pagoda)
        ok(in.cow_copy == 1, "fork: the child's read() copied the page once, as a user write would (cow_copy +%lld)", in.cow_copy);
    else
        skip("not Pagoda", "fork: the child's read() copied the page once");
    munmap(page, PAGE);
}

static void read_into_untouched_page(int source)
{
    static unsigned char warm[PAGE];
    measured_read(source, warm, &before, &after);
    unsigned char* page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    ssize_t r = measured_read(source, page, &before, &after);
    ok(r == PAGE && pattern_mismatch(page, PAGE, SEED, 0) < 0, "anonymous: read() into a never-touched page gives the file's bytes (r=%zd)",
        r);
    if (pagoda)
        ok(vmstat_delta(&before, &after, "zero_fill_write") == 1 && vmstat_delta(&before, &after, "cow_copy") == 0,
            "anonymous: the kernel's write took one zero-fill write fault (zero_fill_write +%lld, cow_copy +%lld)",
            vmstat_delta(&before, &after, "zero_fill_write"), vmstat_delta(&before, &after, "cow_copy"));
    else
        skip("not Pagoda", "anonymous: the kernel's write took one zero-fill write fault");
    munmap(page, PAGE);
}

static void read_into_shared_file_page(const char* dir, int source)
{
    static char path[512];
    file_path(path, sizeof path, dir, "user_copy_shared");
    int fd = make_pattern_file(path, PAGE, SEED + 1);
    if (fd < 0 || fsync(fd) != 0)
        bail("cannot create %s (errno=%d)", path, errno);
    unsigned char* map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    long old = pattern_mismatch(map, PAGE, SEED + 1, 0); // mapped, clean
    static unsigned char warm[PAGE];
    measured_read(source, warm, &before, &after);
    vmstat_read(&after_sync);
    msync(map, PAGE, MS_SYNC);
    ssize_t r = measured_read(source, map, &before, &after);
    int synced = msync(map, PAGE, MS_SYNC);
    vmstat_read(&after_sync);
    ok(old < 0 && r == PAGE && synced == 0, "shared file: read() into a clean MAP_SHARED page, then msync(MS_SYNC) (r=%zd)", r);
    static unsigned char back[PAGE];
    int fresh = open(path, O_RDONLY);
    ssize_t n = pread(fresh, back, PAGE, 0);
    ok(n == PAGE && pattern_mismatch(back, PAGE, SEED, 0) < 0, "shared file: the file holds the bytes read into the mapping (n=%zd)", n);
    if (pagoda)
        ok(vmstat_delta(&before, &after, "nr_dirty") == 1 && vmstat_delta(&after, &after_sync, "nr_written") == 1,
            "shared file: the kernel's write dirtied the page and msync wrote it (nr_dirty +%lld, nr_written +%lld)",
            vmstat_delta(&before, &after, "nr_dirty"), vmstat_delta(&after, &after_sync, "nr_written"));
    else
        skip("not Pagoda", "shared file: the kernel's write dirtied the page and msync wrote it");
    close(fresh);
    munmap(map, PAGE);
    close(fd);
    unlink(path);
}

// Writes "1" to /proc/sys/vm/drop_caches: 0 or the errno (EACCES where not root).
static int drop_page_cache(void)
{
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
    if (fd < 0)
        return errno;
    int e = write(fd, "1", 1) == 1 ? 0 : errno;
    close(fd);
    return e;
}

static void write_from_dropped_page(int source)
{
    if (fsync(source) != 0)
        bail("fsync failed (errno=%d)", errno);
    int dropped = drop_page_cache();
    unsigned char* map = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, source, 0);
    if (map == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    int p[2];
    if (pipe(p) != 0)
        bail("pipe failed (errno=%d)", errno);
    vmstat_read(&before);
    ssize_t r = write(p[1], map, PAGE);
    vmstat_read(&after);
    static unsigned char back[PAGE];
    ssize_t n = read(p[0], back, PAGE);
    ok(r == PAGE && n == PAGE && pattern_mismatch(back, PAGE, SEED, 0) < 0,
        "cold file page: write() from a file mapping whose page is not in memory sends its bytes (r=%zd n=%zd)", r, n);
    if (pagoda && dropped == 0)
        ok(vmstat_delta(&before, &after, "pgmajfault") == 1,
            "cold file page: the fault inside the kernel's copy read the page from the disk (pgmajfault +%lld)",
            vmstat_delta(&before, &after, "pgmajfault"));
    else
        skip(dropped ? "drop_caches refused" : "not Pagoda", "cold file page: the fault inside the kernel's copy read the disk");
    close(p[0]);
    close(p[1]);
    munmap(map, PAGE);
}

int main(int argc, char** argv)
{
    tap_plan(16);
    const char* dir = disk_dir(argc, argv);
    static char path[512];
    file_path(path, sizeof path, dir, "user_copy_source");
    int source = make_pattern_file(path, PAGE, SEED);
    if (source < 0)
        bail("cannot create %s (errno=%d)", path, errno);
    touch_stack();
    pagoda = vmstat_read(&before) > 0 && vmstat_is_pagoda(&before);

    partial_reads(source);
    prot_none_writes(dir);
    read_into_cow_page(source);
    read_into_untouched_page(source);
    read_into_shared_file_page(dir, source);
    write_from_dropped_page(source);
    close(source);
    unlink(path);
    return tap_done();
}
