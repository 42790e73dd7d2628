// rt_signal_queue — real-time signals are queued, standard ones are not:
//   - SIGRTMIN sent 3 times while blocked: its handler runs 3 times once unblocked;
//     SIGUSR1 sent 3 times: once;
//   - sigqueue's values arrive in the order sent (sigwaitinfo: si_code SI_QUEUE, si_pid,
//     si_value), and of two pending real-time signals the lower number comes first;
//   - rt_sigqueueinfo to another process claiming a kill() origin (si_code SI_USER): EPERM;
//   - RLIMIT_SIGPENDING (here 2) bounds the signals queued for our user: a pending SIGUSR1
//     sent twice takes one entry, a sigqueue() the second, then sigqueue() and tgkill() of a
//     real-time signal fail with EAGAIN; kill() of one still makes it pending, its sender
//     lost (si_pid 0), as does tgkill() of a standard one (si_code SI_USER, not SI_TKILL);
//     taking a queued signal makes room again.
#include "child_checks.h"
#include "tap.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
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

// Takes a pending `signal` without waiting: its number, or -1 (EAGAIN) if none is pending.
static int take(int signal, siginfo_t* info)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    struct timespec now = { 0, 0 };
    return sigtimedwait(&set, info, &now);
}

// In a child, as a user of its own: the limit counts every signal queued for the user, and
// root's other processes on the host may have some.
static void check_queue_limit(void)
{
    if (getuid() == 0)
        become_user(61234, 61234, 0, NULL);
    int rt = SIGRTMIN, rt_killed = SIGRTMIN + 1;
    block(SIGUSR1, SIG_BLOCK);
    block(SIGUSR2, SIG_BLOCK);
    block(rt, SIG_BLOCK);
    block(rt_killed, SIG_BLOCK);
    struct rlimit old, two;
    getrlimit(RLIMIT_SIGPENDING, &old);
    two = old;
    two.rlim_cur = 2;
    int set = setrlimit(RLIMIT_SIGPENDING, &two);

    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1); // already pending: no second entry
    int first = sigqueue(getpid(), rt, (union sigval) { .sival_int = 1 });
    errno = 0;
    int second = sigqueue(getpid(), rt, (union sigval) { .sival_int = 2 });
    int second_errno = errno;
    errno = 0;
    long tg = syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), rt);
    int tg_errno = errno;
    ok(set == 0 && first == 0 && second == -1 && second_errno == EAGAIN && tg == -1 && tg_errno == EAGAIN,
        "RLIMIT_SIGPENDING 2, SIGUSR1 pending (sent twice) and one sigqueue(): the next sigqueue() and tgkill() of a "
        "real-time signal fail with EAGAIN (%d %d/%d %ld/%d)",
        first, second, second_errno, tg, tg_errno);

    int killed = kill(getpid(), rt_killed);
    long tg_standard = syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
    siginfo_t info_killed, info_standard;
    memset(&info_killed, 0xff, sizeof info_killed);
    memset(&info_standard, 0xff, sizeof info_standard);
    int got_killed = take(rt_killed, &info_killed);
    int got_standard = take(SIGUSR2, &info_standard);
    ok(killed == 0 && got_killed == rt_killed && info_killed.si_code == SI_USER && info_killed.si_pid == 0,
        "at the limit kill() of a real-time signal still works, pending without its sender (%d, code %d pid %d)", killed,
        info_killed.si_code, (int)info_killed.si_pid);
    ok(tg_standard == 0 && got_standard == SIGUSR2 && info_standard.si_code == SI_USER && info_standard.si_pid == 0,
        "at the limit tgkill() of a standard signal still works, its sender lost (code %d, not SI_TKILL; pid %d)",
        info_standard.si_code, (int)info_standard.si_pid);

    siginfo_t info;
    int got = take(rt, &info);
    int again = sigqueue(getpid(), rt, (union sigval) { .sival_int = 3 });
    int got_again = take(rt, &info);
    ok(got == rt && again == 0 && got_again == rt && info.si_value.sival_int == 3,
        "taking the queued signal makes room: sigqueue() works again (%d, value %d)", again, info.si_value.sival_int);
    take(SIGUSR1, &info);
    setrlimit(RLIMIT_SIGPENDING, &old);
}

int main(void)
{
    tap_plan(11);
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

    checks_in_child("RLIMIT_SIGPENDING", check_queue_limit);
    return tap_done();
}
