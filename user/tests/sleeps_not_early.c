// sleeps_not_early: every way a program can sleep for a time ends no earlier than asked —
// nanosleep, clock_nanosleep (relative, and absolute on CLOCK_MONOTONIC and
// CLOCK_REALTIME), poll, ppoll, select, pselect, epoll_wait, a futex wait's time-out
// (relative, and FUTEX_WAIT_BITSET's absolute one) and an ITIMER_REAL signal — for short
// times (100 us to 3 ms, shorter than a 1 ms tick and a few of them), and with two threads
// sleeping at once (with several CPUs, a deadline one CPU set may be ended by another's timer).
//
// Only "not early" is asserted: how late a sleep ends depends on the load of the machine
// running QEMU, so the upper bound is a generous second (a lost deadline, not a slow one);
// the median lateness is printed for a reader. LTP's timer tests (tst_timer_test) are the
// precision check.
#include "tap.h"
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

// From linux/futex.h (musl ships no kernel headers).
#define FUTEX_WAIT_PRIVATE (0 | 128)
#define FUTEX_WAIT_BITSET_PRIVATE (9 | 128)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define ROUNDS 20
#define LATE_LIMIT_NS 1000000000LL

static int64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec to_timespec(int64_t ns)
{
    struct timespec ts = { ns / 1000000000, ns % 1000000000 };
    return ts;
}

// One way of sleeping: sleeps `ns` and returns 0, or -1 with errno set. The absolute ones
// get the deadline on their own clock and report how far past it they woke in *late_ns.
typedef int (*Sleeper)(int64_t ns, int64_t* late_ns);

static int by_nanosleep(int64_t ns, int64_t* late_ns)
{
    (void)late_ns;
    struct timespec ts = to_timespec(ns);
    return nanosleep(&ts, NULL);
}

static int by_clock_nanosleep(int64_t ns, int64_t* late_ns)
{
    (void)late_ns;
    struct timespec ts = to_timespec(ns);
    errno = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
    return errno ? -1 : 0;
}

static int absolute_sleep(clockid_t clock, int64_t ns, int64_t* late_ns)
{
    int64_t deadline = now_ns(clock) + ns;
    struct timespec ts = to_timespec(deadline);
    errno = clock_nanosleep(clock, TIMER_ABSTIME, &ts, NULL);
    *late_ns = now_ns(clock) - deadline;
    return errno ? -1 : 0;
}

static int by_clock_nanosleep_monotonic_abs(int64_t ns, int64_t* late_ns)
{
    return absolute_sleep(CLOCK_MONOTONIC, ns, late_ns);
}

static int by_clock_nanosleep_realtime_abs(int64_t ns, int64_t* late_ns)
{
    return absolute_sleep(CLOCK_REALTIME, ns, late_ns);
}

// poll and epoll_wait take milliseconds: the caller asks for whole ones.
static int by_poll(int64_t ns, int64_t* late_ns)
{
    (void)late_ns;
    return poll(NULL, 0, (int)(ns / 1000000));
}

static int by_ppoll(int64_t ns, int64_t* late_ns)
{
    (void)late_ns;
    struct timespec ts = to_timespec(ns);
    return ppoll(NULL, 0, &ts, NULL);
}

static int by_select(int64_t ns, int64_t* late_ns)
{
    (void)late_ns;
    struct timeval tv = { ns / 1000000000, ns % 1000000000 / 1000 };
    return select(0, NULL, NULL, NULL, &tv);
}

static int by_pselect(int64_t ns, int64_t* late_ns)
{
    (void)late_ns;
    struct timespec ts = to_timespec(ns);
    return pselect(0, NULL, NULL, NULL, &ts, NULL);
}

static int g_epoll_fd = -1;

static int by_epoll_wait(int64_t ns, int64_t* late_ns)
{
    (void)late_ns;
    struct epoll_event event;
    return epoll_wait(g_epoll_fd, &event, 1, (int)(ns / 1000000));
}

static uint32_t g_futex_word; // never changes: every wait ends by its time-out

static int by_futex_wait(int64_t ns, int64_t* late_ns)
{
    (void)late_ns;
    struct timespec ts = to_timespec(ns);
    long r = syscall(SYS_futex, &g_futex_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
    return r == -1 && errno == ETIMEDOUT ? 0 : -1;
}

static int by_futex_wait_bitset(int64_t ns, int64_t* late_ns)
{
    int64_t deadline = now_ns(CLOCK_MONOTONIC) + ns;
    struct timespec ts = to_timespec(deadline);
    long r = syscall(SYS_futex, &g_futex_word, FUTEX_WAIT_BITSET_PRIVATE, 0, &ts, NULL, FUTEX_BITSET_MATCH_ANY);
    *late_ns = now_ns(CLOCK_MONOTONIC) - deadline;
    return r == -1 && errno == ETIMEDOUT ? 0 : -1;
}

static volatile sig_atomic_t g_alarms;
static void on_alarm(int signal)
{
    (void)signal;
    ++g_alarms;
}

// setitimer's ITIMER_REAL (a kernel deadline timer, not a sleeping thread): the SIGALRM
// comes no earlier than the time set. SIGALRM is blocked between the rounds, so that
// sigsuspend cannot miss it.
static int by_itimer(int64_t ns, int64_t* late_ns)
{
    (void)late_ns;
    sigset_t blocked, during;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGALRM);
    sigprocmask(SIG_BLOCK, &blocked, &during);
    sigdelset(&during, SIGALRM);
    int before = g_alarms;
    struct itimerval timer = { { 0, 0 }, { ns / 1000000000, ns % 1000000000 / 1000 } };
    if (setitimer(ITIMER_REAL, &timer, NULL) != 0)
        return -1;
    while (g_alarms == before)
        sigsuspend(&during);
    sigprocmask(SIG_UNBLOCK, &blocked, NULL);
    return 0;
}

