// select and pselect6: the read, write and exception sets of pipes, a regular file and
// /dev/null; every ready (descriptor, set) pair counted; sets cleared of what is not ready
// and of bits at or above nfds; EBADF for a closed descriptor in any set (but not above
// nfds), EINVAL for a negative nfds or time-out, EFAULT; sleeping until a child writes;
// the time left written back (raw system calls, which musl's wrappers would hide); a handler
// ends the wait with EINTR even with SA_RESTART and leaves the sets as they were;
// pselect6's mask holds during the wait only; a descriptor above FD_SETSIZE once
// RLIMIT_NOFILE is raised.
#define _GNU_SOURCE
#include "tap.h"
#include "wait_util.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_count;
static void on_usr1(int signal) { (void)signal, ++usr1_count; }

static long raw_select(int nfds, fd_set* in, fd_set* out, fd_set* except, struct timeval* timeout)
{
    return syscall(SYS_select, nfds, in, out, except, timeout);
}

static long raw_pselect6(int nfds, fd_set* in, fd_set* out, fd_set* except, struct timespec* timeout, const sigset_t* mask)
{
    struct {
        const sigset_t* mask;
        size_t size;
    } argument = { mask, 8 };
    return syscall(SYS_pselect6, nfds, in, out, except, timeout, mask ? &argument : NULL);
}

static int highest(int a, int b) { return a > b ? a : b; }

static void readiness(void)
{
    int full[2], empty[2];
    if (pipe2(full, O_NONBLOCK) != 0 || pipe(empty) != 0)
        bail("pipe: errno %d", errno);
    char block[4096] = { 0 };
    while (write(full[1], block, sizeof block) > 0) { }
    int nfds = highest(highest(full[0], full[1]), highest(empty[0], empty[1])) + 1;

    fd_set in, out, except;
    FD_ZERO(&in); FD_ZERO(&out); FD_ZERO(&except);
    FD_SET(full[0], &in); FD_SET(empty[0], &in);
    FD_SET(full[1], &out); FD_SET(empty[1], &out);
    FD_SET(full[0], &except); FD_SET(empty[1], &except);
    struct timeval zero = { 0, 0 };
    long r = raw_select(nfds, &in, &out, &except, &zero);
    ok(r == 2 && FD_ISSET(full[0], &in) && !FD_ISSET(empty[0], &in) && !FD_ISSET(full[1], &out) && FD_ISSET(empty[1], &out)
            && !FD_ISSET(full[0], &except) && !FD_ISSET(empty[1], &except),
        "full pipe readable, empty pipe writable, nothing else; no pipe is an exception (r=%ld)", r);

    // A read end asked about writing too: reported only as readable.
    FD_ZERO(&in); FD_ZERO(&out);
    FD_SET(empty[1], &out);
    FD_SET(full[0], &in); FD_SET(full[0], &out);
    r = raw_select(nfds, &in, &out, NULL, &zero);
    ok(r == 2 && FD_ISSET(full[0], &in) && !FD_ISSET(full[0], &out) && FD_ISSET(empty[1], &out),
        "a read end in both sets is only readable (r=%ld)", r);

    char path[] = "/tmp/select_fds_XXXXXX";
    int file = mkstemp(path);
    int null = open("/dev/null", O_RDONLY);
    FD_ZERO(&in); FD_ZERO(&out); FD_ZERO(&except);
    FD_SET(file, &in); FD_SET(file, &out); FD_SET(null, &in); FD_SET(null, &out); FD_SET(file, &except);
    r = select(highest(file, null) + 1, &in, &out, &except, NULL);
    ok(r == 4 && FD_ISSET(file, &in) && FD_ISSET(file, &out) && FD_ISSET(null, &in) && FD_ISSET(null, &out) && !FD_ISSET(file, &except),
        "regular file and /dev/null: readable and writable at once, even without a time-out; each pair counts (r=%ld)", r);
    close(file), close(null), unlink(path);

    // Writer gone: readable (end of file). Reader gone: writable (the write fails at once).
    close(empty[1]);
    FD_ZERO(&in);
    FD_SET(empty[0], &in);
    r = raw_select(empty[0] + 1, &in, NULL, NULL, &zero);
    ok(r == 1 && FD_ISSET(empty[0], &in), "writer gone: the read end is readable (r=%ld)", r);
    close(empty[0]);
    char byte;
    while (read(full[0], &byte, 1) == 1) { }
    close(full[0]);
    FD_ZERO(&out);
    FD_SET(full[1], &out);
    r = raw_select(full[1] + 1, NULL, &out, NULL, &zero);
    ok(r == 1 && FD_ISSET(full[1], &out), "reader gone: the write end is writable (r=%ld)", r);
    close(full[1]);
}

