// vfork_semantics — what vfork() and posix_spawn() promise, beyond plain process creation.
// - vfork: the child runs in the parent's memory and the parent is suspended until the child
//   exits: the child sets a global, yields the CPU 50 times, sets a second global and
//   _exits(7); when vfork returns in the parent both writes are visible, and the pid and
//   parent pid the child stored are right; waitpid reports exit 7.
// - vfork + execve of /proc/self/exe with the argument "exit42": the child's write made
//   before execve is visible in the parent, and the new program's exit status 42 arrives.
// - posix_spawn (musl: clone(CLONE_VM|CLONE_VFORK)) of /proc/self/exe with "exit 7" returns
//   0 and the spawned program's status is 7; posix_spawn of a path that does not exist
//   returns ENOENT (musl passes the exec failure back through a pipe) and leaves no child.
// When started with "exit42" or "exit N", the program just exits with that status.
#include "proc_util.h"
#include "tap.h"

#include <sched.h>
#include <spawn.h>
#include <stdlib.h>

extern char** environ;

static volatile int first_write, second_write, before_exec;
static volatile pid_t child_saw_pid, child_saw_parent;

int main(int argc, char** argv)
{
    if (argc >= 2 && strcmp(argv[1], "exit42") == 0)
        return 42;
    if (argc >= 3 && strcmp(argv[1], "exit") == 0)
        return atoi(argv[2]);

    tap_plan(10);
    pid_t me = getpid();

    // --- vfork: shared memory, parent suspended until _exit ---
    pid_t pid = vfork();
    if (pid == 0) {
        first_write = 1;
        for (int i = 0; i < 50; ++i)
            sched_yield(); // a parent that was not suspended would run now and miss second_write
        child_saw_pid = getpid();
        child_saw_parent = getppid();
        second_write = 2;
        _exit(7);
    }
    int seen_first = first_write, seen_second = second_write; // right after vfork returns
    if (pid < 0)
        bail("vfork failed (errno=%d)", errno);
    ok(seen_first == 1 && seen_second == 2,
        "when vfork returns, the child has finished: both its writes are visible (%d, %d)", seen_first, seen_second);
    ok(child_saw_pid == pid && child_saw_parent == me, "the child's getpid() is vfork's result, its getppid() our pid (%d/%d, %d/%d)",
        child_saw_pid, pid, child_saw_parent, me);
    int status = -1;
    pid_t w = waitpid(pid, &status, 0);
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7, "waitpid reports the vfork child's _exit(7) (waitpid=%d, %s)",
        w, describe_wait_status(status));

    // --- vfork + execve ---
    char* exec_argv[] = { argv[0], "exit42", NULL };
    pid = vfork();
    if (pid == 0) {
        before_exec = 1;
        execve("/proc/self/exe", exec_argv, environ);
        _exit(127);
    }
    int seen_before_exec = before_exec;
    ok(pid > 0 && seen_before_exec == 1, "vfork+execve: the child's write before execve is visible in the parent (pid=%d)", pid);
    status = -1;
    w = pid > 0 ? waitpid(pid, &status, 0) : -1;
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 42,
        "vfork+execve(/proc/self/exe, \"exit42\"): exit status 42 (waitpid=%d, %s; 127 = execve failed)", w,
        describe_wait_status(status));

    // --- posix_spawn ---
    char* spawn_argv[] = { argv[0], "exit", "7", NULL };
    pid_t spawned = -1;
    int r = posix_spawn(&spawned, "/proc/self/exe", NULL, NULL, spawn_argv, environ);
    ok(r == 0 && spawned > 0, "posix_spawn(/proc/self/exe, \"exit 7\") returns 0 (r=%d, pid=%d)", r, spawned);
    status = -1;
    w = r == 0 ? waitpid(spawned, &status, 0) : -1;
    ok(w == spawned && WIFEXITED(status) && WEXITSTATUS(status) == 7, "the spawned program exits 7 (waitpid=%d, %s)", w,
        describe_wait_status(status));

    char* missing_argv[] = { "missing", NULL };
    spawned = -1;
    r = posix_spawn(&spawned, "/no/such/program", NULL, NULL, missing_argv, environ);
    ok(r == ENOENT, "posix_spawn of a nonexistent path returns ENOENT (r=%d)", r);
    errno = 0;
    w = waitpid(-1, &status, WNOHANG);
    ok(w == -1 && errno == ECHILD, "no child is left behind by the failed posix_spawn (waitpid=%d errno=%d)", w, errno);

    ok(getpid() == me, "the parent is still itself after all of this (pid %d)", getpid());
    return tap_done();
}