static int compare(const void* a, const void* b)
{
    int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
    return x < y ? -1 : x > y;
}

struct Result {
    int failures; // calls that returned an error
    int early; // rounds that ended before the time asked
    int64_t earliest_ns; // the most negative lateness seen (if early)
    int64_t latest_ns;
    int64_t median_late_ns;
    int error;
};

// ROUNDS sleeps of `ns` each; lateness measured on CLOCK_MONOTONIC around the call, or by
// the sleeper itself on the deadline's clock.
static struct Result measure(Sleeper sleeper, int64_t ns)
{
    struct Result result = { 0, 0, 0, 0, 0, 0 };
    int64_t lateness[ROUNDS];
    for (int i = 0; i < ROUNDS; ++i) {
        int64_t reported = INT64_MIN;
        int64_t start = now_ns(CLOCK_MONOTONIC);
        if (sleeper(ns, &reported) != 0) {
            ++result.failures;
            result.error = errno;
        }
        int64_t late = now_ns(CLOCK_MONOTONIC) - start - ns;
        if (reported != INT64_MIN)
            late = reported;
        lateness[i] = late;
        if (late < 0) {
            ++result.early;
            if (late < result.earliest_ns)
                result.earliest_ns = late;
        }
        if (late > result.latest_ns)
            result.latest_ns = late;
    }
    qsort(lateness, ROUNDS, sizeof lateness[0], compare);
    result.median_late_ns = lateness[ROUNDS / 2];
    return result;
}

static void check(const char* name, Sleeper sleeper, int64_t ns)
{
    struct Result r = measure(sleeper, ns);
    ok(r.failures == 0, "%s(%lld us) x%d: every call succeeds (%d failed, errno %d)", name, (long long)ns / 1000, ROUNDS,
        r.failures, r.error);
    ok(r.early == 0, "%s(%lld us): never ends early (%d early, by up to %lld ns)", name, (long long)ns / 1000, r.early,
        (long long)-r.earliest_ns);
    ok(r.latest_ns < LATE_LIMIT_NS, "%s(%lld us): never a second late (latest %lld us)", name, (long long)ns / 1000,
        (long long)r.latest_ns / 1000);
    diag("%s(%lld us): median %lld us late, latest %lld us", name, (long long)ns / 1000, (long long)r.median_late_ns / 1000,
        (long long)r.latest_ns / 1000);
}

// Two threads sleeping at once, each with its own rhythm, so that their deadlines
// interleave: each thread's sleeps must end no earlier than asked.
struct Sleepy {
    int64_t ns;
    struct Result result;
};

static void* sleep_in_thread(void* argument)
{
    struct Sleepy* sleepy = argument;
    sleepy->result = measure(by_nanosleep, sleepy->ns);
    return NULL;
}

int main(void)
{
    static const int64_t short_times[] = { 100000, 350000, 1500000 };
    for (unsigned i = 0; i < sizeof short_times / sizeof short_times[0]; ++i) {
        int64_t ns = short_times[i];
        check("nanosleep", by_nanosleep, ns);
        check("clock_nanosleep", by_clock_nanosleep, ns);
        check("clock_nanosleep MONOTONIC ABSTIME", by_clock_nanosleep_monotonic_abs, ns);
        check("clock_nanosleep REALTIME ABSTIME", by_clock_nanosleep_realtime_abs, ns);
        check("ppoll", by_ppoll, ns);
        check("select", by_select, ns);
        check("pselect", by_pselect, ns);
        check("futex WAIT", by_futex_wait, ns);
        check("futex WAIT_BITSET", by_futex_wait_bitset, ns);
    }

    g_epoll_fd = epoll_create1(0);
    ok(g_epoll_fd >= 0, "epoll_create1 (errno %d)", errno);
    for (int ms = 1; ms <= 3; ms += 2) {
        check("poll", by_poll, ms * 1000000LL);
        check("epoll_wait", by_epoll_wait, ms * 1000000LL);
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, NULL);
    check("setitimer ITIMER_REAL", by_itimer, 200000);
    check("setitimer ITIMER_REAL", by_itimer, 2000000);

    struct Sleepy sleepy[2] = { { 130000, { 0 } }, { 570000, { 0 } } };
    pthread_t threads[2];
    for (int i = 0; i < 2; ++i)
        pthread_create(&threads[i], NULL, sleep_in_thread, &sleepy[i]);
    for (int i = 0; i < 2; ++i) {
        pthread_join(threads[i], NULL);
        struct Result const* r = &sleepy[i].result;
        ok(r->failures == 0 && r->early == 0 && r->latest_ns < LATE_LIMIT_NS,
            "thread %d of 2 sleeping at once, nanosleep(%lld us) x%d: no error (%d), none early (%d, by up to %lld ns), "
            "latest %lld us",
            i + 1, (long long)sleepy[i].ns / 1000, ROUNDS, r->failures, r->early, (long long)-r->earliest_ns,
            (long long)r->latest_ns / 1000);
    }
    return tap_done();
}
