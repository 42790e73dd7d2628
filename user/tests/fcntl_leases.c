// Leases (fcntl F_SETLEASE/F_GETLEASE): when a read or a write lease may be taken (not
// beside writers, resp. beside any other open or lease), F_GETLEASE, F_UNLCK, EINVAL for a
// directory, a pipe or a bad type; breaking: an open for reading downgrades a write lease,
// one for writing (or a truncate) removes any lease — the holder gets SIGIO, F_GETLEASE
// shows what the lease is becoming, the opener sleeps until the holder gives way (a
// downgrade fails while a writer waits); O_NONBLOCK opens fail with EWOULDBLOCK at once;
// closing the leased descriptor drops the lease. /proc/sys/fs/lease-break-time: read as a
// number, root writes it, EINVAL for a word or beyond INT_MAX; on Pagoda only (it changes
// the tunable), a holder that never gives way loses its lease after that many seconds.
#include "lock_util.h"
#include "proc_util.h"
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#define BREAK_TIME "/proc/sys/fs/lease-break-time"

static char path[64];
static int sigio_pipe[2];

static void on_sigio(int signal)
{
    (void)signal;
    (void)write(sigio_pipe[1], "s", 1);
}

// Forks a child that opens `path` with `flags` (or truncates it, flags -1) and exits 0 if
// that succeeded.
static pid_t breaker(int flags)
{
    pid_t child = fork();
    if (child == 0) {
        if (flags == -1)
            _exit(truncate(path, 0) == 0 ? 0 : 1);
        _exit(open(path, flags) >= 0 ? 0 : 1);
    }
    return child;
}

// Waits for the breaker's SIGIO to reach us (the handler writes to a pipe).
static int got_sigio(void)
{
    char c;
    return read_full(sigio_pipe[0], &c, 1) == 1;
}

// Writes `text` to BREAK_TIME in one write: 0, or the errno of the open or the write.
static int write_break_time(const char* text) { return write_whole_text(BREAK_TIME, text); }

