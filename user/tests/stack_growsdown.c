// stack_growsdown — mmap(MAP_GROWSDOWN): a mapping that grows down when the page below it
// is touched, as a thread stack made that way deepens (Linux's expand_downwards):
//   - a store one page below a 2-page MAP_GROWSDOWN mapping works, and /proc/self/maps shows
//     the mapping starting a page lower; one 8 pages below that grows it to there at once;
//     on Pagoda the stack_grow counter of /proc/vmstat counts each growth;
//   - an accessible mapping less than the stack guard gap (256 pages) below: the store is
//     a SIGSEGV (stack_grow_refused counts it); a PROT_NONE one there is no obstacle;
//   - RLIMIT_STACK bounds the mapping's whole size: past it, SIGSEGV (set in the process, or
//     inherited through fork);
//   - MAP_GROWSDOWN with MAP_SHARED|MAP_ANONYMOUS is EINVAL; a mapping without the flag
//     does not grow (SIGSEGV).
#include "mem_util.h"
#include "tap.h"
#include "vmstat.h"
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define GAP_PAGES 256

static struct vmstat before, after;

// The start of the /proc/self/maps line holding `address`, or 0.
static uintptr_t mapping_start(const void* address)
{
    static char text[65536];
    if (read_whole_file("/proc/self/maps", text, sizeof text) <= 0)
        return 0;
    for (char* line = text; *line;) {
        unsigned long start, end;
        if (sscanf(line, "%lx-%lx", &start, &end) == 2 && (uintptr_t)address >= start && (uintptr_t)address < end)
            return start;
        char* next = strchr(line, '\n');
        if (!next)
            break;
        line = next + 1;
    }
    return 0;
}

// A MAP_GROWSDOWN mapping of `pages` pages at the top of `room` free pages (room > pages).
static unsigned char* grows_down_at_top(size_t room, size_t pages, int extra_flags)
{
    unsigned char* base = free_address(room);
    unsigned char* top = base + (room - pages) * PAGE;
    void* p = mmap(top, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | extra_flags, -1, 0);
    if (p == MAP_FAILED)
        bail("mmap MAP_GROWSDOWN (errno=%d)", errno);
    return top;
}

// Runs `store` in a child; returns the signal that ended it, or 0 if it exited.
static int signal_of_child(void (*store)(void))
{
    pid_t child = fork();
    if (child == 0) {
        store();
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void store_under_guarded(void)
{
    unsigned char* low = grows_down_at_top(GAP_PAGES + 32, 2, MAP_GROWSDOWN);
    // An accessible page 10 pages below: well inside the guard gap.
    if (mmap(low - 10 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        _exit(2);
    low[-1] = 1;
}

static void store_above_prot_none(void)
{
    unsigned char* low = grows_down_at_top(GAP_PAGES + 32, 2, MAP_GROWSDOWN);
    if (mmap(low - 10 * PAGE, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        _exit(2);
    low[-1] = 1;
    low[-8 * PAGE] = 1;
}

// RLIMIT_STACK's soft limit to `bytes`; returns the old limit.
static struct rlimit set_stack_limit(rlim_t bytes)
{
    struct rlimit old, limit;
    getrlimit(RLIMIT_STACK, &old);
    limit = old;
    limit.rlim_cur = bytes;
    if (setrlimit(RLIMIT_STACK, &limit) != 0)
        bail("setrlimit RLIMIT_STACK (errno=%d)", errno);
    return old;
}

static void store_past_inherited_stack_limit(void)
{
    unsigned char* low = grows_down_at_top(GAP_PAGES + 128, 2, MAP_GROWSDOWN);
    low[-62 * PAGE] = 1; // 64 pages in all: at the limit, allowed
    low[-63 * PAGE] = 1; // 65: past it
}

static void store_past_stack_limit(void)
{
    set_stack_limit(64 * PAGE);
    unsigned char* low = grows_down_at_top(GAP_PAGES + 128, 2, MAP_GROWSDOWN);
    low[-62 * PAGE] = 1; // 64 pages in all: at the limit, allowed
    low[-63 * PAGE] = 1; // 65: past it
}

static void store_under_plain(void)
{
    unsigned char* low = grows_down_at_top(GAP_PAGES + 32, 2, 0);
    low[-1] = 1;
}

int main(void)
{
    tap_plan(9);
    vmstat_read(&before);
    vmstat_read(&before);
    unsigned char* low = grows_down_at_top(GAP_PAGES + 64, 2, MAP_GROWSDOWN);
    uintptr_t start_before = mapping_start(low);
    low[-1] = 7;
    uintptr_t start_after = mapping_start(low - 1);
    ok(start_before == (uintptr_t)low && low[-1] == 7 && start_after == (uintptr_t)(low - PAGE),
        "a store a byte below a MAP_GROWSDOWN mapping works: it now starts a page lower (%#lx -> %#lx)",
        (unsigned long)start_before, (unsigned long)start_after);
    unsigned char* deeper = low - 9 * PAGE;
    deeper[0] = 9;
    ok(deeper[0] == 9 && mapping_start(deeper) == (uintptr_t)deeper && mapping_start(low) == (uintptr_t)deeper,
        "a store 8 pages below that grows it down to there in one mapping (%#lx)", (unsigned long)mapping_start(deeper));
    vmstat_read(&after);
    if (vmstat_is_pagoda(&after))
        ok(vmstat_delta(&before, &after, "stack_grow") == 2, "Pagoda counted 2 growths (stack_grow +%lld)",
            vmstat_delta(&before, &after, "stack_grow"));
    else
        skip("not Pagoda", "the stack_grow counter");

    vmstat_read(&before);
    int guarded = signal_of_child(store_under_guarded);
    vmstat_read(&after);
    ok(guarded == SIGSEGV, "an accessible mapping inside the guard gap below: the store is a SIGSEGV (signal %d)", guarded);
    if (vmstat_is_pagoda(&after))
        ok(vmstat_delta(&before, &after, "stack_grow_refused") == 1, "Pagoda counted the refused growth (+%lld)",
            vmstat_delta(&before, &after, "stack_grow_refused"));
    else
        skip("not Pagoda", "the stack_grow_refused counter");
    int prot_none = signal_of_child(store_above_prot_none);
    ok(prot_none == 0, "a PROT_NONE mapping there is no obstacle (signal %d)", prot_none);
    int limited = signal_of_child(store_past_stack_limit);
    ok(limited == SIGSEGV, "RLIMIT_STACK 64 pages: growing to 64 works, to 65 is a SIGSEGV (signal %d)", limited);
    struct rlimit old = set_stack_limit(64 * PAGE);
    int inherited = signal_of_child(store_past_inherited_stack_limit);
    setrlimit(RLIMIT_STACK, &old);
    ok(inherited == SIGSEGV, "the same with the limit set before fork: the child inherits it (signal %d)", inherited);

    errno = 0;
    void* shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    int shared_errno = errno;
    int plain = signal_of_child(store_under_plain);
    ok(shared == MAP_FAILED && shared_errno == EINVAL && plain == SIGSEGV,
        "MAP_GROWSDOWN|MAP_SHARED|MAP_ANONYMOUS: EINVAL (errno %d); without MAP_GROWSDOWN nothing grows (signal %d)",
        shared_errno, plain);
    return tap_done();
}
