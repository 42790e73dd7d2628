// itimer_real — alarm() and the real-time interval timer (ITIMER_REAL), as Linux gives them:
//   - alarm(0) with nothing armed returns 0; alarm(N) then alarm(0) returns the seconds that
//     were left (rounded), and disarms;
//   - alarm(1) interrupts a long nanosleep with SIGALRM (EINTR, the remaining time written
//     back), no sooner than 0.9 s; pause() returns EINTR after the handler;
//   - setitimer with an interval fires again and again (3 times counted), getitimer reports
//     a remaining time within the value and the interval as set; disarming reads back zeros;
//   - bad arguments: tv_usec of 1000000 or negative, a negative tv_sec, an unknown timer →
//     EINVAL; a bad pointer → EFAULT;
//   - a fork child does not inherit the timer; execve keeps it (the exec'd program sees it
//     still running); SIGALRM's default action ends the process.
#include "proc_util.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int signal)
{
    (void)signal;
    ++alarms;
}

static double seconds_since(struct timespec const* start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static long raw_setitimer(int which, const void* value, void* old) { return syscall(SYS_setitimer, which, value, old); }

static void alarm_basics(void)
{
    ok(alarm(0) == 0, "alarm(0) with nothing armed returns 0");
    alarm(5);
    unsigned left = alarm(0);
    ok(left == 5, "alarm(5) then alarm(0): 5 seconds were left (got %u)", left);
    struct itimerval current;
    getitimer(ITIMER_REAL, &current);
    ok(current.it_value.tv_sec == 0 && current.it_value.tv_usec == 0, "alarm(0) disarmed the timer");
}

static void alarm_interrupts_sleep(void)
{
    struct sigaction action = { 0 };
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, NULL);
    alarms = 0;
    struct timespec start, request = { 30, 0 }, remaining = { 0, 0 };
    clock_gettime(CLOCK_MONOTONIC, &start);
    alarm(1);
    int r = nanosleep(&request, &remaining);
    int e = errno;
    double elapsed = seconds_since(&start);
    ok(r == -1 && e == EINTR && alarms == 1, "alarm(1) ends nanosleep(30 s) with EINTR after the handler (r=%d errno=%d alarms=%d)",
        r, e, (int)alarms);
    ok(elapsed >= 0.9, "not before the second is up (%.3f s)", elapsed);
    ok(remaining.tv_sec > 20 && remaining.tv_sec < 30, "nanosleep wrote back the time left (%ld s)", (long)remaining.tv_sec);

    alarms = 0;
    alarm(1);
    errno = 0;
    r = pause();
    ok(r == -1 && errno == EINTR && alarms == 1, "pause() returns EINTR once the SIGALRM handler ran (errno=%d)", errno);
}

static void interval(void)
{
    alarms = 0;
    struct itimerval value = { { 0, 20000 }, { 0, 20000 } }; // every 20 ms
    ok(setitimer(ITIMER_REAL, &value, NULL) == 0, "setitimer(ITIMER_REAL, 20 ms, every 20 ms) (errno=%d)", errno);
    struct itimerval current;
    getitimer(ITIMER_REAL, &current);
    ok(current.it_interval.tv_sec == 0 && current.it_interval.tv_usec == 20000, "getitimer: the interval as set (%ld us)",
        (long)current.it_interval.tv_usec);
    ok(current.it_value.tv_sec == 0 && current.it_value.tv_usec > 0 && current.it_value.tv_usec <= 20000,
        "getitimer: the time left is within the value (%ld us)", (long)current.it_value.tv_usec);
    for (int i = 0; i < 1000 && alarms < 3; ++i)
        pause();
    ok(alarms >= 3, "the timer fired again and again (%d SIGALRMs)", (int)alarms);
    struct itimerval off = { { 0, 0 }, { 0, 0 } }, old;
    ok(setitimer(ITIMER_REAL, &off, &old) == 0 && old.it_interval.tv_usec == 20000, "disarm; the old setting comes back");
    getitimer(ITIMER_REAL, &current);
    ok(current.it_value.tv_sec == 0 && current.it_value.tv_usec == 0 && current.it_interval.tv_usec == 0,
        "getitimer after disarming: zeros");
}

static void bad_arguments(void)
{
    struct itimerval value = { { 0, 0 }, { 0, 1000000 } };
    errno = 0;
    ok(setitimer(ITIMER_REAL, &value, NULL) == -1 && errno == EINVAL, "tv_usec = 1000000: EINVAL (errno=%d)", errno);
    value.it_value.tv_usec = -1;
    errno = 0;
    ok(setitimer(ITIMER_REAL, &value, NULL) == -1 && errno == EINVAL, "tv_usec = -1: EINVAL (errno=%d)", errno);
    value.it_value.tv_usec = 0;
    value.it_value.tv_sec = -1;
    errno = 0;
    ok(setitimer(ITIMER_REAL, &value, NULL) == -1 && errno == EINVAL, "tv_sec = -1: EINVAL (errno=%d)", errno);
    struct itimerval ok_value = { { 0, 0 }, { 1, 0 } };
    errno = 0;
    ok(raw_setitimer(7, &ok_value, NULL) == -1 && errno == EINVAL, "an unknown timer (7): EINVAL (errno=%d)", errno);
    errno = 0;
    ok(raw_setitimer(ITIMER_REAL, (void*)8, NULL) == -1 && errno == EFAULT, "a bad new-value pointer: EFAULT (errno=%d)", errno);
    errno = 0;
    ok(syscall(SYS_getitimer, ITIMER_REAL, (void*)8) == -1 && errno == EFAULT, "getitimer to a bad pointer: EFAULT (errno=%d)",
        errno);
}

static void inheritance(const char* self)
{
    alarm(100);
    pid_t child = fork();
    if (child == 0) {
        struct itimerval current;
        getitimer(ITIMER_REAL, &current);
        _exit(current.it_value.tv_sec == 0 && current.it_value.tv_usec == 0 ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork child does not inherit the timer (%s)", describe_wait_status(status));

    child = fork();
    if (child == 0) {
        alarm(100); // the child's own timer, then a new program
        execl(self, self, "report-timer", (char*)NULL);
        _exit(127);
    }
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "execve keeps it: the new program sees it running (%s)",
        describe_wait_status(status));
    alarm(0);

    child = fork();
    if (child == 0) {
        signal(SIGALRM, SIG_DFL);
        struct itimerval soon = { { 0, 0 }, { 0, 10000 } };
        setitimer(ITIMER_REAL, &soon, NULL);
        for (;;)
            pause();
    }
    waitpid(child, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM, "SIGALRM's default action ends the process (%s)",
        describe_wait_status(status));
}

int main(int argc, char** argv)
{
    if (argc == 2 && strcmp(argv[1], "report-timer") == 0) {
        struct itimerval current;
        getitimer(ITIMER_REAL, &current);
        return current.it_value.tv_sec > 50 ? 0 : 1;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        bail("readlink /proc/self/exe (errno=%d)", errno);
    self[n] = '\0';
    alarm_basics();
    alarm_interrupts_sleep();
    interval();
    bad_arguments();
    inheritance(self);
    return tap_done();
}
