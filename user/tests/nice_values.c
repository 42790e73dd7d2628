// getpriority/setpriority: nice values per thread, inherited by fork and pthread_create,
// clamped to -20..19, shown in /proc/self/stat (priority 20 + nice, nice); PRIO_PGRP and
// PRIO_USER over several processes; EINVAL, ESRCH; as an ordinary user EPERM on root's
// process and EACCES for lowering beyond RLIMIT_NICE. (zsh runs `nice(5)` for every
// background job.) Runs as root.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_checks.h"
#include "tap.h"

static int nice_of(int which, int who)
{
    errno = 0;
    return getpriority(which, who);
}

// Fields 18 and 19 of /proc/self/stat (after the ")" of the command name, field 3 is first).
static int stat_priority_and_nice(int* priority, int* nice)
{
    char text[1024];
    FILE* f = fopen("/proc/self/stat", "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char* p = strrchr(text, ')');
    if (!p)
        return -1;
    p += 2;
    for (int field = 3; field < 18; field++) {
        p = strchr(p, ' ');
        if (!p)
            return -1;
        p++;
    }
    return sscanf(p, "%d %d", priority, nice) == 2 ? 0 : -1;
}

static pid_t child_reporting(int pipe_fd, int setting)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (setting != 99)
            setpriority(PRIO_PROCESS, 0, setting);
        int value = nice_of(PRIO_PROCESS, 0);
        write(pipe_fd, &value, sizeof value);
        pause(); // until the parent has looked
        _exit(0);
    }
    return pid;
}

static volatile int thread_nice_seen;
static volatile int thread_tid;
static volatile int thread_may_end;

static void* thread_body(void* arg)
{
    (void)arg;
    thread_tid = (int)syscall(SYS_gettid);
    thread_nice_seen = nice_of(PRIO_PROCESS, 0);
    while (!thread_may_end)
        usleep(1000);
    return NULL;
}

static void as_ordinary_user(void)
{
    // Room for nice values down to 20 - 25 = -5, if root may raise the hard limit (on Linux
    // only with CAP_SYS_RESOURCE, which a container may lack); else the limit stays as it is.
    struct rlimit room = { 25, 25 };
    int room_given = setrlimit(RLIMIT_NICE, &room) == 0;
    struct rlimit limit;
    getrlimit(RLIMIT_NICE, &limit);
    gid_t groups[1] = { 1000 };
    become_user(1000, 1000, 1, groups);
    int r = setpriority(PRIO_PROCESS, getppid(), 5);
    int e = errno;
    ok(r == -1 && e == EPERM, "uid 1000: setpriority on root's process → EPERM (r=%d errno=%d)", r, e);
    r = setpriority(PRIO_PROCESS, 0, 10);
    ok(r == 0 && nice_of(PRIO_PROCESS, 0) == 10, "uid 1000 raises its own nice value to 10 (r=%d)", r);
    r = setpriority(PRIO_PROCESS, 0, 10);
    ok(r == 0, "setting the same value again is not lowering it (r=%d)", r);
    int lowest = 20 - (int)limit.rlim_cur; // the lowest value RLIMIT_NICE lets it reach
    if (lowest < 10) {
        r = setpriority(PRIO_PROCESS, 0, lowest);
        ok(r == 0 && nice_of(PRIO_PROCESS, 0) == lowest, "uid 1000 lowers it to %d, within RLIMIT_NICE %d (r=%d)", lowest,
            (int)limit.rlim_cur, r);
    } else {
        skip("RLIMIT_NICE gives no room", "uid 1000 lowers its nice value within RLIMIT_NICE");
    }
    int before = nice_of(PRIO_PROCESS, 0);
    int too_low = (lowest < before ? lowest : before) - 1;
    r = setpriority(PRIO_PROCESS, 0, too_low);
    e = errno;
    ok(r == -1 && e == EACCES && nice_of(PRIO_PROCESS, 0) == before,
        "uid 1000: %d is beyond RLIMIT_NICE %d → EACCES, still %d (r=%d errno=%d; raised: %d)", too_low,
        (int)limit.rlim_cur, before, r, e, room_given);
    int value = nice_of(PRIO_USER, 0);
    e = errno;
    ok(value == before && e == 0, "PRIO_USER 0: the nice value of uid 1000's only process (%d errno=%d)", value, e);
}

