// pipe_dup — pipes and descriptor duplication.
// - pipe(): bytes written come out in order; pipe2(O_CLOEXEC) sets FD_CLOEXEC on both ends,
//   pipe() on neither;
// - read returns 0 (EOF) once every write end is closed, including the copy a child held;
// - with SIGPIPE set to SIG_IGN, write to a pipe without readers fails with EPIPE;
// - dup returns the lowest free descriptor, shares the pipe, and does not copy FD_CLOEXEC;
//   dup2(fd, fd) returns fd; dup2 onto an open descriptor replaces it; dup2 of a bad fd ->
//   EBADF; dup3(fd, fd, 0) -> EINVAL; dup3(.., O_CLOEXEC) sets FD_CLOEXEC (raw syscalls, as
//   musl checks some of these cases itself);
// - pipes inherited across fork and vfork order parent and child (ping-pong of tokens);
// - a 64 KiB write() through a pipe, read by a child in 1000-byte chunks, arrives intact.
#include "proc_util.h"
#include "tap.h"

#include <signal.h>
#include <sys/syscall.h>

#define BIG (64 * 1024)

static unsigned char big[BIG];
static unsigned char chunk[1000];

static int cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : (flags & FD_CLOEXEC) != 0;
}

static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

int main(void)
{
    tap_plan(22);
    int p[2];
    if (pipe(p))
        bail("pipe failed (errno=%d)", errno);
    ssize_t n = write(p[1], "hello", 5);
    char buf[16] = { 0 };
    ssize_t m = read(p[0], buf, sizeof buf);
    ok(n == 5 && m == 5 && memcmp(buf, "hello", 5) == 0, "pipe: 5 bytes written come out (write %zd, read %zd)", n, m);
    ok(cloexec(p[0]) == 0 && cloexec(p[1]) == 0, "pipe(): FD_CLOEXEC clear on both ends (%d, %d)", cloexec(p[0]),
        cloexec(p[1]));

    int q[2];
    int r = pipe2(q, O_CLOEXEC);
    ok(r == 0 && cloexec(q[0]) == 1 && cloexec(q[1]) == 1, "pipe2(O_CLOEXEC): FD_CLOEXEC set on both ends (r=%d: %d, %d)",
        r, cloexec(q[0]), cloexec(q[1]));

    // --- dup family ---
    int lowest = -1;
    for (int fd = 0; fd < 64 && lowest < 0; ++fd)
        if (!is_open(fd))
            lowest = fd;
    int d = dup(q[1]);
    ok(d == lowest, "dup returns the lowest free descriptor (%d, expected %d)", d, lowest);
    ok(d >= 0 && cloexec(d) == 0, "dup does not copy FD_CLOEXEC (%d)", d >= 0 ? cloexec(d) : -1);
    n = write(d, "dup", 3);
    m = read(q[0], buf, sizeof buf);
    ok(n == 3 && m == 3 && memcmp(buf, "dup", 3) == 0, "a write through the dup arrives in the same pipe (%zd, %zd)", n, m);
    long lr = syscall(SYS_dup2, d, d);
    ok(lr == d, "dup2(fd, fd) returns fd (%ld, fd %d)", lr, d);
    int target = dup(p[1]); // an open descriptor, to be replaced
    lr = syscall(SYS_dup2, q[1], target);
    n = write(target, "two", 3);
    m = read(q[0], buf, sizeof buf);
    ok(lr == target && n == 3 && m == 3 && cloexec(target) == 0,
        "dup2 onto an open descriptor replaces it with the pipe, FD_CLOEXEC clear (r=%ld, write %zd, read %zd)", lr, n, m);
    errno = 0;
    lr = syscall(SYS_dup2, 999, target);
    ok(lr == -1 && errno == EBADF && is_open(target), "dup2 of a closed descriptor fails with EBADF, the target stays open (r=%ld errno=%d)",
        lr, errno);
    errno = 0;
    lr = syscall(SYS_dup3, d, d, 0);
    ok(lr == -1 && errno == EINVAL, "dup3(fd, fd, 0) fails with EINVAL (r=%ld errno=%d)", lr, errno);
    lr = syscall(SYS_dup3, p[1], target, O_CLOEXEC);
    ok(lr == target && cloexec(target) == 1, "dup3(.., O_CLOEXEC) sets FD_CLOEXEC (r=%ld, cloexec %d)", lr, cloexec(target));
    close(target);
    close(d);

    // --- EOF after all writers close, including a child's copy ---
    pid_t pid = fork();
    if (pid == 0) {
        close(q[0]);
        close(p[0]);
        write(q[1], "c", 1);
        _exit(0);
    }
    close(q[1]);
    m = read(q[0], buf, 1);
    int first = m == 1 && buf[0] == 'c';
    m = read(q[0], buf, 1);
    ok(first && m == 0, "read returns the child's byte, then 0 (EOF) once the child and the parent closed every write end (%zd)", m);
    waitpid(pid, NULL, 0);
    close(q[0]);

    // --- EPIPE ---
    signal(SIGPIPE, SIG_IGN);
    close(p[0]);
    errno = 0;
    n = write(p[1], "x", 1);
    ok(n == -1 && errno == EPIPE, "write to a pipe without readers fails with EPIPE when SIGPIPE is ignored (r=%zd errno=%d)",
        n, errno);
    close(p[1]);

    // --- ordering across fork: ping-pong ---
    int down[2], up[2];
    if (pipe(down) || pipe(up))
        bail("pipe failed (errno=%d)", errno);
    pid = fork();
    if (pid == 0) {
        unsigned char t = 0;
        for (int i = 0; i < 20; ++i) {
            if (read(down[0], &t, 1) != 1 || t != 2 * i)
                _exit(1);
            t = (unsigned char)(2 * i + 1);
            if (write(up[1], &t, 1) != 1)
                _exit(2);
        }
        _exit(0);
    }
    int pingpong = pid > 0;
    for (int i = 0; pingpong && i < 20; ++i) {
        unsigned char t = (unsigned char)(2 * i);
        pingpong = write(down[1], &t, 1) == 1 && read(up[0], &t, 1) == 1 && t == 2 * i + 1;
    }
    int status = -1;
    waitpid(pid, &status, 0);
    ok(pingpong && WIFEXITED(status) && WEXITSTATUS(status) == 0, "20 round trips of tokens with a forked child (%s)",
        describe_wait_status(status));

    // --- vfork: the child writes into the inherited pipe before _exit ---
    pid = vfork();
    if (pid == 0) {
        write(up[1], "v", 1);
        _exit(0);
    }
    m = read(up[0], buf, 1);
    status = -1;
    waitpid(pid, &status, 0);
    ok(m == 1 && buf[0] == 'v' && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "a vfork child writes into the inherited pipe; the parent reads it (%zd, %s)", m, describe_wait_status(status));
    close(down[0]);
    close(down[1]);
    close(up[0]);
    close(up[1]);

    // --- 64 KiB through a pipe, read by the child in chunks ---
    int data[2];
    if (pipe(data))
        bail("pipe failed (errno=%d)", errno);
    for (int i = 0; i < BIG; ++i)
        big[i] = (unsigned char)(i * 31 + (i >> 8));
    pid = fork();
    if (pid == 0) {
        close(data[1]);
        size_t total = 0;
        int mismatch = 0;
        for (;;) {
            ssize_t k = read(data[0], chunk, sizeof chunk);
            if (k < 0)
                _exit(2);
            if (k == 0)
                break;
            for (ssize_t j = 0; j < k && total + (size_t)j < BIG; ++j)
                mismatch |= chunk[j] != big[total + (size_t)j];
            total += (size_t)k;
        }
        _exit(mismatch ? 3 : total != BIG ? 4 : 0);
    }
    close(data[0]);
    n = write(data[1], big, BIG);
    close(data[1]);
    status = -1;
    pid_t w = waitpid(pid, &status, 0);
    ok(n == BIG, "write() of 64 KiB to a pipe returns %d (got %zd errno=%d)", BIG, n, errno);
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "the child reads all 64 KiB in 1000-byte chunks, intact, then EOF (%s; 3 mismatch, 4 wrong length)",
        describe_wait_status(status));

    // --- pipes are not seekable, and read/write on the wrong end fail ---
    if (pipe(p))
        bail("pipe failed (errno=%d)", errno);
    errno = 0;
    off_t o = lseek(p[0], 0, SEEK_CUR);
    ok(o == -1 && errno == ESPIPE, "lseek on a pipe fails with ESPIPE (r=%lld errno=%d)", (long long)o, errno);
    errno = 0;
    n = write(p[0], "x", 1);
    ok(n == -1 && errno == EBADF, "write to the read end fails with EBADF (r=%zd errno=%d)", n, errno);
    errno = 0;
    m = read(p[1], buf, 1);
    ok(m == -1 && errno == EBADF, "read from the write end fails with EBADF (r=%zd errno=%d)", m, errno);
    close(p[0]);
    close(p[1]);
    errno = 0;
    n = write(p[1], "x", 1);
    ok(n == -1 && errno == EBADF, "write to a closed pipe descriptor fails with EBADF (r=%zd errno=%d)", n, errno);
    errno = 0;
    r = (int)syscall(SYS_pipe, (void*)8);
    ok(r == -1 && errno == EFAULT, "pipe() into an unmapped address fails with EFAULT (r=%d errno=%d)", r, errno);
    return tap_done();
}
