// fork_exit_1000 — 1000 cycles of fork(), _exit(i % 256) in the child, waitpid in the parent.
// Everywhere: every fork succeeds and waitpid reports each child's own exit code.
// On Pagoda: the forks counter in /proc/vmstat grows by exactly 1000, and frames_free after
// the loop equals frames_free before it (every child's page tables, kernel stack and copied
// pages are freed), measured after one warm-up cycle so the parent's own state exists.
#include "proc_util.h"
#include "tap.h"
#include "vmstat.h"

#define CYCLES 1000

static struct vmstat before, after;

struct loop_result {
    int forked, bad_status, bad_wait, fork_errno;
};

__attribute__((noinline)) static struct loop_result run(int cycles)
{
    struct loop_result r = { 0, 0, 0, 0 };
    for (int i = 0; i < cycles; ++i) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(i & 0xff);
        if (pid < 0) {
            r.fork_errno = errno;
            break;
        }
        ++r.forked;
        int status = -1;
        if (waitpid(pid, &status, 0) != pid)
            ++r.bad_wait;
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != (i & 0xff))
            ++r.bad_status;
    }
    return r;
}

int main(void)
{
    tap_plan(4);
    touch_stack();
    vmstat_read(&after);
    vmstat_read(&before);
    int pagoda = vmstat_is_pagoda(&before);
    struct loop_result warm = run(1);
    if (warm.forked != 1)
        bail("warm-up fork failed (errno=%d)", warm.fork_errno);
    touch_stack();
    vmstat_read(&before);
    struct loop_result r = run(CYCLES);
    vmstat_read(&after);

    ok(r.forked == CYCLES, "%d forks succeed (%d did, errno=%d)", CYCLES, r.forked, r.fork_errno);
    ok(r.bad_wait == 0 && r.bad_status == 0,
        "waitpid returns each child with WIFEXITED and its own exit code (%d wrong pid, %d wrong status)", r.bad_wait,
        r.bad_status);
    if (pagoda) {
        long long forks = vmstat_delta(&before, &after, "forks");
        ok(vmstat_value(&after, "forks") >= 0 && forks == CYCLES, "forks counter +%d (got %lld)", CYCLES, forks);
        long long f0 = vmstat_value(&before, "frames_free"), f1 = vmstat_value(&after, "frames_free");
        ok(f0 == f1, "frames_free after %d fork/exit cycles equals before (%lld vs %lld)", CYCLES, f1, f0);
    } else {
        skip("not Pagoda", "forks counter +%d", CYCLES);
        skip("not Pagoda", "frames_free after %d fork/exit cycles equals before", CYCLES);
    }
    return tap_done();
}
