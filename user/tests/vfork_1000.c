// vfork_1000 — 1000 cycles of vfork(), _exit(i % 256) in the child, waitpid in the parent.
// Everywhere: every vfork succeeds and waitpid reports each child's own exit code.
// On Pagoda: frames_free after the loop equals frames_free before it (measured after one
// warm-up cycle), and the loop makes no copy-on-write faults at all (cow_copy and
// cow_reuse +0): a vfork child borrows the parent's address space, nothing is protected.
#include "proc_util.h"
#include "tap.h"
#include "vmstat.h"

#define CYCLES 1000

static struct vmstat before, after;

struct loop_result {
    int forked, bad_status, bad_wait, vfork_errno;
};

__attribute__((noinline)) static struct loop_result run(int cycles)
{
    struct loop_result r = { 0, 0, 0, 0 };
    for (volatile int i = 0; i < cycles; ++i) {
        int code = i & 0xff;
        pid_t pid = vfork();
        if (pid == 0)
            _exit(code);
        if (pid < 0) {
            r.vfork_errno = errno;
            break;
        }
        ++r.forked;
        int status = -1;
        if (waitpid(pid, &status, 0) != pid)
            ++r.bad_wait;
        else if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
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
        bail("warm-up vfork failed (errno=%d)", warm.vfork_errno);
    touch_stack();
    vmstat_read(&before);
    struct loop_result r = run(CYCLES);
    vmstat_read(&after);

    ok(r.forked == CYCLES, "%d vforks succeed (%d did, errno=%d)", CYCLES, r.forked, r.vfork_errno);
    ok(r.bad_wait == 0 && r.bad_status == 0,
        "waitpid returns each child with WIFEXITED and its own exit code (%d wrong pid, %d wrong status)", r.bad_wait,
        r.bad_status);
    if (pagoda) {
        long long copy = vmstat_delta(&before, &after, "cow_copy"), reuse = vmstat_delta(&before, &after, "cow_reuse");
        ok(copy == 0 && reuse == 0, "no copy-on-write faults in %d vfork cycles (cow_copy +%lld, cow_reuse +%lld)", CYCLES,
            copy, reuse);
        long long f0 = vmstat_value(&before, "frames_free"), f1 = vmstat_value(&after, "frames_free");
        ok(f0 == f1, "frames_free after %d vfork/exit cycles equals before (%lld vs %lld)", CYCLES, f1, f0);
    } else {
        skip("not Pagoda", "no copy-on-write faults in %d vfork cycles", CYCLES);
        skip("not Pagoda", "frames_free after %d vfork/exit cycles equals before", CYCLES);
    }
    return tap_done();
}
