// poll and ppoll: what each kind of file reports (pipe ends with and without data, readers
// and writers; regular files and /dev/null always ready), POLLNVAL and negative fds, the
// events filter; sleeping until a child writes, closes its end or makes room (the child acts
// only once the parent is asleep); a time-out sleeps at least as long as asked; a handler
// ends the wait with EINTR even with SA_RESTART; ppoll's mask holds during the wait only and
// the time left is written back; EINVAL and EFAULT cases; a descriptor and an array beyond
// the default RLIMIT_NOFILE once it is raised.
#define _GNU_SOURCE
#include "tap.h"
#include "wait_util.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_count;
static void on_usr1(int signal) { (void)signal, ++usr1_count; }

static int poll_one(int fd, short events, int timeout, short* revents)
{
    struct pollfd entry = { .fd = fd, .events = events, .revents = (short)0x7777 };
    int r = poll(&entry, 1, timeout);
    *revents = entry.revents;
    return r;
}

// ppoll through the raw system call: musl passes a copy of the time-out, which would hide
// the time Linux writes back.
static long raw_ppoll(struct pollfd* fds, unsigned long n, struct timespec* timeout, const sigset_t* mask, size_t size)
{
    return syscall(SYS_ppoll, fds, n, timeout, mask, size);
}

static void readiness_of_pipes(void)
{
    int p[2];
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    short rev;
    int r = poll_one(p[1], POLLOUT, 0, &rev);
    ok(r == 1 && rev == POLLOUT, "empty pipe: write end POLLOUT (r=%d revents=%#x)", r, rev);
    r = poll_one(p[1], POLLOUT | POLLWRNORM, 0, &rev);
    ok(r == 1 && rev == (POLLOUT | POLLWRNORM), "write end with POLLWRNORM asked too (revents=%#x)", rev);
    r = poll_one(p[0], POLLIN, 0, &rev);
    ok(r == 0 && rev == 0, "empty pipe: read end not ready, time-out 0 returns 0 at once (r=%d revents=%#x)", r, rev);
    r = poll_one(p[1], POLLIN, 0, &rev);
    ok(r == 0 && rev == 0, "write end asked only POLLIN: filtered out (r=%d revents=%#x)", r, rev);

    ok(write(p[1], "ab", 2) == 2, "write 2 bytes");
    r = poll_one(p[0], POLLIN | POLLRDNORM | POLLPRI, 0, &rev);
    ok(r == 1 && rev == (POLLIN | POLLRDNORM), "data: read end POLLIN|POLLRDNORM, no POLLPRI (revents=%#x)", rev);

    close(p[1]);
    r = poll_one(p[0], POLLIN, 0, &rev);
    ok(r == 1 && rev == (POLLIN | POLLHUP), "writer gone, data left: POLLIN|POLLHUP (revents=%#x)", rev);
    char buffer[4];
    ok(read(p[0], buffer, sizeof buffer) == 2, "the 2 bytes are still read");
    r = poll_one(p[0], POLLIN, 0, &rev);
    ok(r == 1 && rev == POLLHUP, "writer gone, drained: POLLHUP only (revents=%#x)", rev);
    r = poll_one(p[0], 0, 0, &rev);
    ok(r == 1 && rev == POLLHUP, "POLLHUP is reported even when not asked (revents=%#x)", rev);
    close(p[0]);

    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    r = poll_one(p[1], POLLOUT, 0, &rev);
    ok(r == 1 && rev == (POLLOUT | POLLERR), "reader gone: write end POLLOUT|POLLERR (revents=%#x)", rev);
    r = poll_one(p[1], 0, 0, &rev);
    ok(r == 1 && rev == POLLERR, "POLLERR is reported even when not asked (revents=%#x)", rev);
    close(p[1]);
}

