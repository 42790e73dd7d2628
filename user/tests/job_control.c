// job_control — stopping and continuing processes, and what the parent hears:
//   - a child's exit raises SIGCHLD in the parent with CLD_EXITED, si_pid and si_status;
//   - SIGSTOP stops a child (its counter in shared memory stops moving, in both of its
//     threads); waitpid(WUNTRACED) reports WIFSTOPPED/SIGSTOP once, SIGCHLD says CLD_STOPPED;
//   - SIGCONT continues it (the counter moves again); waitpid(WCONTINUED) reports
//     WIFCONTINUED, SIGCHLD says CLD_CONTINUED;
//   - a SIGTERM sent while stopped acts only after SIGCONT; SIGKILL ends a stopped child;
//   - SIGTSTP with a handler runs the handler instead of stopping;
//   - a nanosleep interrupted by a stop and continue sleeps to its end (no EINTR);
//   - SA_NOCLDSTOP: no SIGCHLD for stops.
// Waits are polls with a bound (alarm(60) catches a hang); only states are checked.
#include "tap.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile long* counters; // [0] main thread, [1] second thread of the child

static volatile sig_atomic_t chld_count, last_code, last_pid, last_status;
static void on_chld(int signal, siginfo_t* info, void* context)
{
    (void)signal;
    (void)context;
    ++chld_count;
    last_code = info->si_code;
    last_pid = info->si_pid;
    last_status = info->si_status;
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
    while (nanosleep(&t, &t) != 0 && errno == EINTR) { }
}

static void* count_second(void* arg)
{
    (void)arg;
    for (;;)
        ++counters[1];
}

static pid_t counting_child(void)
{
    counters[0] = counters[1] = 0;
    pid_t child = fork();
    if (child == 0) {
        pthread_t t;
        pthread_create(&t, NULL, count_second, NULL);
        for (;;)
            ++counters[0];
    }
    while (counters[0] == 0 || counters[1] == 0)
        sleep_ms(1);
    return child;
}

static int moving(void)
{
    long a = counters[0], b = counters[1];
    sleep_ms(100);
    return counters[0] != a && counters[1] != b;
}

static int wait_for_chld(int count)
{
    for (int i = 0; i < 2000 && chld_count < count; ++i)
        sleep_ms(1);
    return chld_count >= count;
}

static volatile sig_atomic_t tstp_handled;
static void on_tstp(int signal)
{
    (void)signal;
    tstp_handled = 1;
}

int main(void)
{
    tap_plan(13);
    alarm(60);
    counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    struct sigaction action = { 0 };
    action.sa_sigaction = on_chld;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &action, NULL);

    pid_t child = fork();
    if (child == 0)
        _exit(7);
    int got = wait_for_chld(1);
    int status;
    waitpid(child, &status, 0);
    ok(got && last_code == CLD_EXITED && last_pid == child && last_status == 7,
        "a child's exit(7): SIGCHLD with CLD_EXITED, its pid, status 7 (code %d, status %d)", (int)last_code, (int)last_status);

    chld_count = 0;
    child = counting_child();
    kill(child, SIGSTOP);
    pid_t r = waitpid(child, &status, WUNTRACED);
    ok(r == child && WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "waitpid(WUNTRACED): stopped by SIGSTOP (%#x)", status);
    ok(!moving(), "stopped: neither of the child's two threads runs");
    ok(wait_for_chld(1) && last_code == CLD_STOPPED && last_status == SIGSTOP, "SIGCHLD with CLD_STOPPED, status SIGSTOP (code %d)",
        (int)last_code);
    ok(waitpid(child, &status, WUNTRACED | WNOHANG) == 0, "the stop is reported once");
    kill(child, SIGTERM); // pending while stopped
    sleep_ms(50);
    ok(waitpid(child, &status, WNOHANG) == 0 && !moving(), "a SIGTERM sent while stopped does nothing yet");
    kill(child, SIGCONT);
    r = waitpid(child, &status, 0);
    ok(r == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "after SIGCONT the pending SIGTERM ends it (%#x)", status);

    chld_count = 0;
    child = counting_child();
    kill(child, SIGSTOP);
    waitpid(child, &status, WUNTRACED);
    kill(child, SIGCONT);
    r = waitpid(child, &status, WCONTINUED);
    ok(r == child && WIFCONTINUED(status) && moving(), "SIGCONT: waitpid(WCONTINUED) says continued, and both threads run again");
    ok(wait_for_chld(2) && last_code == CLD_CONTINUED, "SIGCHLD with CLD_CONTINUED (code %d)", (int)last_code);
    kill(child, SIGSTOP);
    waitpid(child, &status, WUNTRACED);
    kill(child, SIGKILL);
    r = waitpid(child, &status, 0);
    ok(r == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "SIGKILL ends a stopped child (%#x)", status);

    signal(SIGTSTP, on_tstp);
    raise(SIGTSTP);
    ok(tstp_handled, "SIGTSTP with a handler runs the handler instead of stopping");
    signal(SIGTSTP, SIG_DFL);

    int pipe_fds[2];
    pipe(pipe_fds);
    child = fork();
    if (child == 0) {
        struct timespec t = { 0, 400 * 1000000 }, left = { 0, 0 };
        int result = nanosleep(&t, &left);
        char report = result == 0 ? 'k' : 'e';
        write(pipe_fds[1], &report, 1);
        _exit(0);
    }
    sleep_ms(50);
    kill(child, SIGSTOP);
    waitpid(child, &status, WUNTRACED);
    sleep_ms(50);
    kill(child, SIGCONT);
    char report = 0;
    read(pipe_fds[0], &report, 1);
    waitpid(child, &status, 0);
    ok(report == 'k', "a nanosleep interrupted by a stop and a continue sleeps to its end and returns 0 (%c)", report);

    action.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &action, NULL);
    chld_count = 0;
    child = counting_child();
    kill(child, SIGSTOP);
    waitpid(child, &status, WUNTRACED);
    sleep_ms(50);
    int quiet = chld_count == 0;
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    ok(quiet, "SA_NOCLDSTOP: no SIGCHLD for the stop");
    return tap_done();
}
