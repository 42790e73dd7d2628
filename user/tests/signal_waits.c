// signal_waits — waiting for signals and where handlers run:
//   - sigsuspend swaps the mask for the wait and the handler's return restores the old one;
//   - sigtimedwait takes a blocked pending signal without its handler, with si_code and
//     si_pid telling kill (SI_USER) from tgkill (SI_TKILL); with nothing pending it times
//     out (EAGAIN); sigpending shows blocked pending signals;
//   - sigaltstack: SA_ONSTACK handlers run on the alternate stack, which reports SS_ONSTACK
//     there and cannot be changed from there (EPERM); too small is ENOMEM, bad flags EINVAL.
#include "tap.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_count;
static sigset_t mask_in_handler;
static void on_usr1(int signal)
{
    (void)signal;
    ++usr1_count;
    sigprocmask(SIG_BLOCK, NULL, &mask_in_handler);
}

static char alt_stack[65536];
static volatile uintptr_t handler_local;
static volatile int onstack_flag, change_errno;
static void on_usr2(int signal)
{
    (void)signal;
    volatile char here;
    handler_local = (uintptr_t)&here;
    stack_t now;
    sigaltstack(NULL, &now);
    onstack_flag = now.ss_flags & SS_ONSTACK;
    stack_t other = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0 };
    errno = 0;
    change_errno = sigaltstack(&other, NULL) == -1 ? errno : 0;
}

int main(void)
{
    tap_plan(9);
    alarm(30);
    signal(SIGUSR1, on_usr1);
    sigset_t usr1, old, suspend_mask;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    kill(getpid(), SIGUSR1); // pending, blocked
    sigset_t pending;
    sigpending(&pending);
    ok(sigismember(&pending, SIGUSR1) && usr1_count == 0, "a blocked SIGUSR1 is pending and its handler has not run");
    sigemptyset(&suspend_mask);
    errno = 0;
    int r = sigsuspend(&suspend_mask);
    sigset_t after;
    sigprocmask(SIG_BLOCK, NULL, &after);
    ok(r == -1 && errno == EINTR && usr1_count == 1 && sigismember(&after, SIGUSR1),
        "sigsuspend with an empty mask: the handler runs, EINTR, and SIGUSR1 is blocked again after (%d, errno %d)", r, errno);
    ok(sigismember(&mask_in_handler, SIGUSR1), "the handler ran with its own signal blocked");

    siginfo_t info;
    kill(getpid(), SIGUSR1);
    struct timespec second = { 1, 0 };
    r = sigtimedwait(&usr1, &info, &second);
    ok(r == SIGUSR1 && info.si_code == SI_USER && info.si_pid == getpid() && usr1_count == 1,
        "sigtimedwait takes kill's SIGUSR1 without the handler: si_code SI_USER, si_pid ours (%d, %d, %d)", r, info.si_code,
        info.si_pid);
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
    r = sigtimedwait(&usr1, &info, &second);
    ok(r == SIGUSR1 && info.si_code == SI_TKILL && info.si_pid == getpid(), "after tgkill: si_code SI_TKILL (%d, %d)", r, info.si_code);
    struct timespec twenty_ms = { 0, 20 * 1000000 };
    errno = 0;
    r = sigtimedwait(&usr1, &info, &twenty_ms);
    ok(r == -1 && errno == EAGAIN, "nothing pending: a 20 ms sigtimedwait gives EAGAIN (%d, errno %d)", r, errno);
    sigprocmask(SIG_SETMASK, &old, NULL);

    stack_t tiny = { .ss_sp = alt_stack, .ss_size = 1024, .ss_flags = 0 };
    stack_t bad = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 12345 };
    int tiny_errno = sigaltstack(&tiny, NULL) == -1 ? errno : 0;
    int bad_errno = sigaltstack(&bad, NULL) == -1 ? errno : 0;
    ok(tiny_errno == ENOMEM && bad_errno == EINVAL, "sigaltstack: 1024 bytes ENOMEM, unknown flags EINVAL (%d, %d)", tiny_errno,
        bad_errno);
    stack_t alt = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0 };
    sigaltstack(&alt, NULL);
    struct sigaction action = { 0 };
    action.sa_handler = on_usr2;
    action.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &action, NULL);
    raise(SIGUSR2);
    ok(handler_local >= (uintptr_t)alt_stack && handler_local < (uintptr_t)alt_stack + sizeof alt_stack && onstack_flag,
        "an SA_ONSTACK handler runs on the alternate stack, which reports SS_ONSTACK");
    stack_t now;
    sigaltstack(NULL, &now);
    ok(change_errno == EPERM && now.ss_sp == alt_stack && now.ss_size == sizeof alt_stack && !(now.ss_flags & SS_ONSTACK),
        "changing it from the handler is EPERM; afterwards it is set and not in use (errno %d)", change_errno);
    return tap_done();
}
