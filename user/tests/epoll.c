// epoll — the kernel-held interest list, against Linux:
//   epoll_create(0) and unknown epoll_create1 flags: EINVAL; EPOLL_CLOEXEC sets FD_CLOEXEC;
//   /proc/self/fd names the instance anon_inode:[eventpoll];
//   level-triggered: a readable pipe is reported on every call until drained, a writable
//   end at once, the data word comes back; a hung-up pipe reports EPOLLHUP unasked;
//   edge-triggered: reported once per new write, not again while it stays readable;
//   EPOLLONESHOT: once, then nothing until EPOLL_CTL_MOD re-arms it;
//   a wait with a time-out of -1 sleeps until a child writes; a signal ends it with EINTR
//   even with SA_RESTART; epoll_pwait's mask keeps a blocked signal from ending it;
//   more ready than maxevents: the next call reports the ones left out;
//   an instance inside another: the outer reports the inner as readable;
//   closing a registered pipe's only descriptor ends its registration (the number can be
//   added again); with a dup left open it stays and still reports;
//   errors: EEXIST, ENOENT (MOD, DEL), EPERM (a regular file), EINVAL (the instance itself,
//   a non-instance, maxevents 0, EPOLLEXCLUSIVE with MOD), EBADF, ELOOP (A in B in A), EFAULT.
#define _GNU_SOURCE
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int fails_with(long r, int e) { return r == -1 && errno == e; }

