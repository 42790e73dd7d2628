// page_cache_sharing — a second process mapping the same file faults without disk reads:
// both map the one page-cache copy of the file.
// A 64-page file is written with write(). The parent forks B, which waits on a pipe. The
// parent (A) then maps the file MAP_SHARED, reads every page, stores "FROM-A" in page 10
// (not written back) and lets B go, keeping its mapping. B opens and maps the same file
// itself and reads every page.
//   - everywhere: A and B read the file's pattern; B sees A's store at once;
//   - on Pagoda: A's reads took file faults (file_fault went up; its page-cache reads are a
//     diagnostic: the pages may still be cached from the write()); B's reads took file
//     faults too, but caused no page-cache reads from the disk (pgmajfault — Pagoda's
//     page_cache_reads — +0 in B).
// Exactness: both processes run the read loop once on an anonymous buffer and read
// /proc/vmstat once before measuring, so no code or stack page faults in the window; B
// reports through a pipe and nothing prints between snapshots.
// disk: 16
// args: @DIR@
#include "file_util.h"
#include "vmstat.h"

#define PAGES 64
#define SEED 83

static struct vmstat a0, a1, b0, b1;

struct report {
    int mapped;
    long mismatch;  // first differing offset, -1 if none (outside page 10's store)
    int saw_a;      // A's store is visible
    int pagoda;
    long long file_faults, cache_reads;
};

// The key of page-cache reads from the pager: "page_cache_reads" if present, else pgmajfault.
static const char* cache_reads_key(const struct vmstat* s)
{
    long long v;
    return vmstat_get(s, "page_cache_reads", &v) ? "page_cache_reads" : "pgmajfault";
}

__attribute__((noinline)) static unsigned read_pages(const volatile unsigned char* p, int pages)
{
    unsigned sum = 0;
    for (int i = 0; i < pages; ++i)
        sum += p[i * PAGE + 1];
    return sum;
}

static long check(const volatile unsigned char* p)
{
    long bad = pattern_mismatch(p, 10 * PAGE, SEED, 0);
    if (bad >= 0)
        return bad;
    bad = pattern_mismatch(p + 10 * PAGE + 6, (PAGES - 10) * PAGE - 6, SEED, 10 * PAGE + 6);
    return bad >= 0 ? bad + 10 * PAGE + 6 : -1;
}

int main(int argc, char** argv)
{
    tap_plan(6);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "cache_sharing");
    int fd = make_pattern_file(path, PAGES * PAGE, SEED);
    if (fd < 0 || fsync(fd) != 0 || close(fd) != 0)
        bail("cannot create the %d-page file (errno=%d)", PAGES, errno);

    static unsigned char warm[PAGES * PAGE];
    touch_stack();
    read_pages(warm, PAGES);
    vmstat_read(&a0);
    int go[2], back[2];
    if (pipe(go) || pipe(back))
        bail("pipe failed (errno=%d)", errno);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct report rep;
        memset(&rep, 0, sizeof rep);
        touch_stack();
        memset(&b0, 0, sizeof b0);
        memset(&b1, 0, sizeof b1);
        memset(vmstat_buffer, 0, sizeof vmstat_buffer);
        read_pages(warm, PAGES);
        vmstat_read(&b0);
        char c;
        if (read(go[0], &c, 1) != 1)
            _exit(3);
        int bfd = open(path, O_RDONLY);
        const volatile unsigned char* q = bfd >= 0 ? mmap(NULL, PAGES * PAGE, PROT_READ, MAP_SHARED, bfd, 0) : MAP_FAILED;
        rep.mapped = q != MAP_FAILED;
        if (rep.mapped) {
            vmstat_read(&b0);
            read_pages(q, PAGES);
            vmstat_read(&b1);
            rep.mismatch = check(q);
            rep.saw_a = memcmp((const void*)(q + 10 * PAGE), "FROM-A", 6) == 0;
            rep.pagoda = vmstat_is_pagoda(&b0);
            rep.file_faults = vmstat_delta(&b0, &b1, "file_fault");
            rep.cache_reads = vmstat_delta(&b0, &b1, cache_reads_key(&b0));
        }
        write_all(back[1], &rep, sizeof rep);
        _exit(0);
    }
    if (pid < 0)
        bail("fork failed (errno=%d)", errno);

    fd = open(path, O_RDWR);
    volatile unsigned char* p = fd >= 0 ? mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
    if (p == MAP_FAILED)
        bail("A: open/mmap failed (errno=%d)", errno);
    vmstat_read(&a0);
    read_pages(p, PAGES);
    vmstat_read(&a1);
    long a_bad = check(p) >= 0 ? check(p) : pattern_mismatch(p + 10 * PAGE, 6, SEED, 10 * PAGE);
    memcpy((void*)(p + 10 * PAGE), "FROM-A", 6);
    write(go[1], "g", 1);
    struct report rep;
    memset(&rep, 0, sizeof rep);
    ssize_t got = read_full(back[0], &rep, sizeof rep);
    int status = -1;
    waitpid(pid, &status, 0);

    ok(a_bad < 0, "A reads the file's pattern through its mapping (first difference at %ld)", a_bad);
    ok(got == (ssize_t)sizeof rep && rep.mapped && WIFEXITED(status) && WEXITSTATUS(status) == 0 && rep.mismatch < 0,
        "B maps the same file and reads the pattern (report %zd bytes, mapped %d, first difference %ld, %s)", got, rep.mapped,
        rep.mismatch, describe_wait_status(status));
    ok(rep.saw_a, "B sees A's store through its own mapping");
    if (vmstat_is_pagoda(&a0) && rep.pagoda) {
        long long a_faults = vmstat_delta(&a0, &a1, "file_fault");
        diag("A: file_fault +%lld, %s +%lld", a_faults, cache_reads_key(&a0), vmstat_delta(&a0, &a1, cache_reads_key(&a0)));
        ok(a_faults >= 1, "A reading %d pages took file faults (file_fault +%lld)", PAGES, a_faults);
        ok(rep.file_faults >= 1, "B reading %d pages took file faults too (file_fault +%lld)", PAGES, rep.file_faults);
        ok(rep.cache_reads == 0, "B's faults read nothing from the disk (%s +%lld)", cache_reads_key(&a0), rep.cache_reads);
    } else {
        skip("not Pagoda", "A reading %d pages took file faults", PAGES);
        skip("not Pagoda", "B reading %d pages took file faults too", PAGES);
        skip("not Pagoda", "B's faults read nothing from the disk (page_cache_reads +0)");
    }
    munmap((void*)p, PAGES * PAGE);
    close(fd);
    unlink(path);
    return tap_done();
}
