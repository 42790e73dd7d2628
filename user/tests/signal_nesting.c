// Several signals deliverable at once: the kernel builds a handler frame for each before the
// program runs again, one on top of the other, so the last one set up (the highest-numbered)
// runs first and each handler returns into the next. The lowest-numbered is taken first, so
// it is blocked while the others run. A shell's `wait` depends on this: zsh waits in
// sigsuspend() and its trap ends the wait only if its handler runs last (after SIGCHLD's).
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static volatile int order[8];
static volatile int seen;
static volatile int usr1_blocked_in_usr2, usr2_blocked_in_usr1;
static volatile int syscalls_in_handler;

static int is_blocked(int signal)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, signal);
}

static void record(int signal)
{
    if (seen < 8)
        order[seen] = signal;
    seen++;
    if (signal == SIGUSR1)
        usr2_blocked_in_usr1 = is_blocked(SIGUSR2);
    if (signal == SIGUSR2)
        usr1_blocked_in_usr2 = is_blocked(SIGUSR1);
    if (syscalls_in_handler)
        getppid(); // a system call in the handler: a point where a signal could be delivered
}

static void install(int signal)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = record;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, NULL);
}

static void block_both(sigset_t* old)
{
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    sigprocmask(SIG_BLOCK, &both, old);
}

static void reset(void)
{
    seen = 0;
    order[0] = order[1] = order[2] = 0;
    usr1_blocked_in_usr2 = usr2_blocked_in_usr1 = -1;
}

int main(void)
{
    install(SIGUSR1);
    install(SIGUSR2);
    install(SIGCHLD);

    // Both pending, then unblocked by sigprocmask.
    for (syscalls_in_handler = 0; syscalls_in_handler <= 1; syscalls_in_handler++) {
        sigset_t old;
        reset();
        block_both(&old);
        kill(getpid(), SIGUSR1);
        kill(getpid(), SIGUSR2);
        sigprocmask(SIG_SETMASK, &old, NULL);
        ok(seen == 2 && order[0] == SIGUSR2 && order[1] == SIGUSR1,
            "%s: unblocking two pending signals runs SIGUSR2's handler, then SIGUSR1's (seen %d: %d, %d)",
            syscalls_in_handler ? "handlers make system calls" : "handlers make none", seen, order[0], order[1]);
        ok(usr1_blocked_in_usr2 == 1 && usr2_blocked_in_usr1 == 0,
            "SIGUSR1 (taken first) is blocked while SIGUSR2's handler runs, SIGUSR2 is not in SIGUSR1's (%d, %d)",
            usr1_blocked_in_usr2, usr2_blocked_in_usr1);
    }

    // Both pending, then let through by sigsuspend: both handlers run before it returns, in
    // the same order, and it returns EINTR once with the old mask back.
    syscalls_in_handler = 1;
    reset();
    sigset_t old, none;
    block_both(&old);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR2);
    sigemptyset(&none);
    int r = sigsuspend(&none);
    int e = errno;
    int ran = seen;
    ok(r == -1 && e == EINTR, "sigsuspend returns EINTR (r=%d errno=%d)", r, e);
    ok(ran == 2 && order[0] == SIGUSR2 && order[1] == SIGUSR1,
        "sigsuspend: both handlers ran before it returned, SIGUSR2's first (seen %d: %d, %d)", ran, order[0], order[1]);
    ok(is_blocked(SIGUSR1) && is_blocked(SIGUSR2), "after sigsuspend the old mask is back (both blocked)");
    sigprocmask(SIG_SETMASK, &old, NULL);

    // A child's exit (SIGCHLD, 17) and a SIGUSR1 (10) arrive during sigsuspend, as when a
    // shell's background subshell sends the shell a signal and exits: SIGUSR1's handler runs last.
    reset();
    sigset_t with_child;
    sigemptyset(&with_child);
    sigaddset(&with_child, SIGCHLD);
    sigaddset(&with_child, SIGUSR1);
    sigprocmask(SIG_BLOCK, &with_child, &old);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        kill(parent, SIGUSR1);
        _exit(0);
    }
    // Both are pending once the child is a zombie: wait for that without reaping it.
    siginfo_t info;
    memset(&info, 0, sizeof info);
    waitid(P_PID, child, &info, WEXITED | WNOWAIT);
    r = sigsuspend(&none);
    ran = seen;
    ok(r == -1 && ran == 2 && order[0] == SIGCHLD && order[1] == SIGUSR1,
        "SIGCHLD and SIGUSR1 pending for sigsuspend: SIGCHLD's handler runs first, SIGUSR1's last (seen %d: %d, %d)", ran,
        order[0], order[1]);
    sigprocmask(SIG_SETMASK, &old, NULL);
    waitid(P_PID, child, &info, WEXITED);
    return tap_done();
}
