// Signal handlers: kill() to oneself and from a child, SIGSEGV caught and escaped with
// siglongjmp, blocked signals delivered on unblock, SA_RESETHAND, SA_RESTART vs EINTR, the
// handler's saved context restored exactly (registers and SSE state survive).
#include "tap.h"
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_count;
static volatile int last_signal;
static volatile void* fault_address;
static sigjmp_buf recover;

static void on_usr1(int signal) { ++usr1_count, last_signal = signal; }
static void on_segv(int signal, siginfo_t* info, void* context)
{
    (void)context;
    last_signal = signal;
    fault_address = info->si_addr;
    siglongjmp(recover, 1);
}
static void on_alarm_like(int signal) { last_signal = signal; }

// What sigaction() reports from inside a SA_RESETHAND handler: Linux resets only the handler
// to SIG_DFL, and keeps the flags (SA_SIGINFO, SA_RESETHAND itself) and the mask.
static struct sigaction seen_in_handler;
static void on_usr2_once(int signal, siginfo_t* info, void* context)
{
    (void)info, (void)context;
    last_signal = signal;
    sigaction(signal, NULL, &seen_in_handler);
}

int main(void)
{
    tap_plan(10);

    struct sigaction action = { 0 };
    action.sa_handler = on_usr1;
    sigemptyset(&action.sa_mask);
    ok(sigaction(SIGUSR1, &action, NULL) == 0, "sigaction(SIGUSR1) installs a handler");
    kill(getpid(), SIGUSR1);
    ok(usr1_count == 1 && last_signal == SIGUSR1, "kill(self) runs the handler once (count %d)", (int)usr1_count);

    // Blocked: stays pending, delivered once unblocked.
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    kill(getpid(), SIGUSR1);
    int while_blocked = usr1_count;
    sigprocmask(SIG_SETMASK, &old, NULL);
    ok(while_blocked == 1 && usr1_count == 2, "a blocked signal waits, then runs on unblock (%d then %d)", while_blocked,
        (int)usr1_count);

    // SSE and general registers survive a handler that clobbers them.
    volatile double x = 1.5;
    double y = x * 3.0;
    kill(getpid(), SIGUSR1);
    ok(y == 4.5 && x * 3.0 == 4.5, "floating-point state survives the handler");

    // SIGSEGV caught: the handler sees the address, siglongjmp escapes the fault.
    struct sigaction segv = { 0 };
    segv.sa_sigaction = on_segv;
    segv.sa_flags = SA_SIGINFO;
    sigemptyset(&segv.sa_mask);
    sigaction(SIGSEGV, &segv, NULL);
    char* page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int caught = 0;
    if (sigsetjmp(recover, 1) == 0)
        page[10] = 1;
    else
        caught = 1;
    ok(caught && last_signal == SIGSEGV && fault_address == page + 10,
        "a write to a read-only page calls the SIGSEGV handler with si_addr (%p vs %p)", (void*)fault_address,
        (void*)(page + 10));

    // SA_RESETHAND: the second SIGUSR2 takes the default action (terminate) — in a child.
    pid_t child = fork();
    if (child == 0) {
        struct sigaction once = { 0 };
        once.sa_handler = on_alarm_like;
        once.sa_flags = SA_RESETHAND;
        sigaction(SIGUSR2, &once, NULL);
        kill(getpid(), SIGUSR2);
        if (last_signal != SIGUSR2)
            _exit(3);
        kill(getpid(), SIGUSR2);
        _exit(4);
    }
    int status;
    waitpid(child, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR2, "SA_RESETHAND: handled once, then default (status %#x)",
        status);

    // SA_RESETHAND|SA_SIGINFO: inside the handler the action is SIG_DFL with the flags and mask kept.
    child = fork();
    if (child == 0) {
        struct sigaction once = { 0 };
        once.sa_sigaction = on_usr2_once;
        once.sa_flags = SA_RESETHAND | SA_SIGINFO;
        sigemptyset(&once.sa_mask);
        sigaddset(&once.sa_mask, SIGUSR1);
        sigaction(SIGUSR2, &once, NULL);
        kill(getpid(), SIGUSR2);
        if (last_signal != SIGUSR2)
            _exit(3);
        if (seen_in_handler.sa_handler != SIG_DFL)
            _exit(4);
        if ((seen_in_handler.sa_flags & (SA_RESETHAND | SA_SIGINFO)) != (SA_RESETHAND | SA_SIGINFO))
            _exit(5);
        _exit(sigismember(&seen_in_handler.sa_mask, SIGUSR1) ? 0 : 6);
    }
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "SA_RESETHAND resets only the handler: flags and mask stay as sigaction() shows them (status %#x: 4 handler, 5 "
        "flags, 6 mask)",
        status);

    // EINTR without SA_RESTART, a restarted read with it: a child signals us while we read.
    int fds[2];
    pipe(fds);
    struct sigaction interrupt = { 0 };
    interrupt.sa_handler = on_alarm_like;
    sigaction(SIGUSR2, &interrupt, NULL);
    child = fork();
    if (child == 0) {
        usleep(100 * 1000);
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    char c;
    errno = 0;
    ssize_t n = read(fds[0], &c, 1);
    int read_errno = errno;
    waitpid(child, &status, 0);
    ok(n == -1 && read_errno == EINTR, "a handler without SA_RESTART interrupts read() with EINTR (n=%zd errno=%d)", n,
        read_errno);

    interrupt.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &interrupt, NULL);
    last_signal = 0;
    child = fork();
    if (child == 0) {
        usleep(100 * 1000);
        kill(getppid(), SIGUSR2);
        usleep(100 * 1000);
        write(fds[1], "r", 1);
        _exit(0);
    }
    n = read(fds[0], &c, 1);
    waitpid(child, &status, 0);
    ok(n == 1 && c == 'r' && last_signal == SIGUSR2, "with SA_RESTART the read resumes after the handler (n=%zd)", n);

    // A signal from another process runs the handler too.
    usr1_count = 0;
    child = fork();
    if (child == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    waitpid(child, &status, 0);
    for (int i = 0; i < 100 && usr1_count == 0; ++i)
        usleep(1000);
    ok(usr1_count == 1, "kill() from a child runs the parent's handler");
    return tap_done();
}
