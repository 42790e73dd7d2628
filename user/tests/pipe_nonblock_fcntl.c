// O_NONBLOCK and the descriptor commands of fcntl and ioctl, as Linux answers them: pipe2's
// and F_SETFL's O_NONBLOCK (EAGAIN for an empty read and a full write, a short write past
// PIPE_BUF, an atomic one at or below it), how much a pipe holds for writes of different
// sizes (pages shared by small writes, as Linux's pipe buffers are), F_GETPIPE_SZ and
// F_SETPIPE_SZ (rounding, the data kept, EBUSY, EBADF), packet mode (O_DIRECT), F_GETFL's flags (O_LARGEFILE for
// open(), not for pipes), F_SETFL changing only status flags, F_DUPFD/F_GETFD/F_SETFD,
// FIONREAD/FIONBIO/FIOCLEX, O_ASYNC and FIOASYNC set or refused (never dropped), EINVAL for an unknown
// command, and fsync/fdatasync refusing
// pipes and /dev/null with EINVAL.
#define _GNU_SOURCE
#include "tap.h"
#include "wait_util.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char block[70000];

// Writes `size`-byte pieces until EAGAIN; returns the bytes that went in.
static long fill(int fd, size_t size)
{
    long total = 0;
    ssize_t n;
    while ((n = write(fd, block, size)) > 0)
        total += n;
    return n < 0 && errno == EAGAIN ? total : -1;
}

static void drain(int fd)
{
    while (read(fd, block, sizeof block) > 0) { }
}

static void nonblocking_pipes(void)
{
    int p[2];
    if (pipe2(p, O_NONBLOCK) != 0)
        bail("pipe2: errno %d", errno);
    ok(fcntl(p[0], F_GETFL) == (O_RDONLY | O_NONBLOCK) && fcntl(p[1], F_GETFL) == (O_WRONLY | O_NONBLOCK),
        "pipe2(O_NONBLOCK): F_GETFL shows O_NONBLOCK on both ends and no O_LARGEFILE (%#o %#o)", fcntl(p[0], F_GETFL),
        fcntl(p[1], F_GETFL));
    errno = 0;
    ssize_t r = read(p[0], block, 10);
    ok(r == -1 && errno == EAGAIN, "empty: read EAGAIN (r=%zd errno=%d)", r, errno);
    ok(fcntl(p[0], F_GETPIPE_SZ) == 65536 && fcntl(p[1], F_GETPIPE_SZ) == 65536, "F_GETPIPE_SZ: 65536 on both ends");

    long total = fill(p[1], 4096);
    ok(total == 65536, "4096-byte writes: 65536 bytes fit, then EAGAIN (%ld)", total);
    int available = -1;
    ok(ioctl(p[0], FIONREAD, &available) == 0 && available == 65536, "FIONREAD: 65536 (%d)", available);
    errno = 0;
    r = write(p[1], "x", 1);
    ok(r == -1 && errno == EAGAIN, "full: a 1-byte write EAGAIN (r=%zd errno=%d)", r, errno);
    ok(read(p[0], block, 100) == 100, "read 100 bytes");
    errno = 0;
    r = write(p[1], "x", 1);
    ok(r == -1 && errno == EAGAIN, "the first page is not empty yet: still no room (r=%zd errno=%d)", r, errno);
    ok(read(p[0], block, 3996) == 3996, "read the rest of the first page");
    r = write(p[1], block, 5000);
    ok(r == 4096, "one free page: a 5000-byte write is cut to 4096 (r=%zd)", r);
    drain(p[0]);

    total = fill(p[1], 1000);
    ok(total == 64000, "1000-byte writes: 4 per page, 64000 bytes fit (%ld)", total);
    drain(p[0]);
    total = fill(p[1], 1);
    ok(total == 65536, "1-byte writes share pages: 65536 fit (%ld)", total);
    drain(p[0]);
    ok(write(p[1], block, 100) == 100, "100 bytes in");
    r = write(p[1], block, 70000);
    ok(r == 70000 % 4096 + 15 * 4096, "a 70000-byte write after 100 bytes: its first 368 bytes join the first page, "
        "then 15 fresh pages (r=%zd)", r);
    drain(p[0]);

    ok(fcntl(p[1], F_SETFL, 0) == 0 && fcntl(p[1], F_GETFL) == O_WRONLY, "F_SETFL clears O_NONBLOCK on the write end");
    ok(fcntl(p[0], F_GETFL) == (O_RDONLY | O_NONBLOCK), "the read end keeps its own O_NONBLOCK");
    int on = 1;
    ok(ioctl(p[1], FIONBIO, &on) == 0 && fcntl(p[1], F_GETFL) == (O_WRONLY | O_NONBLOCK), "FIONBIO sets it again");
    on = 0;
    ok(ioctl(p[0], FIONBIO, &on) == 0 && fcntl(p[0], F_GETFL) == O_RDONLY, "FIONBIO clears it on the read end");

    // Blocking again: the read sleeps until a child writes.
    pid_t parent = getpid(), child = fork();
    if (child == 0) {
        if (wait_until_sleeping(parent) != 0)
            _exit(2);
        _exit(write(p[1], "late", 4) == 4 ? 0 : 3);
    }
    char word[8] = { 0 };
    r = read(p[0], word, sizeof word);
    int status;
    waitpid(child, &status, 0);
    ok(r == 4 && memcmp(word, "late", 4) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "without O_NONBLOCK the read sleeps until a child writes (r=%zd)", r);
    close(p[0]);
    close(p[1]);
}