static void readiness_of_other_files(void)
{
    int p[2];
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    int closed = dup(p[0]);
    close(closed);
    struct pollfd fds[3] = { { .fd = closed, .events = POLLIN }, { .fd = -5, .events = POLLIN | POLLOUT }, { .fd = p[1], .events = POLLOUT } };
    fds[1].revents = 0x55;
    int r = poll(fds, 3, 0);
    ok(r == 2 && fds[0].revents == POLLNVAL && fds[1].revents == 0 && fds[2].revents == POLLOUT,
        "closed fd POLLNVAL, negative fd ignored (revents cleared), count 2 (r=%d %#x %#x %#x)", r, fds[0].revents,
        fds[1].revents, fds[2].revents);
    close(p[0]);
    close(p[1]);

    char path[] = "/tmp/poll_pipes_XXXXXX";
    int file = mkstemp(path);
    short rev;
    r = poll_one(file, POLLIN | POLLOUT | POLLPRI | POLLRDHUP, -1, &rev);
    ok(r == 1 && rev == (POLLIN | POLLOUT), "regular file: POLLIN|POLLOUT at once, even with no time-out (revents=%#x)", rev);
    int read_only = open(path, O_RDONLY);
    r = poll_one(read_only, POLLIN | POLLOUT, -1, &rev);
    ok(r == 1 && rev == (POLLIN | POLLOUT), "regular file opened read-only: still POLLIN|POLLOUT (revents=%#x)", rev);
    close(read_only);
    close(file);
    unlink(path);
    int null = open("/dev/null", O_WRONLY);
    r = poll_one(null, POLLIN | POLLOUT, -1, &rev);
    ok(r == 1 && rev == (POLLIN | POLLOUT), "/dev/null: POLLIN|POLLOUT (revents=%#x)", rev);
    close(null);
}

enum child_action { WRITE_BYTE, CLOSE_WRITER, DRAIN, SEND_USR1, SEND_USR1_THEN_WRITE };

// Forks a child that waits until this process sleeps, then does `action` on the pipe.
static pid_t child_acts_when_asleep(int p[2], enum child_action action)
{
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        if (action != DRAIN)
            close(p[0]);
        if (wait_until_sleeping(parent) != 0)
            _exit(2);
        char buffer[8192];
        switch (action) {
        case WRITE_BYTE:
            _exit(write(p[1], "x", 1) == 1 ? 0 : 3);
        case CLOSE_WRITER:
            close(p[1]);
            _exit(0);
        case DRAIN:
            _exit(read(p[0], buffer, sizeof buffer) == (ssize_t)sizeof buffer ? 0 : 3);
        case SEND_USR1:
            kill(parent, SIGUSR1);
            // Never left hanging: if the signal did not end the wait, this byte does (the
            // parent kills this child once its wait ended).
            sleep(10);
            _exit(write(p[1], "x", 1) == 1 ? 0 : 3);
        case SEND_USR1_THEN_WRITE:
            kill(parent, SIGUSR1);
            _exit(write(p[1], "x", 1) == 1 ? 0 : 3);
        }
    }
    return child;
}

