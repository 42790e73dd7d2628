// parent_death — prctl PR_SET_PDEATHSIG and PR_SET_CHILD_SUBREAPER, as Linux: the signal a
// child asked for arrives when its parent exits; an orphan goes to the nearest subreaper
// ancestor (getppid says so, and that ancestor reaps it with waitpid) instead of init; the
// settings read back (GET), a fork child does not inherit the death signal, signal 65 is
// EINVAL.
#include "tap.h"
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;
static void on_usr1(int signal) { got_signal = signal; }

int main(void)
{
    int value = -1;
    ok(prctl(PR_GET_PDEATHSIG, &value) == 0 && value == 0, "no death signal at first (%d)", value);
    errno = 0;
    ok(prctl(PR_SET_PDEATHSIG, 65) == -1 && errno == EINVAL, "signal 65: EINVAL (%d)", errno);
    ok(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 && prctl(PR_GET_CHILD_SUBREAPER, &value) == 0 && value == 1,
        "this process is a child subreaper (%d)", value);

    // middle forks the orphan-to-be, waits until it has asked for SIGUSR1, and exits.
    int ready[2], report[2];
    pipe(ready);
    pipe(report);
    pid_t self = getpid();
    pid_t middle = fork();
    if (middle == 0) {
        pid_t orphan = fork();
        if (orphan == 0) {
            struct sigaction action = { .sa_handler = on_usr1 };
            sigaction(SIGUSR1, &action, NULL);
            sigset_t block, old;
            sigemptyset(&block);
            sigaddset(&block, SIGUSR1);
            sigprocmask(SIG_BLOCK, &block, &old);
            prctl(PR_SET_PDEATHSIG, SIGUSR1);
            int asked = 0;
            prctl(PR_GET_PDEATHSIG, &asked);
            pid_t grandchild = fork();
            if (grandchild == 0) {
                int inherited = -1;
                prctl(PR_GET_PDEATHSIG, &inherited);
                _exit(inherited == 0 ? 0 : 1);
            }
            int status;
            waitpid(grandchild, &status, 0);
            int not_inherited = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            write(ready[1], "r", 1);
            while (!got_signal)
                sigsuspend(&old);
            int facts[4] = { asked, not_inherited, got_signal, (int)getppid() };
            write(report[1], facts, sizeof facts);
            _exit(0);
        }
        char byte;
        read(ready[0], &byte, 1);
        _exit(0);
    }
    int status;
    waitpid(middle, &status, 0);
    int facts[4] = { 0 };
    ok(read(report[0], facts, sizeof facts) == (ssize_t)sizeof facts, "the orphan reports");
    ok(facts[0] == SIGUSR1, "PR_GET_PDEATHSIG reads back SIGUSR1 (%d)", facts[0]);
    ok(facts[1], "a fork child does not inherit the death signal");
    ok(facts[2] == SIGUSR1, "the parent's exit sent SIGUSR1 (%d)", facts[2]);
    ok(facts[3] == self, "the orphan's new parent is the subreaper (getppid %d, subreaper %d)", facts[3], (int)self);
    pid_t reaped = wait(&status);
    ok(reaped > 0 && reaped != middle && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "the subreaper reaps the orphan (pid %d, status %#x)", (int)reaped, status);
    return tap_done();
}
