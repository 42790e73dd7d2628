// timer_slack — prctl(PR_SET_TIMERSLACK / PR_GET_TIMERSLACK) and /proc/self/timerslack_ns:
//   - a process starts with its creator's slack (50000 ns from init) and the proc file says
//     the same as PR_GET_TIMERSLACK;
//   - a value set (1, 70000, INT_MAX) reads back from both; 0 resets it to the value the
//     thread started with;
//   - a forked child starts with its parent's current slack, and that becomes its default
//     (0 resets it to the parent's value, not to 50000);
//   - the slack is per thread: a new thread starts with its creator's, and a change in it
//     leaves the creator's alone.
// Only the values: nothing here measures how late a sleep ends.
// link: -lpthread
#include "proc_util.h"
#include "tap.h"
#include <limits.h>
#include <pthread.h>
#include <sys/prctl.h>

#ifndef PR_SET_TIMERSLACK
#define PR_SET_TIMERSLACK 29
#define PR_GET_TIMERSLACK 30
#endif

static long slack(void) { return prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0); }

// The number in /proc/self/timerslack_ns, or -1 if it cannot be read.
static long proc_slack(void)
{
    char text[64];
    if (read_whole_file("/proc/self/timerslack_ns", text, sizeof text) <= 0)
        return -1;
    return strtol(text, NULL, 10);
}

struct thread_view {
    long started_with, after_own_set;
};

static void* in_thread(void* arg)
{
    struct thread_view* view = arg;
    view->started_with = slack();
    prctl(PR_SET_TIMERSLACK, 1234, 0, 0, 0);
    view->after_own_set = slack();
    return NULL;
}

int main(void)
{
    tap_plan(7);
    long initial = slack();
    ok(initial == 50000 && proc_slack() == initial,
        "a process starts with 50000 ns of slack, and /proc/self/timerslack_ns agrees (%ld, %ld)", initial,
        proc_slack());

    int values_ok = 1;
    long values[] = { 1, 70000, INT_MAX };
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; ++i) {
        int set = prctl(PR_SET_TIMERSLACK, values[i], 0, 0, 0);
        long got = slack(), shown = proc_slack();
        if (set != 0 || got != values[i] || shown != values[i]) {
            diag("set %ld: prctl %d, PR_GET_TIMERSLACK %ld, proc %ld", values[i], set, got, shown);
            values_ok = 0;
        }
    }
    ok(values_ok, "PR_SET_TIMERSLACK 1, 70000 and INT_MAX read back from PR_GET_TIMERSLACK and the proc file");

    int reset = prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
    ok(reset == 0 && slack() == initial, "PR_SET_TIMERSLACK 0 resets it to the value it started with (%ld)", slack());

    prctl(PR_SET_TIMERSLACK, 70000, 0, 0, 0);
    int fds[2];
    if (pipe(fds) != 0)
        bail("pipe: %s", strerror(errno));
    pid_t child = fork();
    if (child == 0) {
        long seen[2] = { slack(), 0 };
        prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
        seen[1] = slack();
        write(fds[1], seen, sizeof seen);
        _exit(0);
    }
    long seen[2] = { -1, -1 };
    ssize_t n = read(fds[0], seen, sizeof seen);
    waitpid(child, NULL, 0);
    ok(n == (ssize_t)sizeof seen && seen[0] == 70000, "a forked child starts with its parent's slack (%ld)", seen[0]);
    ok(seen[1] == 70000, "... which is also what 0 resets the child's to (%ld, not 50000)", seen[1]);

    struct thread_view view = { -1, -1 };
    pthread_t thread;
    int created = pthread_create(&thread, NULL, in_thread, &view);
    if (created == 0)
        pthread_join(thread, NULL);
    ok(created == 0 && view.started_with == 70000 && view.after_own_set == 1234,
        "a new thread starts with its creator's slack and may change its own (%ld, %ld)", view.started_with,
        view.after_own_set);
    ok(slack() == 70000 && proc_slack() == 70000, "the creator's slack is untouched by the thread's change (%ld, %ld)",
        slack(), proc_slack());
    return tap_done();
}