static int reaped_ok(pid_t child)
{
    int status;
    return waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void sleeping_until_ready(void)
{
    int p[2];
    short rev;
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    pid_t child = child_acts_when_asleep(p, WRITE_BYTE);
    int r = poll_one(p[0], POLLIN, -1, &rev);
    ok(r == 1 && rev == POLLIN && reaped_ok(child), "poll sleeps until a child writes: POLLIN (r=%d revents=%#x)", r, rev);
    char byte;
    read(p[0], &byte, 1);

    child = child_acts_when_asleep(p, CLOSE_WRITER);
    close(p[1]);
    r = poll_one(p[0], POLLIN, -1, &rev);
    ok(r == 1 && rev == POLLHUP && reaped_ok(child), "poll sleeps until the last writer closes: POLLHUP (revents=%#x)", rev);
    close(p[0]);

    if (pipe2(p, O_NONBLOCK) != 0)
        bail("pipe2: errno %d", errno);
    char block[4096] = { 0 };
    while (write(p[1], block, sizeof block) > 0) { }
    r = poll_one(p[1], POLLOUT, 0, &rev);
    ok(r == 0 && rev == 0, "full pipe: write end not ready (r=%d revents=%#x)", r, rev);
    child = child_acts_when_asleep(p, DRAIN);
    r = poll_one(p[1], POLLOUT, -1, &rev);
    ok(r == 1 && rev == POLLOUT && reaped_ok(child), "poll sleeps until a child reads 8 KiB: POLLOUT (revents=%#x)", rev);
    close(p[0]);
    close(p[1]);

    // Two descriptors, one pipe each: the one that becomes ready is the one reported.
    int q[2];
    if (pipe(p) != 0 || pipe(q) != 0)
        bail("pipe: errno %d", errno);
    child = child_acts_when_asleep(q, WRITE_BYTE);
    struct pollfd both[2] = { { .fd = p[0], .events = POLLIN }, { .fd = q[0], .events = POLLIN } };
    r = poll(both, 2, -1);
    ok(r == 1 && both[0].revents == 0 && both[1].revents == POLLIN && reaped_ok(child),
        "two pipes: woken by the second, only it reported (r=%d %#x %#x)", r, both[0].revents, both[1].revents);
    close(p[0]), close(p[1]), close(q[0]), close(q[1]);
}

static void time_outs_and_signals(void)
{
    int p[2];
    short rev;
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    long long start = monotonic_ns();
    int r = poll_one(p[0], POLLIN, 100, &rev);
    long long slept = monotonic_ns() - start;
    ok(r == 0 && rev == 0 && slept >= 100000000LL, "poll time-out 100 ms: returns 0 after at least 100 ms (%lld us)", slept / 1000);

    struct timespec timeout = { 0, 50000000 };
    start = monotonic_ns();
    struct pollfd entry = { .fd = p[0], .events = POLLIN };
    r = (int)raw_ppoll(&entry, 1, &timeout, NULL, 8);
    slept = monotonic_ns() - start;
    ok(r == 0 && slept >= 50000000LL && timeout.tv_sec == 0 && timeout.tv_nsec == 0,
        "ppoll time-out 50 ms: 0 after at least 50 ms, time left written back as 0 (%lld us, left %ld.%09ld)", slept / 1000,
        (long)timeout.tv_sec, timeout.tv_nsec);

    struct sigaction action = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    usr1_count = 0;
    pid_t child = child_acts_when_asleep(p, SEND_USR1);
    errno = 0;
    r = poll_one(p[0], POLLIN, -1, &rev);
    int error = errno;
    ok(r == -1 && error == EINTR && usr1_count == 1, "a handler with SA_RESTART ends poll with EINTR, never a restart (r=%d errno=%d handler ran %d)",
        r, error, (int)usr1_count);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);

    // ppoll's mask: a pending blocked signal that the mask lets through ends it at once, and
    // afterwards the old mask is back.
    sigset_t usr1, empty, now;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    usr1_count = 0;
    kill(getpid(), SIGUSR1);
    timeout = (struct timespec) { 5, 0 };
    errno = 0;
    r = (int)raw_ppoll(&entry, 1, &timeout, &empty, 8);
    error = errno;
    sigprocmask(SIG_BLOCK, NULL, &now);
    ok(r == -1 && error == EINTR && usr1_count == 1 && sigismember(&now, SIGUSR1),
        "ppoll with an empty mask: the pending SIGUSR1 interrupts it (EINTR), handler ran, SIGUSR1 blocked again after "
        "(r=%d errno=%d count %d)",
        r, error, (int)usr1_count);
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);

    // The other way round: a mask that blocks SIGUSR1 keeps the wait going; the signal is
    // delivered as ppoll returns, once the old mask is back.
    usr1_count = 0;
    child = child_acts_when_asleep(p, SEND_USR1_THEN_WRITE);
    timeout = (struct timespec) { 30, 0 };
    errno = 0;
    r = (int)raw_ppoll(&entry, 1, &timeout, &usr1, 8);
    error = errno;
    ok(r == 1 && entry.revents == POLLIN && usr1_count == 1,
        "ppoll with SIGUSR1 masked: not interrupted, woken by data, the handler runs on return (r=%d errno=%d count %d)", r,
        error, (int)usr1_count);
    ok(timeout.tv_sec < 30 && timeout.tv_sec >= 0 && timeout.tv_nsec >= 0 && timeout.tv_nsec < 1000000000,
        "ppoll wrote the time left back, less than the 30 s asked (%ld.%09ld)", (long)timeout.tv_sec, timeout.tv_nsec);
    reaped_ok(child);
    char byte;
    read(p[0], &byte, 1);
    close(p[0]);
    close(p[1]);
}

