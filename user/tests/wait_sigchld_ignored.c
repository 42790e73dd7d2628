// wait_sigchld_ignored — with SIGCHLD ignored, children are reaped as they exit (POSIX):
// nobody can collect their status. A parent already sleeping in wait4 when the child
// exits must wake and get ECHILD, for a given pid and for any child; a child that exited
// before the call also gives ECHILD at once. alarm(10) turns a wait that never ends into
// a failure (SIGALRM kills the test).
#include "tap.h"
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child_exiting_after(long ms)
{
    pid_t child = fork();
    if (child == 0) {
        struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
        nanosleep(&t, NULL);
        _exit(7);
    }
    return child;
}

int main(void)
{
    tap_plan(4);
    alarm(10);
    signal(SIGCHLD, SIG_IGN);
    int status;
    pid_t child = child_exiting_after(200);
    errno = 0;
    ok(waitpid(child, &status, 0) == -1 && errno == ECHILD, "waitpid(child) sleeping while it exits: ECHILD (errno %d)", errno);
    child_exiting_after(200);
    errno = 0;
    ok(wait(&status) == -1 && errno == ECHILD, "wait() for any child sleeping while it exits: ECHILD (errno %d)", errno);
    child = child_exiting_after(0);
    struct timespec t = { 0, 300 * 1000000 };
    nanosleep(&t, NULL);
    errno = 0;
    ok(waitpid(child, &status, 0) == -1 && errno == ECHILD, "waitpid(child) after it exited: ECHILD at once (errno %d)", errno);
    errno = 0;
    ok(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD, "WNOHANG with no child left: ECHILD (errno %d)", errno);
    return tap_done();
}
