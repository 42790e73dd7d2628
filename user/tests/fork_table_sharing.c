// Copy-on-write of page tables: after fork, Pagoda shares the leaf page tables (2 MiB each)
// of large private mappings instead of copying their entries, and copies a table only when
// one side first changes something in its 2 MiB. Behaviour is that of any fork — checked
// on Linux too — and on Pagoda the counters show the mechanism: tables shared at fork,
// one table copied per first write in a chunk, every frame back after exit.
#include "tap.h"
#include "vmstat.h"
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define CHUNK (2u << 20)
#define CHUNKS 8

static unsigned char value(size_t page, int generation) { return (unsigned char)(page * 7 + generation); }

static struct vmstat before, after;

static int check_all(unsigned char* p, int generation, size_t skip_page)
{
    for (size_t i = 0; i < CHUNKS * CHUNK / PAGE; ++i)
        if (i != skip_page && p[i * PAGE] != value(i, generation))
            return 0;
    return 1;
}

int main(void)
{
    tap_plan(10);
    // A 2 MiB-aligned region of CHUNKS chunks, every page written.
    unsigned char* raw = mmap(NULL, (CHUNKS + 1) * CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char* p = (unsigned char*)(((uintptr_t)raw + CHUNK - 1) & ~(uintptr_t)(CHUNK - 1));
    size_t pages = CHUNKS * CHUNK / PAGE;
    for (size_t i = 0; i < pages; ++i)
        p[i * PAGE] = value(i, 0);
    int report[2];
    pipe(report);
    // Warm up everything the measured part touches (stack, pipe, vmstat buffers).
    vmstat_read(&before);
    vmstat_read(&after);
    pid_t warm = fork();
    if (warm == 0)
        _exit(0);
    waitpid(warm, NULL, 0);

    vmstat_read(&before);
    pid_t child = fork();
    if (child == 0) {
        struct vmstat in_child_before, in_child_after;
        // Copy-on-write the child's own stack pages and buffers first, so that the one
        // measured write below is the only page copied.
        memset(&in_child_after, 0, sizeof in_child_after);
        vmstat_read(&in_child_after);
        vmstat_read(&in_child_before);
        int same = check_all(p, 0, (size_t)-1);
        p[5 * PAGE] = 99; // first write in chunk 0: that chunk's table is copied
        vmstat_read(&in_child_after);
        long long copied = vmstat_delta(&in_child_before, &in_child_after, "pgtable_copied");
        long long cow = vmstat_delta(&in_child_before, &in_child_after, "cow_copy");
        // A partial munmap and an mprotect inside other shared chunks.
        munmap(p + 1 * CHUNK, CHUNK / 2);
        mprotect(p + 2 * CHUNK, CHUNK, PROT_READ);
        int readable = p[2 * CHUNK] == value(2 * CHUNK / PAGE, 0);
        long long result[4] = { same, copied, cow, readable };
        write(report[1], result, sizeof result);
        _exit(0);
    }
    long long result[4] = { 0 };
    read(report[0], result, sizeof result);
    int status;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child ran and exited 0");
    ok(result[0] == 1, "the child sees every page the parent wrote before fork");
    ok(result[3] == 1, "the child's partial munmap and mprotect of shared chunks work");
    ok(check_all(p, 0, (size_t)-1), "the parent does not see the child's write, munmap or mprotect");
    vmstat_read(&after);
    long long unused;
    int pagoda = vmstat_is_pagoda(&after) && vmstat_get(&after, "pgtable_shared", &unused);
    if (pagoda) {
        long long shared = vmstat_delta(&before, &after, "pgtable_shared");
        ok(shared >= CHUNKS, "fork shared at least %d leaf tables (%lld)", CHUNKS, shared);
        ok(result[1] == 1 && result[2] == 1, "the child's first write copied one table and one page (tables %lld, pages %lld)",
            result[1], result[2]);
    } else {
        skip("not Pagoda", "fork shared the leaf tables");
        skip("not Pagoda", "a first write copies one table and one page");
    }

    // The parent writes every page after the child is gone: all reuse, no copy.
    vmstat_read(&before);
    for (size_t i = 0; i < pages; ++i)
        p[i * PAGE] = value(i, 1);
    vmstat_read(&after);
    ok(check_all(p, 1, (size_t)-1), "the parent's new values are all there");
    if (pagoda)
        ok(vmstat_delta(&before, &after, "cow_copy") == 0, "after the child exited, the parent's writes copy nothing (%lld copies)",
            vmstat_delta(&before, &after, "cow_copy"));
    else
        skip("not Pagoda", "after the child exited, the parent's writes copy nothing");

    // Three ways: a child and a grandchild share, each writes its own generation.
    child = fork();
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) {
            for (size_t i = 0; i < pages; i += 97)
                p[i * PAGE] = value(i, 3);
            int mine = 1;
            for (size_t i = 0; i < pages; i += 97)
                mine &= p[i * PAGE] == value(i, 3);
            _exit(mine ? 0 : 1);
        }
        int s;
        waitpid(grandchild, &s, 0);
        for (size_t i = 0; i < pages; i += 89)
            p[i * PAGE] = value(i, 2);
        int mine = check_all(p, 1, (size_t)-1) == 0; // some pages are generation 2 now
        for (size_t i = 0; i < pages; i += 89)
            mine &= p[i * PAGE] == value(i, 2);
        _exit(WIFEXITED(s) && WEXITSTATUS(s) == 0 && mine ? 0 : 1);
    }
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && check_all(p, 1, (size_t)-1),
        "child and grandchild write their own copies; the parent's pages are untouched");

    // Everything back: with the children gone, unmapping frees every frame.
    vmstat_read(&before);
    munmap(raw, (CHUNKS + 1) * CHUNK);
    vmstat_read(&after);
    if (pagoda)
        ok(vmstat_delta(&before, &after, "frames_free") >= (long long)pages,
            "munmap gave back at least the %zu data frames (%lld)", pages, vmstat_delta(&before, &after, "frames_free"));
    else
        skip("not Pagoda", "munmap gave back every frame");
    return tap_done();
}