static void pipe_sizes(void)
{
    int p[2];
    if (pipe2(p, O_NONBLOCK) != 0)
        bail("pipe2: errno %d", errno);
    ok(fcntl(p[1], F_SETPIPE_SZ, 0) == 4096 && fcntl(p[0], F_GETPIPE_SZ) == 4096,
        "F_SETPIPE_SZ 0: one page, seen from the other end too");
    ok(fill(p[1], 1) == 4096, "a one-page pipe holds 4096 bytes");
    errno = 0;
    int r = fcntl(p[1], F_SETPIPE_SZ, 4096);
    ok(r == 4096, "resizing to the same size while full works (r=%d errno=%d)", r, errno);
    ok(fcntl(p[1], F_SETPIPE_SZ, 5000) == 8192, "F_SETPIPE_SZ 5000: rounded up to 8192");
    ok(write(p[1], "tail", 4) == 4, "room for more after growing");
    errno = 0;
    r = fcntl(p[1], F_SETPIPE_SZ, 4096);
    ok(r == -1 && errno == EBUSY, "shrinking below the pages in use: EBUSY (r=%d errno=%d)", r, errno);
    ok(read(p[0], block, 4096) == 4096 && fcntl(p[1], F_SETPIPE_SZ, 4096) == 4096, "after a page is read, it fits");
    char tail[8] = { 0 };
    ok(read(p[0], tail, sizeof tail) == 4 && memcmp(tail, "tail", 4) == 0, "the bytes came through the resizes in order");
    ok(fcntl(p[1], F_SETPIPE_SZ, 1L << 32) == 4096, "the argument is an unsigned int: 1 << 32 means 0, one page");
    ok(fcntl(p[1], F_SETPIPE_SZ, 1 << 20) == (1 << 20) && fill(p[1], 4096) == (1 << 20), "1 MiB: 1 MiB fits");
    drain(p[0]);
    errno = 0;
    r = fcntl(p[1], F_SETPIPE_SZ, 0x80000001u);
    ok(r == -1 && (errno == EINVAL || errno == EPERM), "more than 2^31 bytes: refused (r=%d errno=%d)", r, errno);
    close(p[0]);
    close(p[1]);

    char path[] = "/tmp/pipe_nonblock_XXXXXX";
    int file = mkstemp(path);
    errno = 0;
    r = fcntl(file, F_GETPIPE_SZ);
    ok(r == -1 && errno == EBADF, "F_GETPIPE_SZ on a regular file: EBADF (r=%d errno=%d)", r, errno);
    errno = 0;
    r = fcntl(file, F_SETPIPE_SZ, 4096);
    ok(r == -1 && errno == EBADF, "F_SETPIPE_SZ on a regular file: EBADF (r=%d errno=%d)", r, errno);
    close(file);
    unlink(path);
}