static void errors(void)
{
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    errno = 0;
    long r = syscall(SYS_poll, NULL, (unsigned long)limit.rlim_cur + 1, 0);
    ok(r == -1 && errno == EINVAL, "more entries than RLIMIT_NOFILE: EINVAL (r=%ld errno=%d)", r, errno);
    errno = 0;
    r = syscall(SYS_poll, (void*)8, 1, 0);
    ok(r == -1 && errno == EFAULT, "an unreadable array: EFAULT (r=%ld errno=%d)", r, errno);
    r = syscall(SYS_poll, (void*)8, 0, 0);
    ok(r == 0, "no entries: 0, the pointer never read (r=%ld errno=%d)", r, errno);

    struct pollfd entry = { .fd = 0, .events = POLLIN };
    struct timespec bad = { 0, 1000000000 };
    errno = 0;
    r = raw_ppoll(&entry, 1, &bad, NULL, 8);
    ok(r == -1 && errno == EINVAL, "ppoll with tv_nsec = 1e9: EINVAL (errno=%d)", errno);
    bad = (struct timespec) { -1, 0 };
    errno = 0;
    r = raw_ppoll(&entry, 1, &bad, NULL, 8);
    ok(r == -1 && errno == EINVAL, "ppoll with a negative time-out: EINVAL (errno=%d)", errno);
    sigset_t mask;
    sigemptyset(&mask);
    struct timespec zero = { 0, 0 };
    errno = 0;
    r = raw_ppoll(&entry, 1, &zero, &mask, 4);
    ok(r == -1 && errno == EINVAL, "ppoll with a sigset size of 4: EINVAL (errno=%d)", errno);
    errno = 0;
    r = raw_ppoll(&entry, 1, (struct timespec*)8, NULL, 8);
    ok(r == -1 && errno == EFAULT, "ppoll with an unreadable time-out: EFAULT (errno=%d)", errno);
    errno = 0;
    r = raw_ppoll(&entry, 0xffffffffUL, &zero, NULL, 8);
    ok(r == -1 && errno == EINVAL, "ppoll with nfds -1: EINVAL (errno=%d)", errno);
}

// A descriptor above Linux's default limit of 1024, once setrlimit allows it: poll takes
// an array as long as the new limit, and no longer.
static void beyond_the_default_limit(void)
{
    enum { HIGH_FD = 1500, LIMIT = 2048 };
    struct rlimit saved;
    int p[2];
    if (readable_pipe_above_default_limit(HIGH_FD, LIMIT, p, &saved) != 0)
        bail("a pipe at descriptor %d under a limit of %d: errno %d", HIGH_FD, LIMIT, errno);
    static struct pollfd entries[LIMIT + 1];
    for (int i = 0; i < LIMIT + 1; ++i)
        entries[i] = (struct pollfd) { .fd = -1, .events = POLLIN };
    entries[HIGH_FD].fd = HIGH_FD;
    errno = 0;
    long r = syscall(SYS_poll, entries, (unsigned long)HIGH_FD + 1, 0);
    ok(r == 1 && entries[HIGH_FD].revents == POLLIN, "descriptor %d in an array of %d: POLLIN (r=%ld revents=%#x errno=%d)",
        HIGH_FD, HIGH_FD + 1, r, entries[HIGH_FD].revents, errno);
    r = syscall(SYS_poll, entries, (unsigned long)LIMIT, 0);
    ok(r == 1, "an array as long as the raised limit (r=%ld errno=%d)", r, errno);
    errno = 0;
    r = syscall(SYS_poll, entries, (unsigned long)LIMIT + 1, 0);
    ok(r == -1 && errno == EINVAL, "one entry more than the raised limit: EINVAL (r=%ld errno=%d)", r, errno);
    close(HIGH_FD);
    close(p[0]);
    close(p[1]);
    setrlimit(RLIMIT_NOFILE, &saved);
}

int main(void)
{
    readiness_of_pipes();
    readiness_of_other_files();
    sleeping_until_ready();
    time_outs_and_signals();
    errors();
    beyond_the_default_limit();
    return tap_done();
}
