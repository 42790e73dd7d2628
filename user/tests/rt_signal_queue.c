// rt_signal_queue — real-time signals are queued, standard ones are not:
//   - SIGRTMIN sent 3 times while blocked: its handler runs 3 times once unblocked;
//     SIGUSR1 sent 3 times: once;
//   - sigqueue's values arrive in the order sent (sigwaitinfo: si_code SI_QUEUE, si_pid,
//     si_value), and of two pending real-time signals the lower number comes first;
//   - rt_sigqueueinfo to another process claiming a kill() origin (si_code SI_USER): EPERM.
#include "tap.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t rt_count, usr1_count;
static volatile int order[8], order_count;
static void on_rt(int signal)
{
    ++rt_count;
    if (order_count < 8)
        order[order_count++] = signal;
}
static void on_usr1(int signal)
{
    (void)signal;
    ++usr1_count;
}

static void block(int signal, int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    sigprocmask(how, &set, NULL);
}

int main(void)
{
    tap_plan(6);
    signal(SIGRTMIN, on_rt);
    signal(SIGUSR1, on_usr1);
    block(SIGRTMIN, SIG_BLOCK);
    block(SIGUSR1, SIG_BLOCK);
    for (int i = 0; i < 3; ++i) {
        kill(getpid(), SIGRTMIN);
        kill(getpid(), SIGUSR1);
    }
    block(SIGRTMIN, SIG_UNBLOCK);
    block(SIGUSR1, SIG_UNBLOCK);
    ok(rt_count == 3, "SIGRTMIN sent 3 times while blocked: the handler ran 3 times (%d)", (int)rt_count);
    ok(usr1_count == 1, "SIGUSR1 sent 3 times while blocked: once (%d)", (int)usr1_count);

    int queued = SIGRTMIN + 1;
    block(queued, SIG_BLOCK);
    for (int v = 1; v <= 3; ++v)
        sigqueue(getpid(), queued, (union sigval) { .sival_int = v * 10 });
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, queued);
    int values_ok = 1, info_ok = 1;
    for (int v = 1; v <= 3; ++v) {
        siginfo_t info;
        int got = sigwaitinfo(&set, &info);
        values_ok &= got == queued && info.si_value.sival_int == v * 10;
        info_ok &= info.si_code == SI_QUEUE && info.si_pid == getpid();
    }
    ok(values_ok, "sigqueue's values 10, 20, 30 arrive in that order");
    ok(info_ok, "with si_code SI_QUEUE and our pid");
    block(queued, SIG_UNBLOCK);

    // Each handler blocks both signals, so neither nests inside the other (Linux would
    // otherwise set up both frames at once and the second would run first).
    order_count = 0;
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGRTMIN + 1);
    sigaddset(&both, SIGRTMIN + 2);
    struct sigaction action = { 0 };
    action.sa_handler = on_rt;
    action.sa_mask = both;
    sigaction(SIGRTMIN + 1, &action, NULL);
    sigaction(SIGRTMIN + 2, &action, NULL);
    sigprocmask(SIG_BLOCK, &both, NULL);
    kill(getpid(), SIGRTMIN + 2);
    kill(getpid(), SIGRTMIN + 1);
    sigprocmask(SIG_UNBLOCK, &both, NULL);
    ok(order_count == 2 && order[0] == SIGRTMIN + 1 && order[1] == SIGRTMIN + 2,
        "two pending real-time signals: the lower number is delivered first (%d, %d)", order[0], order[1]);

    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    siginfo_t forged;
    memset(&forged, 0, sizeof forged);
    forged.si_signo = SIGUSR1;
    forged.si_code = SI_USER;
    errno = 0;
    long r = syscall(SYS_rt_sigqueueinfo, child, SIGUSR1, &forged);
    ok(r == -1 && errno == EPERM, "rt_sigqueueinfo to another process claiming SI_USER: EPERM (errno %d)", errno);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return tap_done();
}
