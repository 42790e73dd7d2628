// oom_kill — when memory runs out, the kernel kills the process with the most memory and
// the rest keep running. Three children: a small bystander waiting on a pipe, a hog that
// touches about half of the available memory and waits, and a filler that touches pages
// until it is killed, reporting how far it got. Expected on Pagoda (proc/oom.h): the filler's
// first fault without a frame kills the hog (the largest, though it is not the one faulting),
// the filler goes on into the hog's memory until it is the largest itself and is killed;
// both die of SIGKILL, oom_kill +2; the bystander and this process (init on Pagoda) are
// untouched and fork + execve work afterwards, with the frames back. Then init itself runs
// out: with a second hog holding half of memory, init touches three quarters of it; the
// hog is killed (init never is while another process lives) and init's pages are all there.
// The children that fill memory run only on Pagoda, with at most 512 MiB of RAM: on Linux
// every check is skipped but the last (fork + execve).
// pagoda-options: --mem 96
#include "proc_util.h"
#include "tap.h"
#include "vmstat.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PAGE 4096UL
#define PLAN 11

static char meminfo[8192];
static struct vmstat before, after;
static unsigned char own_data[64 * PAGE];

static long meminfo_kb(const char* key)
{
    const char* p = strstr(meminfo, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

// Waits for one byte on `in`, answers on `out`, exits 0.
static void bystander(int in, int out)
{
    char token;
    if (read(in, &token, 1) != 1 || write(out, &token, 1) != 1)
        _exit(1);
    _exit(0);
}

// Touches `pages` pages, says so on `ready`, then waits for ever (until killed) reading
// `forever`, a pipe nobody writes.
static void hog(size_t pages, int ready, int forever)
{
    unsigned char* p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(1);
    for (size_t i = 0; i < pages; ++i)
        p[i * PAGE] = 1;
    char byte = 'h';
    if (write(ready, &byte, 1) != 1)
        _exit(1);
    (void)read(forever, &byte, 1);
    _exit(1);
}

// Touches up to `pages` pages, reporting the count every 256 pages on `progress`.
static void filler(size_t pages, int progress)
{
    // MAP_NORESERVE: more than all of memory in one mapping is refused otherwise (the
    // overcommit heuristic, as on Linux).
    unsigned char* p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        _exit(1);
    for (size_t i = 0; i < pages; ++i) {
        p[i * PAGE] = 1;
        if (i % 256 == 255 && write(progress, &i, sizeof i) != sizeof i)
            _exit(1);
    }
    _exit(0); // not reached on Pagoda: more pages than RAM
}

static pid_t spawn(void (*body)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        body();
    return pid;
}

static int fds_bystander_in[2], fds_bystander_out[2], fds_ready[2], fds_progress[2], fds_forever[2];
static size_t hog_pages, filler_pages;
static void run_bystander(void) { bystander(fds_bystander_in[0], fds_bystander_out[1]); }
static void run_hog(void) { hog(hog_pages, fds_ready[1], fds_forever[0]); }
static void run_filler(void) { filler(filler_pages, fds_progress[1]); }

static int exec_child(char* self)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char* child_argv[] = { self, "exec-child", NULL };
        execv("/proc/self/exe", child_argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

int main(int argc, char** argv)
{
    if (argc == 2 && strcmp(argv[1], "exec-child") == 0)
        return 42;
    tap_plan(PLAN);
    vmstat_read(&before);
    for (size_t i = 0; i < sizeof own_data; ++i)
        own_data[i] = (unsigned char)(i * 13);
    if (read_whole_file("/proc/meminfo", meminfo, sizeof meminfo) < 0)
        bail("cannot read /proc/meminfo (errno=%d)", errno);
    long total_kb = meminfo_kb("MemTotal:"), available_kb = meminfo_kb("MemAvailable:");
    vmstat_read(&before);
    if (!vmstat_is_pagoda(&before) || total_kb <= 0 || total_kb > 512 * 1024) {
        for (int i = 0; i < PLAN - 1; ++i)
            skip("memory fillers run only on Pagoda with at most 512 MiB", "out-of-memory check %d", i + 1);
        int status = exec_child(argv[0]);
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 42, "fork + execve (%s)", describe_wait_status(status));
        return tap_done();
    }

    hog_pages = (size_t)available_kb / 4 / 2;
    filler_pages = (size_t)total_kb / 4 * 2; // more than RAM: it can only end by being killed
    diag("MemTotal %ld kB, MemAvailable %ld kB: hog %zu pages, filler up to %zu", total_kb, available_kb, hog_pages,
        filler_pages);
    if (pipe(fds_bystander_in) || pipe(fds_bystander_out) || pipe(fds_ready) || pipe(fds_forever))
        bail("pipe (errno=%d)", errno);
    pid_t bystander_pid = spawn(run_bystander);
    pid_t hog_pid = spawn(run_hog);
    char byte;
    ok(read(fds_ready[0], &byte, 1) == 1, "the hog touched %zu pages (half of what was available)", hog_pages);
    if (pipe(fds_progress)) // made now, so that only the filler holds its write end
        bail("pipe (errno=%d)", errno);
    pid_t filler_pid = spawn(run_filler);
    close(fds_progress[1]);
    size_t filled = 0, count;
    while (read_full(fds_progress[0], &count, sizeof count) == sizeof count)
        filled = count + 1; // EOF: the filler is gone

    int hog_status = 0, filler_status = 0;
    waitpid(filler_pid, &filler_status, 0);
    ok(WIFSIGNALED(filler_status) && WTERMSIG(filler_status) == SIGKILL, "the filler was killed by SIGKILL (%s)",
        describe_wait_status(filler_status));
    pid_t reaped = waitpid(hog_pid, &hog_status, WNOHANG);
    ok(reaped == hog_pid && WIFSIGNALED(hog_status) && WTERMSIG(hog_status) == SIGKILL,
        "the hog, the largest when memory first ran out, was killed by SIGKILL before it (%s)",
        reaped == hog_pid ? describe_wait_status(hog_status) : "still alive");
    // Before the hog died the filler could have at most what was available besides the hog.
    size_t without_hog = (size_t)available_kb / 4 - hog_pages;
    ok(filled > without_hog + hog_pages / 2, "the filler went on into the hog's memory: %zu pages (more than %zu + %zu/2)",
        filled, without_hog, hog_pages);

    ok(write(fds_bystander_in[1], "b", 1) == 1 && read(fds_bystander_out[0], &byte, 1) == 1 && byte == 'b',
        "the bystander still answers");
    int bystander_status = 0;
    waitpid(bystander_pid, &bystander_status, 0);
    int intact = 1;
    for (size_t i = 0; i < sizeof own_data; ++i)
        intact &= own_data[i] == (unsigned char)(i * 13);
    ok(WIFEXITED(bystander_status) && WEXITSTATUS(bystander_status) == 0 && intact,
        "the bystander exited 0 (%s), this process's memory is intact", describe_wait_status(bystander_status));

    vmstat_read(&after);
    ok(vmstat_delta(&before, &after, "oom_kill") == 2, "oom_kill +2 (%lld)", vmstat_delta(&before, &after, "oom_kill"));
    long long free_before = vmstat_value(&before, "frames_free"), free_after = vmstat_value(&after, "frames_free");
    ok(free_after >= free_before - free_before / 100, "frames_free back (%lld, was %lld)", free_after, free_before);
    int status = exec_child(argv[0]);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 42, "fork + execve (%s)", describe_wait_status(status));

    // Init is the one that faults.
    if (getpid() != 1) {
        skip("not init", "init's fault kills the hog");
        skip("not init", "init's pages are all there");
        return tap_done();
    }
    if (read_whole_file("/proc/meminfo", meminfo, sizeof meminfo) < 0)
        bail("cannot read /proc/meminfo (errno=%d)", errno);
    available_kb = meminfo_kb("MemAvailable:");
    hog_pages = (size_t)available_kb / 4 / 2;
    hog_pid = spawn(run_hog);
    if (read(fds_ready[0], &byte, 1) != 1)
        bail("the second hog did not start");
    size_t own_pages = (size_t)available_kb / 4 * 3 / 4;
    unsigned char* own = mmap(NULL, own_pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (own == MAP_FAILED)
        bail("mmap %zu pages (errno=%d)", own_pages, errno);
    for (size_t i = 0; i < own_pages; ++i)
        own[i * PAGE] = (unsigned char)i;
    reaped = waitpid(hog_pid, &hog_status, 0);
    vmstat_read(&after);
    ok(reaped == hog_pid && WIFSIGNALED(hog_status) && WTERMSIG(hog_status) == SIGKILL
            && vmstat_delta(&before, &after, "oom_kill") == 3,
        "init's fault killed the hog (%s, oom_kill +%lld)", describe_wait_status(hog_status),
        vmstat_delta(&before, &after, "oom_kill"));
    intact = 1;
    for (size_t i = 0; i < own_pages; ++i)
        intact &= own[i * PAGE] == (unsigned char)i;
    ok(intact, "init's %zu pages are all there", own_pages);
    munmap(own, own_pages * PAGE);
    return tap_done();
}