int main(void)
{
    if (getuid() != 0) {
        skip("not root", "nice values (the permission checks need root)");
        return tap_done();
    }
    // A group of our own, so that PRIO_PGRP sees only our processes.
    setpgid(0, 0);
    ok(setpriority(PRIO_PROCESS, 0, 0) == 0 && nice_of(PRIO_PROCESS, 0) == 0, "root sets its nice value to 0");
    long raw = syscall(SYS_getpriority, PRIO_PROCESS, 0);
    ok(raw == 20, "the raw system call returns 20 - nice (%ld)", raw);

    ok(setpriority(PRIO_PROCESS, 0, 5) == 0 && nice_of(PRIO_PROCESS, 0) == 5, "setpriority 5, getpriority 5");
    int result = nice(2);
    ok(result == 7 && nice_of(PRIO_PROCESS, getpid()) == 7, "nice(2) → 7, seen by pid too (%d)", result);
    raw = syscall(SYS_getpriority, PRIO_PROCESS, 0);
    ok(raw == 13, "raw 20 - 7 = 13 (%ld)", raw);
    int priority = -1, nice_field = -1;
    int parsed = stat_priority_and_nice(&priority, &nice_field);
    ok(parsed == 0 && priority == 27 && nice_field == 7,
        "/proc/self/stat: priority 27, nice 7 (%d, %d)", priority, nice_field);
    ok(setpriority(PRIO_PROCESS, 0, 100) == 0 && nice_of(PRIO_PROCESS, 0) == 19, "100 is clamped to 19");
    ok(setpriority(PRIO_PROCESS, 0, -100) == 0 && nice_of(PRIO_PROCESS, 0) == -20, "root: -100 is clamped to -20");
    setpriority(PRIO_PROCESS, 0, 3);

    int r = setpriority(3, 0, 0);
    ok(r == -1 && errno == EINVAL, "which 3 → EINVAL (r=%d errno=%d)", r, errno);
    r = getpriority(-1, 0);
    ok(r == -1 && errno == EINVAL, "getpriority which -1 → EINVAL (errno=%d)", errno);
    r = setpriority(PRIO_PROCESS, 999999, 0);
    ok(r == -1 && errno == ESRCH, "no such pid → ESRCH (errno=%d)", errno);
    errno = 0;
    r = getpriority(PRIO_PGRP, 999999);
    ok(r == -1 && errno == ESRCH, "no such process group → ESRCH (errno=%d)", errno);

    // A child inherits the nice value; a change in the child is its own; the parent sees it.
    int pipe_fds[2];
    pipe(pipe_fds);
    pid_t inheriting = child_reporting(pipe_fds[1], 99);
    int value = -100;
    read(pipe_fds[0], &value, sizeof value);
    ok(value == 3, "a forked child starts with its parent's nice value 3 (%d)", value);
    pid_t changing = child_reporting(pipe_fds[1], 12);
    read(pipe_fds[0], &value, sizeof value);
    ok(value == 12 && nice_of(PRIO_PROCESS, changing) == 12 && nice_of(PRIO_PROCESS, 0) == 3,
        "a child's own setpriority 12: seen by the parent by pid, the parent keeps 3 (%d)", value);
    // PRIO_PGRP: our group holds us (3), and the two children (3, 12): the lowest nice wins.
    value = nice_of(PRIO_PGRP, 0);
    ok(value == 3 && errno == 0, "PRIO_PGRP 0 gives the group's lowest nice value, 3 (%d)", value);
    ok(setpriority(PRIO_PGRP, 0, 15) == 0, "PRIO_PGRP 0 set to 15");
    ok(nice_of(PRIO_PROCESS, 0) == 15 && nice_of(PRIO_PROCESS, inheriting) == 15 && nice_of(PRIO_PROCESS, changing) == 15,
        "... every process of the group has 15 (%d %d %d)", nice_of(PRIO_PROCESS, 0), nice_of(PRIO_PROCESS, inheriting),
        nice_of(PRIO_PROCESS, changing));
    kill(inheriting, SIGKILL);
    kill(changing, SIGKILL);
    waitpid(inheriting, NULL, 0);
    waitpid(changing, NULL, 0);
    setpriority(PRIO_PROCESS, 0, 4);

    // Threads: a new thread starts with its creator's value; each thread has its own.
    pthread_t thread;
    thread_tid = 0;
    pthread_create(&thread, NULL, thread_body, NULL);
    while (!thread_tid)
        usleep(1000);
    while (thread_nice_seen == 0)
        usleep(1000);
    ok(thread_nice_seen == 4, "a new thread starts with its creator's nice value 4 (%d)", thread_nice_seen);
    r = setpriority(PRIO_PROCESS, thread_tid, 9);
    ok(r == 0 && nice_of(PRIO_PROCESS, thread_tid) == 9 && nice_of(PRIO_PROCESS, 0) == 4,
        "setpriority of the thread's tid changes that thread only (thread %d, main %d)", nice_of(PRIO_PROCESS, thread_tid),
        nice_of(PRIO_PROCESS, 0));
    thread_may_end = 1;
    pthread_join(thread, NULL);

    checks_in_child("as uid 1000", as_ordinary_user);
    return tap_done();
}
