// posix_timers — timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete,
// through the raw system calls (kernel timer ids):
//   - no sigevent: SIGALRM with si_code SI_TIMER, si_timerid and si_value = the id;
//   - SIGEV_SIGNAL with a real-time signal and a value; timer_gettime counts down, then 0;
//   - an interval timer whose signal stays blocked: one signal, and si_overrun (and
//     timer_getoverrun) counts the expiries it stood for;
//   - TIMER_ABSTIME on CLOCK_REALTIME never fires early; a time already past fires at once;
//   - SIGEV_NONE sends nothing but counts down; SIGEV_THREAD_ID signals the named thread;
//   - a CLOCK_PROCESS_CPUTIME_ID timer fires after the process used that much CPU time;
//   - Linux's errors: EINVAL for a bad clock, sigev_notify, signal, thread, timer id or
//     time; EFAULT for a bad pointer;
//   - fork does not pass timers on; execve deletes them.
// Waits are sigwaitinfo on blocked signals (alarm(60) catches a hang); times are lower
// bounds only.
#define _GNU_SOURCE
#include "tap.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int create(clockid_t clock, struct sigevent* event, int* id) { return syscall(SYS_timer_create, clock, event, id); }
static int settime(int id, int flags, const struct itimerspec* value, struct itimerspec* old)
{
    return syscall(SYS_timer_settime, id, flags, value, old);
}
static int gettime(int id, struct itimerspec* value) { return syscall(SYS_timer_gettime, id, value); }
static int overrun(int id) { return syscall(SYS_timer_getoverrun, id); }
static int delete_timer(int id) { return syscall(SYS_timer_delete, id); }

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static struct timespec ts_of(long long ns) { return (struct timespec) { ns / 1000000000, ns % 1000000000 }; }
static long long now_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return ns_of(t);
}
static struct itimerspec once(long long ns) { return (struct itimerspec) { { 0, 0 }, ts_of(ns) }; }

static void block(int signal)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

static int wait_for(int signal, siginfo_t* info)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    int got;
    while ((got = sigwaitinfo(&set, info)) < 0 && errno == EINTR) { }
    return got;
}

static struct sigevent signal_event(int signal, int value)
{
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = signal;
    event.sigev_value.sival_int = value;
    return event;
}

static void default_notification(void)
{
    int id = -1;
    block(SIGALRM);
    ok(create(CLOCK_MONOTONIC, NULL, &id) == 0 && id >= 0, "timer_create without a sigevent (id %d)", id);
    struct itimerspec in = once(20000000);
    ok(settime(id, 0, &in, NULL) == 0, "timer_settime 20 ms");
    siginfo_t info;
    int got = wait_for(SIGALRM, &info);
    ok(got == SIGALRM && info.si_code == SI_TIMER, "SIGALRM with si_code SI_TIMER (%d)", info.si_code);
    ok(info.si_timerid == id && info.si_value.sival_int == id, "si_timerid and si_value are the id (%d, %d)", info.si_timerid,
        info.si_value.sival_int);
    ok(delete_timer(id) == 0, "timer_delete");
}

static void signal_with_value_and_gettime(void)
{
    int sig = SIGRTMIN + 1, id;
    block(sig);
    struct sigevent event = signal_event(sig, 1234);
    ok(create(CLOCK_MONOTONIC, &event, &id) == 0, "SIGEV_SIGNAL timer with a real-time signal");
    struct itimerspec in = { { 5, 0 }, { 0, 300000000 } }, out;
    ok(settime(id, 0, &in, NULL) == 0 && gettime(id, &out) == 0, "armed for 300 ms, interval 5 s");
    long long left = ns_of(out.it_value);
    ok(left > 0 && left <= 300000000 && out.it_interval.tv_sec == 5, "timer_gettime counts down (%lld ns left)", left);
    struct itimerspec off = { { 0, 0 }, { 0, 0 } }, old;
    ok(settime(id, 0, &off, &old) == 0 && ns_of(old.it_value) > 0 && ns_of(old.it_value) <= left,
        "disarming returns the old setting");
    ok(gettime(id, &out) == 0 && ns_of(out.it_value) == 0, "a disarmed timer reads 0");
    in = once(10000000);
    settime(id, 0, &in, NULL);
    siginfo_t info;
    ok(wait_for(sig, &info) == sig && info.si_value.sival_int == 1234 && info.si_overrun == 0,
        "the signal carries si_value 1234 and si_overrun 0 (%d, %d)", info.si_value.sival_int, info.si_overrun);
    ok(gettime(id, &out) == 0 && ns_of(out.it_value) == 0, "a one-shot timer reads 0 once expired");
    delete_timer(id);
}