// pipe(7)'s packet mode: O_DIRECT on the write end makes each write (each page of one)
// a packet; a read returns at most one packet and drops what does not fit.
static void packet_mode(void)
{
    int p[2];
    if (pipe2(p, O_DIRECT | O_NONBLOCK) != 0)
        bail("pipe2(O_DIRECT): errno %d", errno);
    ok(fcntl(p[1], F_GETFL) == (O_WRONLY | O_NONBLOCK | O_DIRECT), "pipe2(O_DIRECT): F_GETFL shows O_DIRECT (%#o)", fcntl(p[1], F_GETFL));
    char in[16] = { 0 };
    write(p[1], "abc", 3);
    write(p[1], "defg", 4);
    ssize_t first = read(p[0], in, sizeof in);
    ok(first == 3 && memcmp(in, "abc", 3) == 0, "two writes are two packets: the first read gets 3 bytes (r=%zd)", first);
    ssize_t second = read(p[0], in, sizeof in);
    ok(second == 4 && memcmp(in, "defg", 4) == 0, "the second read gets the second packet (r=%zd)", second);
    memset(block, 'p', 5000);
    block[4096] = 'q';
    ok(write(p[1], block, 5000) == 5000, "a 5000-byte write: packets of 4096 and 904 bytes");
    ssize_t small = read(p[0], in, 10);
    ssize_t rest = read(p[0], block, sizeof block);
    ok(small == 10 && rest == 904 && block[0] == 'q', "a 10-byte read takes 10 bytes of the first and drops its rest; the next gets 904 (r=%zd, %zd)",
        small, rest);
    close(p[0]);
    close(p[1]);

    if (pipe2(p, O_NONBLOCK) != 0)
        bail("pipe2: errno %d", errno);
    ok(fcntl(p[1], F_SETFL, O_NONBLOCK | O_DIRECT) == 0 && fcntl(p[1], F_GETFL) == (O_WRONLY | O_NONBLOCK | O_DIRECT),
        "F_SETFL O_DIRECT turns packet mode on for a pipe");
    write(p[1], "ab", 2);
    write(p[1], "cd", 2);
    ok(read(p[0], in, sizeof in) == 2, "and writes are packets from then on");
    close(p[0]);
    close(p[1]);
}