static void errors(void)
{
    int p[2];
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    int closed = dup(p[0]);
    close(closed);
    int nfds = highest(highest(p[0], p[1]), closed) + 1;
    fd_set in, out, except;
    struct timeval zero = { 0, 0 };
    const char* names[] = { "read", "write", "exception" };
    fd_set* pointers[3] = { &in, &out, &except };
    for (int i = 0; i < 3; ++i) {
        FD_ZERO(&in); FD_ZERO(&out); FD_ZERO(&except);
        FD_SET(p[1], &out);
        FD_SET(closed, pointers[i]);
        errno = 0;
        long r = raw_select(nfds, &in, &out, &except, &zero);
        ok(r == -1 && errno == EBADF, "a closed descriptor in the %s set: EBADF (r=%ld errno=%d)", names[i], r, errno);
    }

    // Bits at or above nfds are not looked at, and come back cleared.
    FD_ZERO(&in);
    FD_SET(p[1], &in);
    FD_SET(closed, &in);
    errno = 0;
    long r = raw_select(highest(p[1], 0) + 1, NULL, &in, NULL, &zero);
    ok(closed > p[1] && r == 1 && FD_ISSET(p[1], &in) && !FD_ISSET(closed, &in),
        "a closed descriptor at or above nfds: ignored and cleared (r=%ld errno=%d)", r, errno);

    errno = 0;
    r = raw_select(-1, NULL, NULL, NULL, &zero);
    ok(r == -1 && errno == EINVAL, "negative nfds: EINVAL (errno=%d)", errno);
    struct timeval negative = { 0, -1 };
    errno = 0;
    r = raw_select(0, NULL, NULL, NULL, &negative);
    ok(r == -1 && errno == EINVAL, "negative microseconds: EINVAL (errno=%d)", errno);
    FD_ZERO(&out);
    FD_SET(p[1], &out);
    struct timeval long_micro = { 0, 1500000 };
    r = raw_select(p[1] + 1, NULL, &out, NULL, &long_micro);
    ok(r == 1 && long_micro.tv_sec <= 1 && long_micro.tv_usec >= 0 && long_micro.tv_usec < 1000000,
        "1500000 microseconds are 1.5 s, not EINVAL; the time left comes back normalized (r=%ld left %ld.%06ld)", r,
        (long)long_micro.tv_sec, (long)long_micro.tv_usec);
    struct timespec bad = { 0, 1000000000 };
    errno = 0;
    r = raw_pselect6(0, NULL, NULL, NULL, &bad, NULL);
    ok(r == -1 && errno == EINVAL, "pselect6 with tv_nsec = 1e9: EINVAL (errno=%d)", errno);
    sigset_t mask;
    sigemptyset(&mask);
    struct {
        const sigset_t* mask;
        size_t size;
    } wrong_size = { &mask, 4 };
    struct timespec zero_ts = { 0, 0 };
    errno = 0;
    r = syscall(SYS_pselect6, 0, NULL, NULL, NULL, &zero_ts, &wrong_size);
    ok(r == -1 && errno == EINVAL, "pselect6 with a sigset size of 4: EINVAL (errno=%d)", errno);
    errno = 0;
    r = raw_select(p[1] + 1, (fd_set*)8, NULL, NULL, &zero);
    ok(r == -1 && errno == EFAULT, "an unreadable read set: EFAULT (errno=%d)", errno);
    errno = 0;
    r = raw_select(p[1] + 1, NULL, &out, NULL, (struct timeval*)8);
    ok(r == -1 && errno == EFAULT, "an unreadable time-out: EFAULT (errno=%d)", errno);
    close(p[0]), close(p[1]);
}

enum child_action { WRITE_BYTE, SEND_USR1 };

static pid_t child_acts_when_asleep(int p[2], enum child_action action)
{
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        close(p[0]);
        if (wait_until_sleeping(parent) != 0)
            _exit(2);
        if (action == SEND_USR1) {
            kill(parent, SIGUSR1);
            sleep(10); // the parent kills this child once its wait ended
        }
        _exit(write(p[1], "x", 1) == 1 ? 0 : 3);
    }
    return child;
}

