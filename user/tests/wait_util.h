// wait_util.h — helpers for tests of calls that sleep (poll, select, blocking pipes): a
// monotonic clock, and a way for a child to act only once its parent is asleep, so that a
// test of "woken by X" never depends on which process the scheduler runs first.
// Header-only, static.
#ifndef PAGODA_TESTS_WAIT_UTIL_H
#define PAGODA_TESTS_WAIT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static inline long long monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

// The state letter of /proc/PID/stat ('R', 'S', 'Z', ...), or 0 if it cannot be read.
static inline char process_state(pid_t pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    char* paren = strrchr(text, ')'); // the name may hold spaces and parentheses
    return paren && paren[1] == ' ' ? paren[2] : 0;
}

// Returns once `pid` is asleep ('S'): a parent that did nothing but enter a blocking call
// after fork() is then inside that call. Gives up (returning -1) after about 20 s.
static inline int wait_until_sleeping(pid_t pid)
{
    struct timespec pause = { 0, 1000000 };
    for (int i = 0; i < 20000; ++i) {
        if (process_state(pid) == 'S')
            return 0;
        nanosleep(&pause, NULL);
    }
    return -1;
}

// For tests of descriptors above Linux's default RLIMIT_NOFILE of 1024: raises the soft limit
// to `limit` (the old limits go to *saved), makes a pipe with one byte in it and gives its
// read end the descriptor `fd` as well. Returns 0, or -1 with errno set.
static inline int readable_pipe_above_default_limit(int fd, int limit, int p[2], struct rlimit* saved)
{
    getrlimit(RLIMIT_NOFILE, saved);
    if (saved->rlim_max < (rlim_t)limit) {
        errno = EPERM;
        return -1;
    }
    struct rlimit raised = { (rlim_t)limit, saved->rlim_max };
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0 || pipe(p) != 0)
        return -1;
    if (dup2(p[0], fd) != fd || write(p[1], "x", 1) != 1)
        return -1;
    return 0;
}

#endif