static long read_break_time(void)
{
    char text[32] = { 0 };
    int fd = open(BREAK_TIME, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0)
        close(fd);
    char* end;
    long value = strtol(text, &end, 10);
    return n > 0 && end != text && *end == '\n' ? value : -1000;
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int exited_0(pid_t child)
{
    int status;
    waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/fcntl_leases.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        bail("create %s (errno=%d)", path, errno);
    close(fd);
    if (pipe(sigio_pipe) != 0)
        bail("pipe (errno=%d)", errno);
    struct sigaction action = { 0 };
    action.sa_handler = on_sigio;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGIO, &action, NULL);

    // Taking, reading back and dropping leases.
    int reader = open(path, O_RDONLY);
    ok(fcntl(reader, F_GETLEASE) == F_UNLCK, "no lease at first: F_GETLEASE gives F_UNLCK");
    ok(fcntl(reader, F_SETLEASE, F_RDLCK) == 0 && fcntl(reader, F_GETLEASE) == F_RDLCK, "a read lease on an O_RDONLY open");
    int second = open(path, O_RDONLY);
    ok(fcntl(second, F_SETLEASE, F_RDLCK) == 0, "a second open file may take a read lease too");
    ok(fcntl(second, F_SETLEASE, F_WRLCK) == -1 && errno == EAGAIN, "but not a write lease beside the other (EAGAIN)");
    ok(fcntl(second, F_SETLEASE, F_UNLCK) == 0 && fcntl(second, F_GETLEASE) == F_UNLCK, "F_SETLEASE F_UNLCK drops it");
    ok(fcntl(second, F_SETLEASE, F_UNLCK) == -1 && errno == EAGAIN, "F_UNLCK without a lease: EAGAIN");
    close(second);
    ok(fcntl(reader, F_SETLEASE, F_WRLCK) == 0 && fcntl(reader, F_GETLEASE) == F_WRLCK,
        "alone, the O_RDONLY open upgrades to a write lease");
    fcntl(reader, F_SETLEASE, F_UNLCK);
    int writer = open(path, O_RDWR);
    ok(fcntl(writer, F_SETLEASE, F_RDLCK) == -1 && errno == EAGAIN, "no read lease on an open for writing (EAGAIN)");
    ok(fcntl(reader, F_SETLEASE, F_RDLCK) == -1 && errno == EAGAIN, "nor on any open while one writes");
    ok(fcntl(writer, F_SETLEASE, F_WRLCK) == -1 && errno == EAGAIN, "no write lease while another open exists");
    close(reader);
    ok(fcntl(writer, F_SETLEASE, F_WRLCK) == 0, "the only open, for writing, may take a write lease");
    close(writer);
    writer = open(path, O_WRONLY | O_NONBLOCK);
    ok(writer >= 0, "closing the leased descriptor dropped the lease: an O_NONBLOCK open succeeds (errno=%d)", errno);
    close(writer);

    int directory = open("/tmp", O_RDONLY), pipe_ends[2];
    pipe(pipe_ends);
    ok(fcntl(directory, F_SETLEASE, F_RDLCK) == -1 && errno == EINVAL, "a lease on a directory: EINVAL");
    ok(fcntl(pipe_ends[0], F_SETLEASE, F_RDLCK) == -1 && errno == EINVAL, "on a pipe: EINVAL");
    reader = open(path, O_RDONLY);
    ok(fcntl(reader, F_SETLEASE, 5) == -1 && errno == EINVAL, "lease type 5: EINVAL");
    close(directory), close(pipe_ends[0]), close(pipe_ends[1]);

    // An open for reading breaks a write lease: downgrade.
    ok(fcntl(reader, F_SETLEASE, F_WRLCK) == 0, "write lease for the breaking tests");
    pid_t child = breaker(O_RDONLY);
    int signalled = got_sigio();
    int slept = wait_until_sleeping(child);
    ok(signalled && fcntl(reader, F_GETLEASE) == F_RDLCK, "an open for reading: SIGIO, and F_GETLEASE says F_RDLCK (%d)",
        fcntl(reader, F_GETLEASE));
    ok(slept && fcntl(reader, F_SETLEASE, F_RDLCK) == 0, "the opener waits (%d) until we downgrade", slept);
    ok(exited_0(child), "then its open succeeds");
    ok(fcntl(reader, F_GETLEASE) == F_RDLCK, "we keep the read lease");

    // An open for writing breaks it altogether; a downgrade is not enough.
    child = breaker(O_WRONLY);
    signalled = got_sigio();
    slept = wait_until_sleeping(child);
    ok(signalled && fcntl(reader, F_GETLEASE) == F_UNLCK, "an open for writing: SIGIO, and F_GETLEASE says F_UNLCK");
    ok(slept && fcntl(reader, F_SETLEASE, F_RDLCK) == -1 && errno == EAGAIN,
        "a downgrade while that writer waits: EAGAIN (it holds write access)");
    ok(fcntl(reader, F_SETLEASE, F_UNLCK) == 0 && exited_0(child), "our F_UNLCK lets its open go on");

    // truncate() by name breaks a lease as an open for writing does.
    fcntl(reader, F_SETLEASE, F_RDLCK);
    child = breaker(-1);
    signalled = got_sigio();
    slept = wait_until_sleeping(child);
    fcntl(reader, F_SETLEASE, F_UNLCK);
    ok(signalled && slept && exited_0(child), "truncate() sends SIGIO and waits for the lease to go");

    // O_NONBLOCK: the open fails at once, but the break has started.
    fcntl(reader, F_SETLEASE, F_RDLCK);
    int nonblocking = open(path, O_WRONLY | O_NONBLOCK);
    int open_errno = errno;
    ok(nonblocking == -1 && open_errno == EWOULDBLOCK && got_sigio(),
        "an O_NONBLOCK open for writing: EWOULDBLOCK, and we got SIGIO (errno=%d)", open_errno);
    ok(fcntl(reader, F_GETLEASE) == F_UNLCK, "the lease is still breaking (F_GETLEASE F_UNLCK)");
    fcntl(reader, F_SETLEASE, F_UNLCK);
    close(reader);

    long break_time = read_break_time();
    ok(break_time != -1000, "lease-break-time reads as a number (%ld)", break_time);
    char text[32];
    snprintf(text, sizeof text, "%ld\n", break_time);
    int error = write_break_time(text);
    ok(error == 0 && read_break_time() == break_time, "root writes its own value back (errno=%d)", error);
    error = write_break_time("soon\n");
    ok(error == EINVAL && read_break_time() == break_time, "a word: EINVAL (errno=%d)", error);
    error = write_break_time("2147483648\n");
    ok(error == EINVAL && read_break_time() == break_time, "2147483648, past INT_MAX: EINVAL (errno=%d)", error);
    struct utsname name;
    if (uname(&name) == 0 && strcmp(name.sysname, "Pagoda") == 0) {
        ok(write_break_time("1\n") == 0 && read_break_time() == 1, "lease-break-time set to 1 second");
        reader = open(path, O_RDONLY);
        fcntl(reader, F_SETLEASE, F_RDLCK);
        double start = seconds_now();
        pid_t child = breaker(O_WRONLY);
        int signalled = got_sigio();
        int opened = exited_0(child); // we never give way: the kernel breaks the lease itself
        double waited = seconds_now() - start;
        ok(signalled && opened && waited >= 0.9 && waited < 20, "a holder that never gives way: the opener goes on after %.2f s",
            waited);
        ok(fcntl(reader, F_GETLEASE) == F_UNLCK, "and the lease is gone");
        close(reader);
        ok(write_break_time(text) == 0 && read_break_time() == break_time, "lease-break-time restored");
    } else {
        skip("not Pagoda", "the kernel breaks an unanswered lease after lease-break-time (it would change this machine's)");
    }

    unlink(path);
    return tap_done();
}