static void waiting(void)
{
    int p[2];
    if (pipe(p) != 0)
        bail("pipe: errno %d", errno);
    fd_set in;
    FD_ZERO(&in);
    FD_SET(p[0], &in);
    struct timeval timeout = { 0, 100000 };
    long long start = monotonic_ns();
    long r = raw_select(p[0] + 1, &in, NULL, NULL, &timeout);
    long long slept = monotonic_ns() - start;
    ok(r == 0 && !FD_ISSET(p[0], &in) && slept >= 100000000LL && timeout.tv_sec == 0 && timeout.tv_usec == 0,
        "time-out 100 ms: 0 after at least 100 ms, set cleared, time left 0 (%lld us, left %ld.%06ld)", slept / 1000,
        (long)timeout.tv_sec, (long)timeout.tv_usec);

    pid_t child = child_acts_when_asleep(p, WRITE_BYTE);
    FD_SET(p[0], &in);
    timeout = (struct timeval) { 30, 0 };
    r = raw_select(p[0] + 1, &in, NULL, NULL, &timeout);
    int status;
    waitpid(child, &status, 0);
    ok(r == 1 && FD_ISSET(p[0], &in) && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "select sleeps until a child writes (r=%ld)", r);
    ok(timeout.tv_sec < 30 && timeout.tv_sec >= 0 && timeout.tv_usec >= 0 && timeout.tv_usec < 1000000,
        "the time left is written back, less than the 30 s asked (%ld.%06ld)", (long)timeout.tv_sec, (long)timeout.tv_usec);
    char byte;
    read(p[0], &byte, 1);

    struct sigaction action = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    usr1_count = 0;
    child = child_acts_when_asleep(p, SEND_USR1);
    FD_SET(p[0], &in);
    errno = 0;
    r = select(p[0] + 1, &in, NULL, NULL, NULL);
    int error = errno;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    ok(r == -1 && error == EINTR && usr1_count == 1 && FD_ISSET(p[0], &in),
        "a handler with SA_RESTART ends select with EINTR, the set left as it was (r=%ld errno=%d handler ran %d)", r, error,
        (int)usr1_count);

    // pselect6's mask: a pending blocked signal it lets through ends the wait at once; the
    // old mask is back afterwards.
    sigset_t usr1, empty, now;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    usr1_count = 0;
    kill(getpid(), SIGUSR1);
    struct timespec five = { 5, 0 };
    FD_SET(p[0], &in);
    errno = 0;
    r = raw_pselect6(p[0] + 1, &in, NULL, NULL, &five, &empty);
    error = errno;
    sigprocmask(SIG_BLOCK, NULL, &now);
    ok(r == -1 && error == EINTR && usr1_count == 1 && sigismember(&now, SIGUSR1),
        "pselect6 with an empty mask: the pending SIGUSR1 interrupts it, handler ran, SIGUSR1 blocked again after (r=%ld errno=%d count %d)",
        r, error, (int)usr1_count);
    // With the mask blocking it, the pending signal does not end a zero time-out's look.
    struct timespec zero = { 0, 0 };
    r = raw_pselect6(p[0] + 1, &in, NULL, NULL, &zero, &usr1);
    ok(r == 0 && usr1_count == 1, "pselect6 with SIGUSR1 in its mask: not interrupted (r=%ld count %d)", r, (int)usr1_count);
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    ok(usr1_count == 1, "nothing was pending any more (count %d)", (int)usr1_count);
    close(p[0]), close(p[1]);
}

// A descriptor above FD_SETSIZE (1024), once setrlimit allows it: select reads and writes
// sets as long as nfds asks (here arrays of words, as a program that outgrows fd_set uses).
static void beyond_fd_setsize(void)
{
    enum { HIGH_FD = 1500, LIMIT = 2048, WORDS = LIMIT / 64 };
    struct rlimit saved;
    int p[2];
    if (readable_pipe_above_default_limit(HIGH_FD, LIMIT, p, &saved) != 0)
        bail("a pipe at descriptor %d under a limit of %d: errno %d", HIGH_FD, LIMIT, errno);
    unsigned long long in[WORDS] = { 0 }, out[WORDS] = { 0 };
    in[HIGH_FD / 64] = 1ULL << (HIGH_FD % 64);
    in[p[1] / 64] |= 1ULL << (p[1] % 64); // a write end is never readable
    out[HIGH_FD / 64] = 1ULL << (HIGH_FD % 64); // nor a read end writable
    struct timeval zero = { 0, 0 };
    errno = 0;
    long r = raw_select(HIGH_FD + 1, (fd_set*)in, (fd_set*)out, NULL, &zero);
    int others = 0;
    for (int i = 0; i < WORDS; ++i)
        others += (i == HIGH_FD / 64 ? in[i] & ~(1ULL << (HIGH_FD % 64)) : in[i]) != 0 || out[i] != 0;
    ok(r == 1 && (in[HIGH_FD / 64] >> (HIGH_FD % 64) & 1) && others == 0,
        "descriptor %d readable in a %d-bit set, nothing else reported (r=%ld errno=%d)", HIGH_FD, HIGH_FD + 1, r, errno);
    close(HIGH_FD);
    errno = 0;
    in[HIGH_FD / 64] = 1ULL << (HIGH_FD % 64);
    r = raw_select(HIGH_FD + 1, (fd_set*)in, NULL, NULL, &zero);
    ok(r == -1 && errno == EBADF, "the same descriptor once closed: EBADF (r=%ld errno=%d)", r, errno);
    close(p[0]);
    close(p[1]);
    setrlimit(RLIMIT_NOFILE, &saved);
}

int main(void)
{
    readiness();
    errors();
    waiting();
    beyond_fd_setsize();
    return tap_done();
}
