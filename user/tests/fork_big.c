// fork_big — fork() of a process that has touched more than half of free memory.
// The parent maps min(60% of MemAvailable, 300 MiB) (at least 8 MiB), writes one byte per
// page, and forks. With copy-on-write this must succeed even though a full copy would not
// fit; the child checks a sample of the parent's pages, writes a few pages and exits 0; the
// parent checks that the child's writes stayed in the child.
// Pagoda booted with fork=copy (eager copying) cannot copy that much: fork() == -1 with
// ENOMEM is accepted only when /proc/cmdline says "fork=copy" (if /proc/cmdline cannot be
// read, a failed fork is a failure).
// On Pagoda, also: the child's frames_free after its writes is not lower than the parent's
// before fork by anything like the mapping's size (the memory was not copied).
#include "proc_util.h"
#include "tap.h"
#include "vmstat.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PAGE 4096UL
#define CAP (300UL << 20)
#define CHILD_WRITES 8

static char meminfo[8192];
static char cmdline[4096];
static struct vmstat before_fork, in_child;

static long meminfo_kb(const char* key)
{
    const char* p = strstr(meminfo, key);
    if (!p)
        return -1;
    p += strlen(key);
    while (*p == ' ')
        ++p;
    return strtol(p, NULL, 10);
}

static unsigned char pattern(size_t page)
{
    return (unsigned char)(page * 7 + 3);
}

int main(void)
{
    tap_plan(7);
    if (read_whole_file("/proc/meminfo", meminfo, sizeof meminfo) < 0)
        bail("cannot read /proc/meminfo (errno=%d)", errno);
    long available_kb = meminfo_kb("MemAvailable:");
    if (available_kb <= 0)
        available_kb = meminfo_kb("MemFree:");
    ok(available_kb > 0, "/proc/meminfo has MemAvailable or MemFree (%ld kB)", available_kb);
    size_t size = (size_t)available_kb * 1024 / 10 * 6;
    if (size > CAP)
        size = CAP;
    if (size < (8UL << 20))
        size = 8UL << 20;
    size &= ~(PAGE - 1);
    size_t pages = size / PAGE;
    diag("MemAvailable %ld kB: mapping and touching %zu MiB (%zu pages)", available_kb, size >> 20, pages);

    unsigned char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        bail("mmap %zu bytes failed (errno=%d)", size, errno);
    for (size_t i = 0; i < pages; ++i)
        p[i * PAGE] = pattern(i);
    int touched_ok = 1;
    for (size_t i = 0; i < pages; i += 97)
        touched_ok &= p[i * PAGE] == pattern(i);
    ok(touched_ok, "all %zu pages written (one byte each), a sample reads back", pages);

    int cmdline_readable = read_whole_file("/proc/cmdline", cmdline, sizeof cmdline) >= 0;
    int fork_copy = cmdline_readable && strstr(cmdline, "fork=copy") != NULL;
    vmstat_read(&in_child);
    vmstat_read(&before_fork);
    int pagoda = vmstat_is_pagoda(&before_fork);

    int report[2];
    if (pipe(report))
        bail("pipe failed (errno=%d)", errno);
    pid_t pid = fork();
    if (pid == 0) {
        int bad = 0;
        for (size_t i = 0; i < pages; i += 61)
            if (p[i * PAGE] != pattern(i))
                bad |= 1;
        for (int k = 0; k < CHILD_WRITES; ++k) {
            size_t page = (pages - 1) * (size_t)k / (CHILD_WRITES - 1);
            p[page * PAGE + 1] = 0xC5;
        }
        for (int k = 0; k < CHILD_WRITES; ++k) {
            size_t page = (pages - 1) * (size_t)k / (CHILD_WRITES - 1);
            if (p[page * PAGE + 1] != 0xC5 || p[page * PAGE] != pattern(page))
                bad |= 2;
        }
        vmstat_read(&in_child);
        long long drop = vmstat_value(&before_fork, "frames_free") - vmstat_value(&in_child, "frames_free");
        write_all(report[1], &drop, sizeof drop);
        _exit(bad);
    }
    int fork_errno = errno;
    close(report[1]);
    if (pid < 0) {
        diag("fork failed: errno %d; /proc/cmdline %s: \"%s\"", fork_errno, cmdline_readable ? "readable" : "unreadable",
            cmdline_readable ? cmdline : "");
        ok(fork_errno == ENOMEM && fork_copy,
            "fork may fail only with ENOMEM and only under fork=copy (errno=%d, fork=copy %s)", fork_errno,
            fork_copy ? "set" : "not set");
        skip("fork failed", "child checks the parent's pages, writes %d pages, exits 0", CHILD_WRITES);
        skip("fork failed", "the child's writes are not visible in the parent");
        skip("fork failed", "fork did not copy the memory");
        ok(munmap(p, size) == 0, "munmap");
        return tap_done();
    }
    // Eager copying would need more than the free memory: under fork=copy it must fail.
    ok(!fork_copy, "fork of a process with %zu MiB touched succeeds (pid %d)%s", size >> 20, pid,
        fork_copy ? " -- but under fork=copy it should have failed with ENOMEM" : "");
    long long drop = -1;
    ssize_t n = read_full(report[0], &drop, sizeof drop);
    int status = -1;
    pid_t w = waitpid(pid, &status, 0);
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 && n == (ssize_t)sizeof drop,
        "child reads the parent's values, writes %d pages, exits 0 (waitpid=%d, %s; bit 1: wrong parent value, bit 2: "
        "write lost)",
        CHILD_WRITES, w, describe_wait_status(status));
    int unchanged = 1;
    for (int k = 0; k < CHILD_WRITES; ++k) {
        size_t page = (pages - 1) * (size_t)k / (CHILD_WRITES - 1);
        unchanged &= p[page * PAGE + 1] == 0 && p[page * PAGE] == pattern(page);
    }
    ok(unchanged, "the child's writes are not visible in the parent");
    if (pagoda)
        ok(drop >= 0 && drop < (long long)pages / 4,
            "fork did not copy the memory: frames_free fell by %lld in the child (%zu pages mapped)", drop, pages);
    else
        skip("not Pagoda", "fork did not copy the memory (frames_free)");
    ok(munmap(p, size) == 0, "munmap");
    return tap_done();
}
