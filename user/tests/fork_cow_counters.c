// fork_cow_counters — fork() is copy-on-write, checked through Pagoda's counters.
// The parent writes N=64 pages of an anonymous private mapping and forks. Everywhere: the
// child reads the parent's values, its writes stay private, the parent's later write works.
// On Pagoda (counters in /proc/vmstat), the mechanism, exactly:
//   - the child reads all 64 pages: cow_copy +0 (fork copied nothing, reads copy nothing);
//   - the child writes one byte in one page: cow_copy +1; in a second page: +2 in total,
//     and cow_reuse +0 (those frames are still shared with the parent);
//   - after the child exited and was reaped, the parent writes one page: cow_reuse +1,
//     cow_copy +0 (the frame is no longer shared, it is made writable in place);
//   - frames_free after the child was reaped equals frames_free just before fork (the
//     child's copies, page tables and kernel stack are all given back).
// Exactness: the whole cycle runs twice and only the second is reported, so the parent's
// page tables, stack, snapshot buffers and pipe buffers all exist before the measured fork.
// In the child, its stack and snapshot buffers are written (copied) before the first
// snapshot; the parent is blocked in read() on a pipe, its stack already copied, while the
// child measures. Nothing prints between snapshots: the child reports through a pipe.
#include "proc_util.h"
#include "tap.h"
#include "vmstat.h"

#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096
#define N 64
#define CHILD_PAGE_1 3
#define CHILD_PAGE_2 40
#define PARENT_PAGE 5

static volatile unsigned char* area;
static struct vmstat pre_fork, after_wait, after_write;
static struct vmstat child_start, child_read, child_write1, child_write2;

struct child_report {
    int pagoda;
    int contents_ok;      // the child read the parent's 64 values
    int writes_ok;        // the child's writes read back, the rest of those pages intact
    long long read_copy;  // cow_copy while reading all pages
    long long write1_copy; // cow_copy for the first written page
    long long write2_copy; // cow_copy for both written pages
    long long write_reuse; // cow_reuse for both written pages
};

struct cycle_result {
    pid_t pid;
    int fork_errno;
    ssize_t report_bytes;
    struct child_report report;
    int status;
    pid_t waited;
    int parent_unchanged; // the child's writes are not visible in the parent
    int parent_write_ok;
};

static unsigned char value_of(int cycle, int page)
{
    return (unsigned char)(cycle * 100 + page + 1);
}

__attribute__((noinline, noreturn)) static void child_body(int cycle, int go_fd, int report_fd)
{
    struct child_report rep;
    touch_stack();
    memset(&rep, 0, sizeof rep);
    memset(&child_start, 0, sizeof child_start);
    memset(&child_read, 0, sizeof child_read);
    memset(&child_write1, 0, sizeof child_write1);
    memset(&child_write2, 0, sizeof child_write2);
    memset(vmstat_buffer, 0, sizeof vmstat_buffer);
    char go = 0;
    if (read(go_fd, &go, 1) != 1)
        _exit(3);

    vmstat_read(&child_start);
    int contents_ok = 1;
    for (int i = 0; i < N; ++i)
        contents_ok &= area[i * PAGE] == value_of(cycle, i) && area[i * PAGE + 1] == 0;
    vmstat_read(&child_read);
    area[CHILD_PAGE_1 * PAGE + 1] = 0xA1;
    vmstat_read(&child_write1);
    area[CHILD_PAGE_2 * PAGE + 1] = 0xA2;
    vmstat_read(&child_write2);

    rep.pagoda = vmstat_is_pagoda(&child_start);
    rep.contents_ok = contents_ok;
    rep.writes_ok = area[CHILD_PAGE_1 * PAGE + 1] == 0xA1 && area[CHILD_PAGE_2 * PAGE + 1] == 0xA2
        && area[CHILD_PAGE_1 * PAGE] == value_of(cycle, CHILD_PAGE_1)
        && area[CHILD_PAGE_2 * PAGE] == value_of(cycle, CHILD_PAGE_2);
    rep.read_copy = vmstat_delta(&child_start, &child_read, "cow_copy");
    rep.write1_copy = vmstat_delta(&child_read, &child_write1, "cow_copy");
    rep.write2_copy = vmstat_delta(&child_read, &child_write2, "cow_copy");
    rep.write_reuse = vmstat_delta(&child_read, &child_write2, "cow_reuse");
    write_all(report_fd, &rep, sizeof rep);
    _exit(0);
}

