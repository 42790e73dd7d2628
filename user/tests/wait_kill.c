// wait_kill — waitpid and kill between a parent and its children.
// - waitpid(pid, WNOHANG) returns 0 while the child runs (it is blocked reading a pipe);
// - kill(child, SIGTERM) of a child blocked in read: WIFSIGNALED, WTERMSIG == SIGTERM;
// - kill(child, SIGKILL) of a child blocked in read: WTERMSIG == SIGKILL;
// - kill(pid, 0) of a live child succeeds;
// - waitpid(-1) reaps any child: three children exiting 11, 12, 13 are each reaped once,
//   with their own status;
// - ECHILD from waitpid(-1) with and without WNOHANG when there are no children;
// - ESRCH from kill() of a pid that no longer exists (a reaped child) and of INT_MAX;
// - SIGCHLD's default action is to ignore: the parent is not killed when a child exits, and
//   the child stays waitable (a zombie) until waitpid.
#include "proc_util.h"
#include "tap.h"

#include <limits.h>
#include <signal.h>
#include <time.h>

// A child that says "ready" on ready_fd and then blocks reading block_fd (exits 0 at EOF).
static pid_t blocked_child(int* release_fd)
{
    int ready[2], block[2];
    if (pipe(ready) || pipe(block))
        bail("pipe failed (errno=%d)", errno);
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        close(block[1]);
        write(ready[1], "r", 1);
        char c;
        ssize_t n = read(block[0], &c, 1);
        _exit(n == 0 ? 0 : 1);
    }
    if (pid < 0)
        bail("fork failed (errno=%d)", errno);
    close(ready[1]);
    close(block[0]);
    char c = 0;
    if (read(ready[0], &c, 1) != 1)
        bail("child did not report ready");
    close(ready[0]);
    *release_fd = block[1];
    struct timespec t = { 0, 20 * 1000000 }; // let it reach read()
    nanosleep(&t, NULL);
    return pid;
}

int main(void)
{
    tap_plan(14);
    int release = -1;

    // --- WNOHANG while running, then SIGTERM ---
    pid_t pid = blocked_child(&release);
    int status = -1;
    pid_t w = waitpid(pid, &status, WNOHANG);
    ok(w == 0, "waitpid(child, WNOHANG) returns 0 while the child is blocked in read (got %d errno=%d)", w, errno);
    ok(kill(pid, 0) == 0, "kill(child, 0) succeeds for a live child (errno=%d)", errno);
    ok(kill(pid, SIGTERM) == 0, "kill(child, SIGTERM) succeeds (errno=%d)", errno);
    status = -1;
    w = waitpid(pid, &status, 0);
    ok(w == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
        "the child blocked in read dies of SIGTERM (waitpid=%d, %s)", w, describe_wait_status(status));
    close(release);

    // --- SIGKILL ---
    pid = blocked_child(&release);
    int r = kill(pid, SIGKILL);
    status = -1;
    w = waitpid(pid, &status, 0);
    ok(r == 0 && w == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
        "kill(child, SIGKILL) of a child blocked in read: WTERMSIG == SIGKILL (kill=%d waitpid=%d, %s)", r, w,
        describe_wait_status(status));
    close(release);

    // --- ESRCH for the pid of a reaped child ---
    errno = 0;
    r = kill(pid, SIGTERM);
    ok(r == -1 && errno == ESRCH, "kill() of a reaped child's pid %d fails with ESRCH (r=%d errno=%d)", pid, r, errno);
    errno = 0;
    r = kill(INT_MAX, 0);
    ok(r == -1 && errno == ESRCH, "kill(INT_MAX, 0) fails with ESRCH (r=%d errno=%d)", r, errno);

    // --- waitpid(-1) reaps any ---
    pid_t kids[3];
    for (int i = 0; i < 3; ++i) {
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(11 + i);
        if (kids[i] < 0)
            bail("fork failed (errno=%d)", errno);
    }
    int reaped[3] = { 0, 0, 0 }, wrong = 0;
    for (int k = 0; k < 3; ++k) {
        status = -1;
        w = waitpid(-1, &status, 0);
        int found = 0;
        for (int i = 0; i < 3; ++i) {
            if (w == kids[i]) {
                found = 1;
                ++reaped[i];
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 11 + i)
                    ++wrong;
            }
        }
        if (!found)
            ++wrong;
    }
    ok(reaped[0] == 1 && reaped[1] == 1 && reaped[2] == 1 && wrong == 0,
        "waitpid(-1) reaps each of three children once with its own exit status (%d %d %d, %d wrong)", reaped[0],
        reaped[1], reaped[2], wrong);

    // --- ECHILD ---
    errno = 0;
    w = waitpid(-1, &status, 0);
    ok(w == -1 && errno == ECHILD, "waitpid(-1) without children fails with ECHILD (r=%d errno=%d)", w, errno);
    errno = 0;
    w = waitpid(-1, &status, WNOHANG);
    ok(w == -1 && errno == ECHILD, "waitpid(-1, WNOHANG) without children fails with ECHILD (r=%d errno=%d)", w, errno);
    errno = 0;
    w = waitpid(kids[0], &status, 0);
    ok(w == -1 && errno == ECHILD, "waitpid of an already reaped child fails with ECHILD (r=%d errno=%d)", w, errno);

    // --- SIGCHLD ignored by default; the zombie stays waitable ---
    int done[2];
    if (pipe(done))
        bail("pipe failed (errno=%d)", errno);
    pid = fork();
    if (pid == 0) {
        close(done[0]);
        _exit(5); // closes done[1]: the parent sees EOF as the child exits
    }
    close(done[1]);
    char c;
    ssize_t n = read(done[0], &c, 1);
    close(done[0]);
    struct timespec t = { 0, 50 * 1000000 }; // let the exit and its SIGCHLD happen
    nanosleep(&t, NULL);
    ok(n == 0, "the parent is still running after its child exited (SIGCHLD ignored by default; read -> EOF %zd)", n);
    ok(kill(pid, 0) == 0, "kill(zombie, 0) succeeds: the exited child exists until it is reaped (errno=%d)", errno);
    status = -1;
    w = waitpid(pid, &status, WNOHANG);
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 5,
        "the zombie is reaped by waitpid(WNOHANG) with its status 5 (waitpid=%d, %s)", w, describe_wait_status(status));
    return tap_done();
}
