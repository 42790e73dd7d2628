// vm_trace: the VM event trace of a known program holds exactly the events the program
// causes. With tracing switched on through /proc/pagoda/trace, a process fills 8 private
// pages, forks, and its child writes all 8: the trace must show the fork (child pid, at
// least the 8 pages shared), the 8 pages in the child's snapshot shared by 2, exactly one
// copy-on-write copy per page in the child (old frame shared by 2, a fresh frame of
// refcount 1), and — once the child has exited — exactly one in-place reuse when the
// parent writes a page again; nothing lost. On Linux (no /proc/pagoda) the trace checks
// are skipped and the copy-on-write behaviour is checked by the pages' contents.
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES 8
#define PAGE 4096

static char trace[1 << 20]; // the trace as read; static and touched first: no faults of ours in it
static char* lines[16384];
static int line_count;

// The value of `key=` in `line` as a number (hex with 0x), or -1.
static long long field(const char* line, const char* key)
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, " %s=", key);
    const char* at = strstr(line, pattern);
    if (!at)
        return -1;
    return strtoll(at + strlen(pattern), NULL, 0);
}

static int has(const char* line, const char* text) { return strstr(line, text) != NULL; }

// The pid of a line: "SEQ TIME CPU PID TID EVENT ...".
static long line_pid(const char* line)
{
    long seq, cpu, pid;
    unsigned long long time;
    if (sscanf(line, "%ld %llu %ld %ld", &seq, &time, &cpu, &pid) != 4)
        return -1;
    return pid;
}

static void read_trace(int fd)
{
    size_t used = 0;
    ssize_t n;
    while (used < sizeof trace - 1 && (n = read(fd, trace + used, sizeof trace - 1 - used)) > 0)
        used += (size_t)n;
    trace[used] = '\0';
    for (char* line = strtok(trace, "\n"); line && line_count < 16384; line = strtok(NULL, "\n"))
        lines[line_count++] = line;
}

int main(void)
{
    memset(trace, 0, sizeof trace);
    char* memory = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        bail("mmap (errno %d)", errno);
    for (int i = 0; i < PAGES; ++i)
        memory[i * PAGE] = (char)('a' + i);
    int fd = open("/proc/pagoda/trace", O_RDWR);
    int pagoda = fd >= 0;
    if (pagoda)
        ok(write(fd, "on", 2) == 2, "tracing switched on by writing \"on\" (errno %d)", errno);
    else
        skip("not Pagoda", "tracing switched on by writing \"on\"");

    pid_t child = fork();
    if (child < 0)
        bail("fork (errno %d)", errno);
    if (child == 0) {
        for (int i = 0; i < PAGES; ++i)
            memory[i * PAGE] = (char)('A' + i);
        _exit(memory[PAGE] == 'B' ? 0 : 1);
    }
    int status;
    ok(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child wrote its copies");
    int untouched = 1;
    for (int i = 0; i < PAGES; ++i)
        untouched &= memory[i * PAGE] == (char)('a' + i);
    ok(untouched, "the parent's pages are unchanged by the child's writes");
    memory[0] = 'z'; // the child is gone: this page is the parent's alone now

    if (!pagoda) {
        for (int i = 0; i < 8; ++i)
            skip("not Pagoda", "trace check %d", i + 1);
        return tap_done();
    }
    ok(write(fd, "off", 3) == 3, "tracing switched off");
    read_trace(fd);
    unsigned long start = (unsigned long)memory, end = start + PAGES * PAGE;
    int forks = 0, child_pages = 0, shared_pages = 0, copies = 0, copies_right = 0, reuses = 0, other_child_writes = 0,
        lost = 0, child_exits = 0;
    for (int i = 0; i < line_count; ++i) {
        const char* line = lines[i];
        long pid = line_pid(line);
        if (has(line, "lost count="))
            ++lost;
        if (has(line, " fork ") && pid == getpid() && field(line, "child") == child) {
            ++forks;
            if (field(line, "pages") < PAGES)
                diag("fork shares only %lld pages: %s", field(line, "pages"), line);
        }
        if (has(line, " exit ") && pid == child)
            ++child_exits;
        if (has(line, " page ") && pid == child) {
            unsigned long va = (unsigned long)field(line, "va");
            if (va >= start && va < end) {
                ++child_pages;
                shared_pages += field(line, "ref") == 2 && field(line, "writable") == 0;
            }
        }
        if (!has(line, " fault "))
            continue;
        unsigned long address = (unsigned long)field(line, "addr");
        int inside = address >= start && address < end;
        if (pid == child && inside) {
            if (has(line, "access=write case=cow_copy result=handled")) {
                ++copies;
                copies_right += field(line, "old_ref") == 2 && field(line, "new_ref") == 1 && field(line, "new") != field(line, "old");
            } else {
                ++other_child_writes;
                diag("unexpected: %s", line);
            }
        }
        if (pid == getpid() && inside && has(line, "case=cow_reuse"))
            ++reuses;
    }
    ok(forks == 1, "one fork record for the child %d, sharing at least %d pages (%d)", child, PAGES, forks);
    ok(child_pages == PAGES && shared_pages == PAGES, "the child's snapshot has the %d pages, each shared by 2 and read-only (%d, %d)",
        PAGES, child_pages, shared_pages);
    ok(copies == PAGES && other_child_writes == 0, "exactly one COW copy per page the child wrote (%d copies, %d other faults)",
        copies, other_child_writes);
    ok(copies_right == PAGES, "each copy left the shared frame (refcount 2) for a fresh one of refcount 1 (%d)", copies_right);
    ok(child_exits == 1, "the child's exit is recorded (%d)", child_exits);
    ok(reuses == 1, "the parent's write after the child exited reused its frame in place, once (%d)", reuses);
    ok(lost == 0, "no record lost (%d lines)", line_count);
    close(fd);
    return tap_done();
}