// One fork cycle; everything the parent needs is prepared (and pre-faulted) before pre_fork.
__attribute__((noinline)) static struct cycle_result cycle(int cycle_number)
{
    struct cycle_result r;
    memset(&r, 0, sizeof r);
    int go[2], report[2];
    if (pipe(go) || pipe(report))
        bail("pipe failed (errno=%d)", errno);
    // Put a byte through each pipe so that any buffer the kernel allocates lazily exists now.
    char byte = 0;
    if (write(go[1], "x", 1) != 1 || read(go[0], &byte, 1) != 1 || write(report[1], "x", 1) != 1
        || read(report[0], &byte, 1) != 1)
        bail("pipe warm-up failed (errno=%d)", errno);
    for (int i = 0; i < N; ++i) {
        area[i * PAGE] = value_of(cycle_number, i);
        area[i * PAGE + 1] = 0;
    }
    touch_stack();
    vmstat_read(&pre_fork);

    pid_t pid = fork();
    if (pid == 0)
        child_body(cycle_number, go[0], report[1]);
    r.pid = pid;
    r.fork_errno = pid < 0 ? errno : 0;
    if (pid > 0) {
        touch_stack(); // copy the parent's stack now, not while the child measures
        write(go[1], "g", 1);
        r.report_bytes = read_full(report[0], &r.report, sizeof r.report);
        r.waited = waitpid(pid, &r.status, 0);
    }
    // The child is gone: these writes make the parent's shared-then-released pages writable.
    touch_stack();
    memset(&after_wait, 0, sizeof after_wait);
    memset(&after_write, 0, sizeof after_write);
    memset(vmstat_buffer, 0, sizeof vmstat_buffer);
    vmstat_read(&after_wait);
    area[PARENT_PAGE * PAGE + 1] = 0xB5;
    vmstat_read(&after_write);

    r.parent_unchanged = area[CHILD_PAGE_1 * PAGE + 1] == 0 && area[CHILD_PAGE_2 * PAGE + 1] == 0;
    r.parent_write_ok = area[PARENT_PAGE * PAGE + 1] == 0xB5 && area[PARENT_PAGE * PAGE] == value_of(cycle_number, PARENT_PAGE);
    close(go[0]);
    close(go[1]);
    close(report[0]);
    close(report[1]);
    return r;
}

int main(void)
{
    tap_plan(13);
    area = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        bail("mmap of %d pages failed (errno=%d)", N, errno);
    touch_stack();
    vmstat_read(&pre_fork);
    int pagoda = vmstat_is_pagoda(&pre_fork);
    diag("%s", pagoda ? "Pagoda counters found: checking the mechanism" : "no Pagoda counters: behaviour only");

    struct cycle_result warm = cycle(1);
    if (warm.pid <= 0 || warm.waited != warm.pid)
        bail("warm-up fork cycle failed (fork=%d errno=%d waitpid=%d)", warm.pid, warm.fork_errno, warm.waited);
    struct cycle_result r = cycle(2);

    if (!ok(r.pid > 0, "fork with %d touched pages (pid=%d errno=%d)", N, r.pid, r.fork_errno))
        return tap_done();
    ok(r.report_bytes == (ssize_t)sizeof r.report, "the child sent its report through the pipe (%zd bytes)",
        r.report_bytes);
    ok(r.report.contents_ok, "the child reads the parent's values in all %d pages", N);
    ok(r.report.writes_ok, "the child's writes to pages %d and %d read back in the child, the rest intact", CHILD_PAGE_1,
        CHILD_PAGE_2);
    ok(r.waited == r.pid && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "child exits 0 (waitpid=%d, %s)",
        r.waited, describe_wait_status(r.status));
    ok(r.parent_unchanged, "the child's writes are not visible in the parent");
    ok(r.parent_write_ok, "the parent's write after the child exited reads back");

    const char* no = "not Pagoda";
    if (pagoda && r.report.pagoda) {
        ok(r.report.read_copy == 0, "child reading all %d pages: cow_copy +0 (got %lld)", N, r.report.read_copy);
        ok(r.report.write1_copy == 1, "child writing one byte of one page: cow_copy +1 (got %lld)", r.report.write1_copy);
        ok(r.report.write2_copy == 2, "child writing a second page: cow_copy +2 in all (got %lld)", r.report.write2_copy);
        ok(r.report.write_reuse == 0, "child's writes to still-shared pages: cow_reuse +0 (got %lld)",
            r.report.write_reuse);
        long long reuse = vmstat_delta(&after_wait, &after_write, "cow_reuse");
        long long copy = vmstat_delta(&after_wait, &after_write, "cow_copy");
        ok(reuse == 1 && copy == 0,
            "parent writing a page after the child was reaped: cow_reuse +1 (got %lld), cow_copy +0 (got %lld)", reuse,
            copy);
        long long before = vmstat_value(&pre_fork, "frames_free");
        long long after = vmstat_value(&after_wait, "frames_free");
        ok(before == after, "frames_free after the child was reaped equals frames_free before fork (%lld vs %lld)",
            after, before);
    } else {
        skip(no, "child reading all %d pages: cow_copy +0", N);
        skip(no, "child writing one byte of one page: cow_copy +1");
        skip(no, "child writing a second page: cow_copy +2 in all");
        skip(no, "child's writes to still-shared pages: cow_reuse +0");
        skip(no, "parent writing a page after the child was reaped: cow_reuse +1, cow_copy +0");
        skip(no, "frames_free after the child was reaped equals frames_free before fork");
    }
    return tap_done();
}