static void overruns(void)
{
    int sig = SIGRTMIN + 2, id;
    block(sig);
    struct sigevent event = signal_event(sig, 7);
    create(CLOCK_MONOTONIC, &event, &id);
    struct itimerspec in = { { 0, 10000000 }, { 0, 10000000 } };
    settime(id, 0, &in, NULL);
    struct timespec nap = { 0, 100000000 };
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR) { }
    siginfo_t info;
    wait_for(sig, &info);
    ok(info.si_overrun >= 1, "100 ms of a blocked 10 ms timer: one signal, si_overrun %d", info.si_overrun);
    ok(overrun(id) == info.si_overrun, "timer_getoverrun says the same (%d)", overrun(id));
    struct itimerspec off = { { 0, 0 }, { 0, 0 } };
    settime(id, 0, &off, NULL);
    sigset_t pending;
    sigpending(&pending);
    ok(!sigismember(&pending, sig), "only one signal was queued");
    delete_timer(id);
}

static void absolute_realtime(void)
{
    int sig = SIGRTMIN + 3, id;
    block(sig);
    struct sigevent event = signal_event(sig, 0);
    ok(create(CLOCK_REALTIME, &event, &id) == 0, "a CLOCK_REALTIME timer");
    long long target = now_ns(CLOCK_REALTIME) + 30000000;
    struct itimerspec in = once(target);
    ok(settime(id, TIMER_ABSTIME, &in, NULL) == 0, "TIMER_ABSTIME: now + 30 ms");
    siginfo_t info;
    wait_for(sig, &info);
    long long late = now_ns(CLOCK_REALTIME) - target;
    ok(late >= 0, "it fires no earlier than asked (%lld ns after)", late);
    in = once(target - 1000000000LL);
    settime(id, TIMER_ABSTIME, &in, NULL);
    ok(wait_for(sig, &info) == sig, "a time already past fires at once");
    delete_timer(id);
}

static void no_signal_and_thread_id(void)
{
    struct sigevent none;
    memset(&none, 0, sizeof none);
    none.sigev_notify = SIGEV_NONE;
    int id;
    ok(create(CLOCK_MONOTONIC, &none, &id) == 0, "SIGEV_NONE timer");
    struct itimerspec in = once(20000000), out;
    settime(id, 0, &in, NULL);
    gettime(id, &out);
    ok(ns_of(out.it_value) > 0, "it counts down");
    struct timespec nap = { 0, 40000000 };
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR) { }
    gettime(id, &out);
    ok(ns_of(out.it_value) == 0, "and reads 0 once expired, with no signal (the test is still alive)");
    delete_timer(id);

    int sig = SIGRTMIN + 4;
    block(sig);
    struct sigevent event = signal_event(sig, 99);
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_notify_thread_id = gettid();
    ok(create(CLOCK_MONOTONIC, &event, &id) == 0, "SIGEV_THREAD_ID naming this thread");
    in = once(5000000);
    settime(id, 0, &in, NULL);
    siginfo_t info;
    ok(wait_for(sig, &info) == sig && info.si_code == SI_TIMER && info.si_value.sival_int == 99, "the thread gets it");
    delete_timer(id);
}

static volatile sig_atomic_t cpu_fired;
static void on_cpu_timer(int s)
{
    (void)s;
    cpu_fired = 1;
}

static void cpu_time_clock(void)
{
    int sig = SIGRTMIN + 5, id;
    signal(sig, on_cpu_timer);
    struct sigevent event = signal_event(sig, 0);
    ok(create(CLOCK_PROCESS_CPUTIME_ID, &event, &id) == 0, "a CLOCK_PROCESS_CPUTIME_ID timer");
    long long start = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    struct itimerspec in = once(50000000);
    settime(id, 0, &in, NULL);
    while (!cpu_fired) { }
    long long used = now_ns(CLOCK_PROCESS_CPUTIME_ID) - start;
    ok(used >= 25000000, "it fires after the process ran about 50 ms (%lld ns of CPU)", used);
    delete_timer(id);
}