static void descriptor_commands(void)
{
    char path[] = "/tmp/pipe_nonblock_XXXXXX";
    int file = mkstemp(path);
    close(file);
    file = (int)syscall(SYS_open, path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY);
    int flags = fcntl(file, F_GETFL);
    ok(flags == (O_RDWR | O_APPEND | O_LARGEFILE), "F_GETFL after open(O_RDWR|O_APPEND|O_CLOEXEC|O_NOCTTY): O_RDWR|O_APPEND|O_LARGEFILE (%#o)", flags);
    ok(fcntl(file, F_SETFL, O_RDONLY | O_NONBLOCK) == 0 && fcntl(file, F_GETFL) == (O_RDWR | O_NONBLOCK | O_LARGEFILE),
        "F_SETFL changes O_APPEND and O_NONBLOCK, not the access mode (%#o)", fcntl(file, F_GETFL));
    // O_ASYNC: a regular file has no SIGIO on Linux, which accepts the flag and drops it.
    int async = fcntl(file, F_SETFL, O_ASYNC | O_NONBLOCK);
    int after = fcntl(file, F_GETFL);
    ok(async == 0 && after == (O_RDWR | O_NONBLOCK | O_LARGEFILE), "F_SETFL O_ASYNC on a file: 0, the flag dropped (r=%d flags=%#o)",
        async, after);
    // On a pipe Linux keeps it and sends SIGIO; Pagoda, without signal-driven I/O, refuses it.
    // Either way, never a success that leaves the flag out.
    int ends[2];
    if (pipe(ends) != 0)
        bail("pipe: errno %d", errno);
    errno = 0;
    async = fcntl(ends[0], F_SETFL, O_ASYNC);
    after = fcntl(ends[0], F_GETFL);
    ok((async == 0 && after == (O_RDONLY | O_ASYNC)) || (async == -1 && errno == EINVAL && after == O_RDONLY),
        "F_SETFL O_ASYNC on a pipe: set, or refused with EINVAL (r=%d errno=%d flags=%#o)", async, errno, after);
    int on = 1, off = 0;
    errno = 0;
    async = ioctl(ends[1], FIOASYNC, &on);
    after = fcntl(ends[1], F_GETFL);
    ok((async == 0 && after == (O_WRONLY | O_ASYNC)) || (async == -1 && errno == EINVAL && after == O_WRONLY),
        "FIOASYNC on a pipe: set, or refused with EINVAL (r=%d errno=%d flags=%#o)", async, errno, after);
    close(ends[0]);
    close(ends[1]);
    errno = 0;
    async = ioctl(file, FIOASYNC, &on);
    ok(async == -1 && errno == ENOTTY, "FIOASYNC 1 on a file: ENOTTY, it has no SIGIO (errno=%d)", errno);
    ok(ioctl(file, FIOASYNC, &off) == 0, "FIOASYNC 0 on a file: 0");
    errno = 0;
    async = ioctl(file, FIOASYNC, (void*)8);
    ok(async == -1 && errno == EFAULT, "FIOASYNC with an unreadable argument: EFAULT (errno=%d)", errno);
    ok(fcntl(file, F_GETFD) == FD_CLOEXEC, "F_GETFD: FD_CLOEXEC from O_CLOEXEC");
    ok(fcntl(file, F_SETFD, 0) == 0 && fcntl(file, F_GETFD) == 0, "F_SETFD 0 clears it");
    ok(ioctl(file, FIOCLEX) == 0 && fcntl(file, F_GETFD) == FD_CLOEXEC, "FIOCLEX sets it");
    ok(ioctl(file, FIONCLEX) == 0 && fcntl(file, F_GETFD) == 0, "FIONCLEX clears it");

    ok(write(file, "0123456789", 10) == 10 && lseek(file, 4, SEEK_SET) == 4, "10 bytes written, offset 4");
    int available = -1;
    ok(ioctl(file, FIONREAD, &available) == 0 && available == 6, "FIONREAD on a file: size - offset = 6 (%d)", available);

    int copy = fcntl(file, F_DUPFD, 20);
    ok(copy >= 20 && fcntl(copy, F_GETFD) == 0 && lseek(copy, 0, SEEK_CUR) == 4, "F_DUPFD 20: a descriptor >= 20, no FD_CLOEXEC, same offset (%d)", copy);
    int copy2 = fcntl(file, F_DUPFD_CLOEXEC, copy);
    ok(copy2 > copy && fcntl(copy2, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC: above the taken one, with FD_CLOEXEC (%d)", copy2);
    errno = 0;
    int r = fcntl(file, F_DUPFD, 1 << 20);
    ok(r == -1 && errno == EINVAL, "F_DUPFD at or above RLIMIT_NOFILE: EINVAL (r=%d errno=%d)", r, errno);
    errno = 0;
    r = fcntl(file, 12345);
    ok(r == -1 && errno == EINVAL, "an unknown command: EINVAL (r=%d errno=%d)", r, errno);
    errno = 0;
    r = fcntl(copy2 + 1, F_GETFL);
    ok(r == -1 && errno == EBADF, "a closed descriptor: EBADF (r=%d errno=%d)", r, errno);

    ok(fsync(file) == 0 && fdatasync(file) == 0, "fsync and fdatasync of a regular file: 0");
    int p[2];
    pipe(p);
    int null = open("/dev/null", O_WRONLY);
    errno = 0;
    r = fsync(p[1]);
    int fsync_pipe = errno;
    errno = 0;
    int r2 = fdatasync(null);
    ok(r == -1 && fsync_pipe == EINVAL && r2 == -1 && errno == EINVAL, "fsync of a pipe and fdatasync of /dev/null: EINVAL (errno %d, %d)",
        fsync_pipe, errno);
    ok(fcntl(null, F_GETFL) == (O_WRONLY | O_LARGEFILE), "/dev/null open O_WRONLY: F_GETFL O_WRONLY|O_LARGEFILE (%#o)", fcntl(null, F_GETFL));
    close(null), close(p[0]), close(p[1]), close(copy), close(copy2), close(file);
    unlink(path);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    nonblocking_pipes();
    pipe_sizes();
    packet_mode();
    descriptor_commands();
    return tap_done();
}