static int add(int epfd, int fd, unsigned events, unsigned long data)
{
    struct epoll_event event = { .events = events, .data.u64 = data };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

// One epoll_wait with a zero time-out: how many, and the first event.
static int ready_now(int epfd, struct epoll_event* first)
{
    struct epoll_event events[8];
    int n = epoll_wait(epfd, events, 8, 0);
    if (n > 0 && first)
        *first = events[0];
    return n;
}

static void creation(void)
{
    // (musl's epoll_create() does not pass its size on: the system call itself is asked.)
    ok(fails_with(syscall(SYS_epoll_create, 0), EINVAL), "epoll_create(0): EINVAL (errno=%d)", errno);
    ok(fails_with(epoll_create1(1), EINVAL), "epoll_create1 with an unknown flag: EINVAL (errno=%d)", errno);
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    ok(epfd >= 0 && fcntl(epfd, F_GETFD) == FD_CLOEXEC, "EPOLL_CLOEXEC sets FD_CLOEXEC");
    char link[64], target[64] = { 0 };
    snprintf(link, sizeof link, "/proc/self/fd/%d", epfd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    ok(n > 0 && strcmp(target, "anon_inode:[eventpoll]") == 0, "/proc/self/fd names it %s", target);
    close(epfd);
}

static void level_triggered(void)
{
    int epfd = epoll_create1(0), p[2];
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    ok(add(epfd, p[0], EPOLLIN, 0x1234567890ull) == 0, "add a pipe's read end (errno=%d)", errno);
    struct epoll_event event;
    ok(ready_now(epfd, NULL) == 0, "an empty pipe is not ready");
    if (write(p[1], "ab", 2) != 2)
        diag("write: errno %d", errno);
    int n = ready_now(epfd, &event);
    ok(n == 1 && event.events == EPOLLIN && event.data.u64 == 0x1234567890ull, "written: EPOLLIN with the data word (n=%d %#x)", n,
        event.events);
    ok(ready_now(epfd, NULL) == 1, "level-triggered: reported again while readable");
    char buffer[4];
    if (read(p[0], buffer, sizeof buffer) != 2)
        diag("read: errno %d", errno);
    ok(ready_now(epfd, NULL) == 0, "drained: not ready");
    ok(add(epfd, p[1], EPOLLOUT, 7) == 0, "add the write end for EPOLLOUT");
    n = ready_now(epfd, &event);
    ok(n == 1 && event.events == EPOLLOUT && event.data.u64 == 7, "the write end is writable at once (n=%d)", n);
    ok(epoll_ctl(epfd, EPOLL_CTL_DEL, p[1], NULL) == 0, "EPOLL_CTL_DEL");
    close(p[1]);
    n = ready_now(epfd, &event);
    ok(n == 1 && (event.events & EPOLLHUP), "the writer gone: EPOLLHUP, not asked for (%#x)", event.events);
    close(p[0]);
    close(epfd);
}

static void edge_and_one_shot(void)
{
    int epfd = epoll_create1(0), p[2], q[2];
    if (pipe(p) != 0 || pipe(q) != 0)
        bail("pipe: errno %d", errno);
    add(epfd, p[0], EPOLLIN | EPOLLET, 1);
    if (write(p[1], "a", 1) != 1)
        diag("write: errno %d", errno);
    ok(ready_now(epfd, NULL) == 1, "edge-triggered: reported after a write");
    ok(ready_now(epfd, NULL) == 0, "and not again while it stays readable");
    if (write(p[1], "b", 1) != 1)
        diag("write: errno %d", errno);
    ok(ready_now(epfd, NULL) == 1, "a new write: reported again");
    epoll_ctl(epfd, EPOLL_CTL_DEL, p[0], NULL);

    add(epfd, q[0], EPOLLIN | EPOLLONESHOT, 2);
    if (write(q[1], "a", 1) != 1)
        diag("write: errno %d", errno);
    ok(ready_now(epfd, NULL) == 1, "one-shot: reported once");
    if (write(q[1], "b", 1) != 1)
        diag("write: errno %d", errno);
    ok(ready_now(epfd, NULL) == 0, "then nothing, even after another write");
    struct epoll_event event = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 3 };
    ok(epoll_ctl(epfd, EPOLL_CTL_MOD, q[0], &event) == 0, "EPOLL_CTL_MOD re-arms it");
    struct epoll_event got;
    ok(ready_now(epfd, &got) == 1 && got.data.u64 == 3, "and it is reported with the new data word");
    event.events = EPOLLIN | EPOLLEXCLUSIVE;
    ok(fails_with(epoll_ctl(epfd, EPOLL_CTL_MOD, q[0], &event), EINVAL), "EPOLLEXCLUSIVE with MOD: EINVAL (errno=%d)", errno);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    close(epfd);
}

static void on_alarm(int signal) { (void)signal; }

static void waiting(void)
{
    int epfd = epoll_create1(0), p[2];
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    add(epfd, p[0], EPOLLIN, 9);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        usleep(50000);
        _exit(write(p[1], "x", 1) == 1 ? 0 : 1);
    }
    struct epoll_event event;
    int n = epoll_wait(epfd, &event, 1, -1);
    ok(n == 1 && event.data.u64 == 9, "a wait without time-out sleeps until a child writes (n=%d errno=%d)", n, errno);
    waitpid(child, NULL, 0);
    char c;
    if (read(p[0], &c, 1) != 1)
        diag("read: errno %d", errno);

    struct sigaction action = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigaction(SIGALRM, &action, NULL);
    struct itimerval soon = { .it_value = { 0, 50000 } };
    setitimer(ITIMER_REAL, &soon, NULL);
    n = epoll_wait(epfd, &event, 1, 5000);
    ok(n == -1 && errno == EINTR, "a signal ends the wait with EINTR despite SA_RESTART (n=%d errno=%d)", n, errno);

    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    setitimer(ITIMER_REAL, &soon, NULL);
    n = epoll_pwait(epfd, &event, 1, 200, &block);
    ok(n == 0, "epoll_pwait with SIGALRM blocked times out instead (n=%d errno=%d)", n, errno);
    usleep(1000); // the pending SIGALRM is delivered once the old mask is back
    signal(SIGALRM, SIG_DFL);
    close(p[0]);
    close(p[1]);
    close(epfd);
}

static void many_and_nested(void)
{
    int epfd = epoll_create1(0), pipes[3][2];
    for (int i = 0; i < 3; ++i) {
        if (pipe(pipes[i]) != 0 || write(pipes[i][1], "x", 1) != 1)
            bail("pipe: errno %d", errno);
        add(epfd, pipes[i][0], EPOLLIN, (unsigned long)i);
    }
    struct epoll_event events[2];
    int n = epoll_wait(epfd, events, 2, 0);
    ok(n == 2, "three ready, maxevents 2: two (n=%d)", n);
    int seen[3] = { 0 };
    for (int i = 0; i < n; ++i)
        seen[events[i].data.u64] = 1;
    n = epoll_wait(epfd, events, 2, 0);
    int third = -1;
    for (int i = 0; i < 3; ++i)
        if (!seen[i])
            third = i;
    int got_third = 0;
    for (int i = 0; i < n; ++i)
        got_third |= (int)events[i].data.u64 == third;
    ok(got_third, "the next call reports the one left out (%d)", third);

    int outer = epoll_create1(0);
    ok(add(outer, epfd, EPOLLIN, 42) == 0, "an instance added to another (errno=%d)", errno);
    struct epoll_event event;
    n = ready_now(outer, &event);
    ok(n == 1 && event.data.u64 == 42 && (event.events & EPOLLIN), "the outer reports the inner readable (n=%d)", n);
    ok(fails_with(add(epfd, outer, EPOLLIN, 0), ELOOP), "and the outer added to the inner: ELOOP (errno=%d)", errno);
    ok(fails_with(add(epfd, epfd, EPOLLIN, 0), EINVAL), "an instance added to itself: EINVAL (errno=%d)", errno);
    for (int i = 0; i < 3; ++i) {
        close(pipes[i][0]);
        close(pipes[i][1]);
    }
    ok(ready_now(outer, NULL) == 0, "the pipes closed: nothing ready in either");
    close(outer);
    close(epfd);
}

