// fork_tree — a tree of processes three levels deep, and an orphan.
// Tree: the root forks 2 children, each forks 2, each of those forks 2 (14 descendants).
// Every process checks getppid() == the pid its parent had, writes its pid to a pipe shared
// by the whole tree, waits for its own children and exits with the size of its subtree
// (1 for a leaf, 3, 7), or 100+ if a check failed. The root checks both exit statuses (7),
// that 14 distinct pids (none its own) came through the pipe, and that it then has no
// children left (ECHILD).
// Orphan: a child forks a grandchild and exits at once; the grandchild polls getppid()
// (bounded, with sched_yield and 1 ms sleeps) until it is no longer the dead parent's pid,
// and reports the new value through a pipe: it must be non-zero and not the dead parent
// (on Linux it may be a subreaper rather than 1, so only "changed" is required; when the
// test itself is pid 1, as on Pagoda, the orphan must have become our child and we reap it).
#include "proc_util.h"
#include "tap.h"

#include <sched.h>
#include <stdint.h>
#include <time.h>

#define DEPTH 3
#define FANOUT 2
#define DESCENDANTS 14 // 2 + 4 + 8

static int pid_pipe[2];

// Run one node at `level` (0 = root's children are level 1); returns its exit code.
__attribute__((noreturn)) static void node(int level, pid_t expected_parent)
{
    int code = 1;
    if (getppid() != expected_parent)
        _exit(101);
    pid_t me = getpid();
    if (write(pid_pipe[1], &me, sizeof me) != (ssize_t)sizeof me)
        _exit(102);
    if (level < DEPTH) {
        pid_t kids[FANOUT];
        for (int i = 0; i < FANOUT; ++i) {
            kids[i] = fork();
            if (kids[i] < 0)
                _exit(103);
            if (kids[i] == 0)
                node(level + 1, me);
        }
        int expected_child_code = (1 << (DEPTH - level)) - 1; // subtree size of a child
        for (int i = 0; i < FANOUT; ++i) {
            int status = 0;
            if (waitpid(kids[i], &status, 0) != kids[i])
                _exit(104);
            if (!WIFEXITED(status))
                _exit(105);
            if (WEXITSTATUS(status) != expected_child_code)
                _exit(WEXITSTATUS(status) >= 100 ? WEXITSTATUS(status) : 106); // pass failures up
            code += WEXITSTATUS(status);
        }
        if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
            _exit(107);
    }
    _exit(code);
}

struct orphan_report {
    pid_t dead_parent;
    pid_t new_parent;
    int polls;
};

int main(void)
{
    tap_plan(10);
    pid_t root = getpid();
    if (pipe(pid_pipe))
        bail("pipe failed (errno=%d)", errno);

    // --- the tree ---
    pid_t kids[FANOUT];
    for (int i = 0; i < FANOUT; ++i) {
        kids[i] = fork();
        if (kids[i] < 0)
            bail("fork failed (errno=%d)", errno);
        if (kids[i] == 0)
            node(1, root);
    }
    int total = 0, all_exited = 1;
    for (int i = 0; i < FANOUT; ++i) {
        int status = -1;
        pid_t w = waitpid(kids[i], &status, 0);
        int good = w == kids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 7;
        all_exited &= good;
        if (w == kids[i] && WIFEXITED(status))
            total += WEXITSTATUS(status);
        ok(good, "level-1 child %d exits with its subtree size 7 (waitpid=%d, %s; 101 getppid wrong, 102 pipe, 103 fork, "
                 "104 waitpid, 105 killed, 106 wrong code, 107 leftover child)",
            i, w, describe_wait_status(status));
    }
    ok(total == DESCENDANTS, "exit statuses add up to %d descendants (got %d)", DESCENDANTS, total);

    close(pid_pipe[1]);
    pid_t pids[64];
    ssize_t bytes = read_full(pid_pipe[0], pids, sizeof pids);
    close(pid_pipe[0]);
    int count = bytes > 0 ? (int)(bytes / (ssize_t)sizeof(pid_t)) : 0;
    int distinct = 1;
    for (int i = 0; i < count; ++i) {
        if (pids[i] <= 0 || pids[i] == root)
            distinct = 0;
        for (int j = 0; j < i; ++j)
            if (pids[i] == pids[j])
                distinct = 0;
    }
    ok(count == DESCENDANTS && distinct, "%d distinct descendant pids reported through the shared pipe (got %d, %s)",
        DESCENDANTS, count, distinct ? "distinct" : "NOT distinct");
    errno = 0;
    pid_t left = waitpid(-1, NULL, WNOHANG);
    ok(left == -1 && errno == ECHILD, "no children left after reaping the tree: waitpid(-1) -> ECHILD (r=%d errno=%d)",
        left, errno);

    // --- the orphan ---
    int report[2];
    if (pipe(report))
        bail("pipe failed (errno=%d)", errno);
    pid_t middle = fork();
    if (middle < 0)
        bail("fork failed (errno=%d)", errno);
    if (middle == 0) {
        pid_t me = getpid();
        pid_t grandchild = fork();
        if (grandchild < 0)
            _exit(2);
        if (grandchild == 0) {
            struct orphan_report rep = { me, getppid(), 0 };
            // Wait (bounded: ~5000 polls of >= 1 ms) for the parent's exit to re-parent us.
            while (rep.polls < 5000 && (rep.new_parent = getppid()) == me) {
                sched_yield();
                struct timespec ms = { 0, 1000000 };
                nanosleep(&ms, NULL);
                ++rep.polls;
            }
            write_all(report[1], &rep, sizeof rep);
            _exit(0);
        }
        _exit(0); // at once: the grandchild becomes an orphan
    }
    close(report[1]);
    int status = -1;
    pid_t w = waitpid(middle, &status, 0);
    ok(w == middle && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "the orphan's parent exits 0 right after forking it (waitpid=%d, %s)", w, describe_wait_status(status));
    struct orphan_report rep = { 0, 0, -1 };
    ssize_t n = read_full(report[0], &rep, sizeof rep);
    close(report[0]);
    ok(n == (ssize_t)sizeof rep && rep.dead_parent == middle, "the orphan reports back (%zd bytes, its parent was %d)", n,
        rep.dead_parent);
    ok(n == (ssize_t)sizeof rep && rep.new_parent != middle && rep.new_parent != 0,
        "the orphan's getppid() changes from the dead parent %d to another process (%d after %d polls)", middle,
        rep.new_parent, rep.polls);
    if (root == 1) {
        ok(rep.new_parent == 1, "we are pid 1: the orphan is re-parented to us (getppid=%d)", rep.new_parent);
        status = -1;
        pid_t g = waitpid(-1, &status, 0);
        ok(g > 0 && g != middle && WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "pid 1 reaps the adopted orphan, exit 0 (waitpid=%d, %s)", g, describe_wait_status(status));
    } else {
        skip("not pid 1", "the orphan is re-parented to pid 1 (got %d)", rep.new_parent);
        skip("not pid 1", "pid 1 reaps the adopted orphan");
    }
    return tap_done();
}