static void errors(void)
{
    int id;
    struct sigevent event = signal_event(SIGUSR1, 0);
    errno = 0;
    ok(create(99, &event, &id) < 0 && errno == EINVAL, "an unknown clock: EINVAL");
    event.sigev_notify = 99;
    errno = 0;
    ok(create(CLOCK_MONOTONIC, &event, &id) < 0 && errno == EINVAL, "an unknown sigev_notify: EINVAL");
    event = signal_event(0, 0);
    errno = 0;
    ok(create(CLOCK_MONOTONIC, &event, &id) < 0 && errno == EINVAL, "signal 0: EINVAL");
    event = signal_event(65, 0);
    errno = 0;
    ok(create(CLOCK_MONOTONIC, &event, &id) < 0 && errno == EINVAL, "signal 65: EINVAL");
    event = signal_event(SIGUSR1, 0);
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_notify_thread_id = 0x7ffffff0;
    errno = 0;
    ok(create(CLOCK_MONOTONIC, &event, &id) < 0 && errno == EINVAL, "SIGEV_THREAD_ID with no such thread: EINVAL");
    event = signal_event(SIGUSR1, 0);
    errno = 0;
    ok(create(CLOCK_MONOTONIC, &event, (int*)8) < 0 && errno == EFAULT, "a bad timer id pointer: EFAULT");
    errno = 0;
    ok(create(CLOCK_MONOTONIC, (struct sigevent*)8, &id) < 0 && errno == EFAULT, "a bad sigevent pointer: EFAULT");

    create(CLOCK_MONOTONIC, &event, &id);
    struct itimerspec bad = { { 0, 0 }, { 0, 1000000000 } }, out;
    errno = 0;
    ok(settime(id, 0, &bad, NULL) < 0 && errno == EINVAL, "tv_nsec of a second: EINVAL");
    errno = 0;
    ok(settime(id, 0, NULL, NULL) < 0 && errno == EINVAL, "no new value: EINVAL");
    errno = 0;
    ok(gettime(id, (struct itimerspec*)8) < 0 && errno == EFAULT, "timer_gettime to a bad pointer: EFAULT");
    ok(delete_timer(id) == 0, "timer_delete");
    errno = 0;
    ok(delete_timer(id) < 0 && errno == EINVAL, "deleted twice: EINVAL");
    errno = 0;
    ok(gettime(id, &out) < 0 && errno == EINVAL, "timer_gettime of a deleted timer: EINVAL");
    errno = 0;
    ok(overrun(id) < 0 && errno == EINVAL, "timer_getoverrun of a deleted timer: EINVAL");
    errno = 0;
    ok(settime(12345, 0, &bad, NULL) < 0 && errno == EINVAL, "timer_settime of no timer: EINVAL");
}

static void fork_and_exec(const char* self)
{
    int id;
    struct sigevent event = signal_event(SIGUSR2, 0);
    create(CLOCK_MONOTONIC, &event, &id);
    struct itimerspec in = once(3600LL * 1000000000), out;
    settime(id, 0, &in, NULL);
    pid_t child = fork();
    if (child == 0)
        _exit(gettime(id, &out) < 0 && errno == EINVAL ? 0 : 1);
    int status;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork child has none of its parent's timers");
    child = fork();
    if (child == 0) {
        int own;
        if (create(CLOCK_MONOTONIC, &event, &own) != 0 || settime(own, 0, &in, NULL) != 0 || gettime(own, &out) != 0)
            _exit(3);
        char id_text[16];
        snprintf(id_text, sizeof id_text, "%d", own);
        execl(self, self, "after-exec", id_text, (char*)NULL);
        _exit(2);
    }
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "execve deletes the timers (status %d)", status);
    delete_timer(id);
}

int main(int argc, char** argv)
{
    if (argc == 3 && strcmp(argv[1], "after-exec") == 0) {
        // Made in the child before exec (a fork child has none of its parent's).
        struct itimerspec out;
        return gettime(atoi(argv[2]), &out) < 0 && errno == EINVAL ? 0 : 1;
    }
    alarm(60);
    default_notification();
    signal(SIGALRM, SIG_DFL);
    sigset_t alarm_only;
    sigemptyset(&alarm_only);
    sigaddset(&alarm_only, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &alarm_only, NULL);
    alarm(60);
    signal_with_value_and_gettime();
    overruns();
    absolute_realtime();
    no_signal_and_thread_id();
    cpu_time_clock();
    errors();
    fork_and_exec(argv[0]);
    return tap_done();
}
