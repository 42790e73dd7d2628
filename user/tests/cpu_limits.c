// cpu_limits — the timers and the limit that count CPU time, not wall time:
//   - ITIMER_VIRTUAL (user time): no SIGVTALRM while the process sleeps, one once it has
//     spun past the value; getitimer shows it counting down, not past the value;
//   - ITIMER_PROF with an interval: none while asleep, SIGPROFs for the CPU time spun;
//   - RLIMIT_CPU: SIGXCPU past the soft limit (caught, and again a second later), SIGKILL at
//     the hard one; with SIGXCPU's default action the process dies of SIGXCPU.
// Work is measured in the thread's CPU clock, so a loaded machine changes nothing.
#include "tap.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL

static long long cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// Spins in user mode (the clock, a system call, is read only every 100000 iterations, so
// the time is user time, which ITIMER_VIRTUAL counts) until `ms` of CPU time have passed.
static void spin_cpu(long long ms)
{
    long long start = cpu_ns();
    volatile unsigned long sink = 0;
    while (cpu_ns() - start < ms * MS)
        for (int i = 0; i < 100000; ++i)
            sink += (unsigned long)i;
}

static volatile sig_atomic_t vtalrm, prof, xcpu;
static int xcpu_pipe[2];
static void on_vtalrm(int s) { (void)s, ++vtalrm; }
static void on_prof(int s) { (void)s, ++prof; }
static void on_xcpu(int s)
{
    (void)s;
    ++xcpu;
    write(xcpu_pipe[1], "x", 1);
}

int main(void)
{
    tap_plan(8);
    alarm(60);
    signal(SIGVTALRM, on_vtalrm);
    struct itimerval virt = { { 0, 0 }, { 0, 50000 } }; // 50 ms of user time, once
    setitimer(ITIMER_VIRTUAL, &virt, NULL);
    struct timespec sleep_200 = { 0, 200 * MS };
    nanosleep(&sleep_200, NULL);
    ok(vtalrm == 0, "ITIMER_VIRTUAL 50 ms: no SIGVTALRM after sleeping 200 ms");
    spin_cpu(10);
    struct itimerval left;
    getitimer(ITIMER_VIRTUAL, &left);
    long left_us = left.it_value.tv_sec * 1000000 + left.it_value.tv_usec;
    // (Linux rounds the value up to its tick: up to 4 ms more at 250 Hz.)
    ok(left_us > 0 && left_us < 50000 + 5000, "getitimer(ITIMER_VIRTUAL) after 10 ms of spinning: %ld us left (of 50000)", left_us);
    spin_cpu(100);
    ok(vtalrm == 1, "after 110 ms of spinning: one SIGVTALRM (%d)", (int)vtalrm);

    // ITIMER_PROF counts CPU time, not wall time: nothing while the process sleeps, then
    // about one SIGPROF per 20 ms spun. How many exactly depends on how the kernel samples
    // CPU time (Linux charges whole ticks, and a loaded host bunches them), so the bounds
    // are loose; what they rule out is a timer that counts the sleep.
    signal(SIGPROF, on_prof);
    struct itimerval profile = { { 0, 20000 }, { 0, 20000 } }; // every 20 ms of CPU time
    setitimer(ITIMER_PROF, &profile, NULL);
    struct timespec nap = { 0, 300 * MS };
    nanosleep(&nap, NULL);
    int while_asleep = (int)prof;
    spin_cpu(200);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_PROF, &off, NULL);
    ok(while_asleep <= 1, "ITIMER_PROF every 20 ms: no SIGPROF while asleep for 300 ms (%d)", while_asleep);
    ok(prof - while_asleep >= 4 && prof - while_asleep <= 40, "then SIGPROFs for 200 ms of CPU time: %d", (int)prof - while_asleep);

    pipe(xcpu_pipe);
    pid_t child = fork();
    if (child == 0) {
        signal(SIGXCPU, on_xcpu);
        struct rlimit cpu = { 1, 2 }; // soft 1 s, hard 2 s
        setrlimit(RLIMIT_CPU, &cpu);
        for (;;)
            spin_cpu(1000);
    }
    close(xcpu_pipe[1]);
    int status;
    waitpid(child, &status, 0);
    char buffer[16];
    ssize_t signals = read(xcpu_pipe[0], buffer, sizeof buffer);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "RLIMIT_CPU 1 s soft, 2 s hard: killed by SIGKILL at the hard limit (%#x)",
        status);
    ok(signals >= 1, "and SIGXCPU was caught first (%zd times)", signals);

    child = fork();
    if (child == 0) {
        struct rlimit cpu = { 1, RLIM_INFINITY };
        setrlimit(RLIMIT_CPU, &cpu);
        for (;;)
            spin_cpu(1000);
    }
    waitpid(child, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU, "with SIGXCPU's default action the process dies of it (%#x)", status);
    return tap_done();
}
