// cpu_times — CPU time, not wall time: CLOCK_THREAD_CPUTIME_ID and CLOCK_PROCESS_CPUTIME_ID,
// getrusage (self, thread, children), times(), and wait4's rusage. Work is measured in CPU
// time itself (spin until the thread's clock advanced 100 ms), so the checks hold however
// loaded the machine is:
//   - a thread's CPU time never runs ahead of the wall clock, and sleeping adds (almost)
//     none of it;
//   - the process's time covers its threads' (a spinning thread's time counts, a sleeping
//     thread's clock barely moves);
//   - getrusage(RUSAGE_SELF) and times() report at least what was spun; RUSAGE_CHILDREN
//     counts a child only once it has been waited for, and wait4 reports its rusage.
#include "tap.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL

static long long clock_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// Spins until this thread has used `ms` of CPU time (or 20 s of wall time went by).
static void spin_cpu(long long ms)
{
    long long start = clock_ns(CLOCK_THREAD_CPUTIME_ID), wall = clock_ns(CLOCK_MONOTONIC);
    while (clock_ns(CLOCK_THREAD_CPUTIME_ID) - start < ms * MS && clock_ns(CLOCK_MONOTONIC) - wall < 20000 * MS) { }
}

static long long rusage_ns(struct rusage const* r)
{
    return (r->ru_utime.tv_sec + r->ru_stime.tv_sec) * 1000000000LL + (r->ru_utime.tv_usec + r->ru_stime.tv_usec) * 1000LL;
}

static long long sleeper_cpu;
static void* sleep_and_measure(void* arg)
{
    (void)arg;
    long long start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    struct timespec t = { 0, 300 * MS };
    nanosleep(&t, NULL);
    sleeper_cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - start;
    return NULL;
}
static void* spin_100(void* arg)
{
    (void)arg;
    spin_cpu(100);
    return NULL;
}

int main(void)
{
    tap_plan(9);
    struct timespec resolution;
    ok(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &resolution) == 0 && resolution.tv_sec == 0 && resolution.tv_nsec > 0,
        "clock_getres(CLOCK_PROCESS_CPUTIME_ID) is finer than a second (%ld ns)", resolution.tv_nsec);

    long long wall0 = clock_ns(CLOCK_MONOTONIC), cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    spin_cpu(100);
    long long wall = clock_ns(CLOCK_MONOTONIC) - wall0, cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    ok(cpu >= 100 * MS && cpu <= wall + MS, "spinning: 100 ms of thread CPU time took at least as long on the wall clock (%lld, %lld ms)",
        cpu / MS, wall / MS);

    cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    struct timespec t = { 0, 300 * MS };
    nanosleep(&t, NULL);
    cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    ok(cpu < 100 * MS, "sleeping 300 ms adds little CPU time (%lld ms)", cpu / MS);

    long long process0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    pthread_t spinner, sleeper;
    pthread_create(&sleeper, NULL, sleep_and_measure, NULL);
    pthread_create(&spinner, NULL, spin_100, NULL);
    pthread_join(spinner, NULL);
    pthread_join(sleeper, NULL);
    long long process = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - process0;
    ok(process >= 100 * MS && sleeper_cpu < 100 * MS,
        "the process clock counts a spinning thread's 100 ms (%lld ms); a sleeping thread's own clock barely moves (%lld ms)",
        process / MS, sleeper_cpu / MS);

    struct rusage self, thread;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_THREAD, &thread);
    ok(rusage_ns(&self) >= 200 * MS && rusage_ns(&thread) >= 100 * MS && rusage_ns(&thread) <= rusage_ns(&self),
        "getrusage: SELF has both spins (%lld ms), THREAD the main thread's (%lld ms)", rusage_ns(&self) / MS, rusage_ns(&thread) / MS);
    struct tms tms;
    clock_t ticks = times(&tms);
    long hz = sysconf(_SC_CLK_TCK);
    ok(ticks != (clock_t)-1 && (tms.tms_utime + tms.tms_stime) * 1000 / hz >= 150,
        "times(): user + system %ld ticks of 1/%ld s", (long)(tms.tms_utime + tms.tms_stime), hz);

    struct rusage children;
    pid_t child = fork();
    if (child == 0) {
        spin_cpu(100);
        _exit(0);
    }
    int status;
    struct timespec settle = { 0, 50 * MS };
    nanosleep(&settle, NULL);
    getrusage(RUSAGE_CHILDREN, &children);
    long long before_wait = rusage_ns(&children);
    struct rusage of_child;
    wait4(child, &status, 0, &of_child);
    getrusage(RUSAGE_CHILDREN, &children);
    ok(before_wait == 0, "RUSAGE_CHILDREN before the child is waited for: 0 (%lld ms)", before_wait / MS);
    ok(rusage_ns(&of_child) >= 100 * MS, "wait4's rusage: the child's 100 ms (%lld ms)", rusage_ns(&of_child) / MS);
    ok(rusage_ns(&children) >= 100 * MS, "RUSAGE_CHILDREN after wait4 (%lld ms)", rusage_ns(&children) / MS);
    return tap_done();
}