static void registrations_end_with_the_file(void)
{
    int epfd = epoll_create1(0), p[2];
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    int fd = p[0];
    add(epfd, fd, EPOLLIN, 1);
    close(p[0]);
    close(p[1]);
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    ok(p[0] == fd, "a new pipe gets the number back (%d)", p[0]);
    ok(add(epfd, p[0], EPOLLIN, 2) == 0, "its registration ended with the file: adding it again works (errno=%d)", errno);
    int copy = dup(p[0]);
    close(p[0]);
    if (write(p[1], "x", 1) != 1)
        diag("write: errno %d", errno);
    struct epoll_event event;
    int n = ready_now(epfd, &event);
    ok(n == 1 && event.data.u64 == 2, "closed but dup'ed: the registration stays and reports (n=%d)", n);
    close(copy);
    close(p[1]);
    close(epfd);
}

static void errors(void)
{
    int epfd = epoll_create1(0), p[2];
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    add(epfd, p[0], EPOLLIN, 0);
    ok(fails_with(add(epfd, p[0], EPOLLIN, 0), EEXIST), "added twice: EEXIST (errno=%d)", errno);
    struct epoll_event event = { .events = EPOLLIN };
    ok(fails_with(epoll_ctl(epfd, EPOLL_CTL_MOD, p[1], &event), ENOENT), "MOD of one not added: ENOENT (errno=%d)", errno);
    ok(fails_with(epoll_ctl(epfd, EPOLL_CTL_DEL, p[1], NULL), ENOENT), "DEL of one not added: ENOENT (errno=%d)", errno);
    int file = open("/proc/self/exe", O_RDONLY);
    ok(fails_with(add(epfd, file, EPOLLIN, 0), EPERM), "a regular file: EPERM (errno=%d)", errno);
    ok(fails_with(add(p[1], p[0], EPOLLIN, 0), EINVAL), "a pipe as the instance: EINVAL (errno=%d)", errno);
    ok(fails_with(add(epfd, 999, EPOLLIN, 0), EBADF), "a closed descriptor: EBADF (errno=%d)", errno);
    ok(fails_with(epoll_ctl(epfd, 99, p[1], &event), EINVAL), "an unknown op: EINVAL (errno=%d)", errno);
    struct epoll_event events[1];
    ok(fails_with(epoll_wait(epfd, events, 0, 0), EINVAL), "maxevents 0: EINVAL (errno=%d)", errno);
    ok(fails_with(epoll_wait(p[0], events, 1, 0), EINVAL), "epoll_wait on a pipe: EINVAL (errno=%d)", errno);
    ok(fails_with(epoll_wait(999, events, 1, 0), EBADF), "epoll_wait on a closed descriptor: EBADF (errno=%d)", errno);
    ok(fails_with(epoll_wait(epfd, (struct epoll_event*)(~0ul - 100), 1, 0), EFAULT), "a kernel address: EFAULT (errno=%d)", errno);
    ok(fails_with(epoll_ctl(epfd, EPOLL_CTL_ADD, p[1], (struct epoll_event*)8), EFAULT), "an unreadable event: EFAULT (errno=%d)",
        errno);
    close(file);
    close(p[0]);
    close(p[1]);
    close(epfd);
}

int main(void)
{
    creation();
    level_triggered();
    edge_and_one_shot();
    waiting();
    many_and_nested();
    registrations_end_with_the_file();
    errors();
    return tap_done();
}
