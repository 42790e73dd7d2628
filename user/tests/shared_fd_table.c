// shared_fd_table — clone(CLONE_FILES) without CLONE_THREAD: two processes with one
// descriptor table (Linux's shared files_struct):
//   a descriptor the child opens is open in the parent, one the child closes is closed in
//   the parent, and the child's exit closes nothing of the parent's;
//   a plain fork's child has a copy: what it opens or closes is its own;
//   close_range(CLOSE_RANGE_UNSHARE) gives the child a copy first, so what it closes then
//   stays open in the parent;
//   exec gives the child a table of its own before closing its close-on-exec descriptors,
//   so the parent's close-on-exec descriptor stays open.
// The test runs itself as the program the child execs ("--exit": exits at once).
#define _GNU_SOURCE
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLOSE_RANGE_UNSHARE 2

static int is_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

// Runs `body` in a child made by clone with `flags` (and SIGCHLD, no new stack: it runs on a
// copy of ours, as fork); returns the child's exit status, or -1.
static int in_child(unsigned long flags, int (*body)(void))
{
    long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        _exit(body());
    if (pid < 0) {
        diag("clone %#lx: errno %d", flags, errno);
        return -1;
    }
    int status;
    if (waitpid((pid_t)pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int open_at_50(void) { return dup2(0, 50) == 50 ? 0 : 1; }
static int close_51(void) { return close(51) == 0 ? 0 : 1; }
static int unshare_then_close_52(void)
{
    if (syscall(SYS_close_range, 52, 52, CLOSE_RANGE_UNSHARE) != 0)
        return 2;
    return is_open(52) ? 1 : 0;
}
static char self[4096];
static int exec_self(void)
{
    char* argv[] = { self, "--exit", NULL };
    execv(self, argv);
    return 3;
}

int main(int argc, char** argv)
{
    if (argc >= 2 && strcmp(argv[1], "--exit") == 0)
        return 0;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        bail("readlink /proc/self/exe: errno %d", errno);
    self[n] = 0;

    close(50);
    int r = in_child(CLONE_FILES, open_at_50);
    ok(r == 0 && is_open(50), "a descriptor a CLONE_FILES child opened is open in the parent (r=%d)", r);
    ok(r == 0, "and the child's exit left it open");
    close(50);

    r = in_child(0, open_at_50);
    ok(r == 0 && !is_open(50), "a plain fork's child opens in its own copy (r=%d)", r);

    dup2(0, 51);
    r = in_child(CLONE_FILES, close_51);
    ok(r == 0 && !is_open(51), "a descriptor a CLONE_FILES child closed is closed in the parent (r=%d)", r);

    dup2(0, 52);
    r = in_child(CLONE_FILES, unshare_then_close_52);
    ok(r == 0 && is_open(52), "after CLOSE_RANGE_UNSHARE the child closes in its own copy (r=%d)", r);
    close(52);

    dup2(0, 53);
    fcntl(53, F_SETFD, FD_CLOEXEC);
    r = in_child(CLONE_FILES, exec_self);
    ok(r == 0 && is_open(53), "a CLONE_FILES child's exec leaves the parent's close-on-exec descriptor open (r=%d)", r);
    close(53);
    return tap_done();
}
