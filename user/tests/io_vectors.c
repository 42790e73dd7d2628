// readv/writev checked as Linux checks them — the descriptor first (EBADF), then the whole
// vector before any I/O: a negative length or more than 1024 entries EINVAL, an unreadable
// array EFAULT, nothing read or written when one entry is bad; zero entries and NULL
// zero-length entries are fine; a short piece ends the call. pwrite on an O_APPEND file
// appends whatever offset it is given and leaves the file position alone (Linux's
// documented behaviour).
#define _GNU_SOURCE
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
    char path[] = "/tmp/io_vectors_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        bail("mkstemp: errno %d", errno);
    char a[8] = "AAAA", b[8] = "BBBB";
    struct iovec good[2] = { { a, 4 }, { b, 4 } };
    ok(writev(fd, good, 2) == 8, "writev of two 4-byte pieces: 8");

    struct iovec negative[2] = { { a, 4 }, { b, (size_t)-1 } };
    errno = 0;
    ssize_t r = writev(fd, negative, 2);
    ok(r == -1 && errno == EINVAL, "writev with a negative length in the second entry: EINVAL (r=%zd errno=%d)", r, errno);
    ok(lseek(fd, 0, SEEK_CUR) == 8, "and the good first entry was not written (offset still 8)");
    lseek(fd, 0, SEEK_SET);
    errno = 0;
    r = readv(fd, negative, 2);
    ok(r == -1 && errno == EINVAL && lseek(fd, 0, SEEK_CUR) == 0, "readv likewise: EINVAL, nothing read (r=%zd errno=%d)", r, errno);
    errno = 0;
    r = readv(fd, good, -1);
    ok(r == -1 && errno == EINVAL, "a count of -1: EINVAL (errno=%d)", errno);
    errno = 0;
    r = readv(fd, good, 1025);
    ok(r == -1 && errno == EINVAL, "a count of 1025 (> UIO_MAXIOV): EINVAL (errno=%d)", errno);
    ok(readv(fd, good, 0) == 0, "a count of 0: 0");
    errno = 0;
    r = readv(fd, (struct iovec*)8, 1);
    ok(r == -1 && errno == EFAULT, "an unreadable vector: EFAULT (errno=%d)", errno);
    int read_only = open(path, O_RDONLY);
    errno = 0;
    r = writev(read_only, negative, -1);
    ok(r == -1 && errno == EBADF, "writev on a read-only descriptor with a bad vector: EBADF first (errno=%d)", errno);
    close(read_only);

    struct iovec with_nulls[4] = { { a, 2 }, { NULL, 0 }, { b, 0 }, { b, 2 } };
    lseek(fd, 0, SEEK_SET);
    memset(a, 0, sizeof a), memset(b, 0, sizeof b);
    r = readv(fd, with_nulls, 4);
    ok(r == 4 && memcmp(a, "AA", 2) == 0 && memcmp(b, "AA", 2) == 0, "NULL and zero-length entries are skipped (r=%zd)", r);
    struct iovec long_first[2] = { { a, 8 }, { b, 8 } };
    lseek(fd, 4, SEEK_SET);
    memset(b, 'x', sizeof b);
    r = readv(fd, long_first, 2);
    ok(r == 4 && b[0] == 'x', "the file ends inside the first piece: 4 bytes, the second piece untouched (r=%zd)", r);
    close(fd);

    fd = open(path, O_RDWR | O_APPEND);
    lseek(fd, 2, SEEK_SET);
    r = pwrite(fd, "CC", 2, 0);
    struct stat st;
    fstat(fd, &st);
    char all[16] = { 0 };
    pread(fd, all, sizeof all, 0);
    ok(r == 2 && st.st_size == 10 && memcmp(all, "AAAABBBBCC", 10) == 0 && lseek(fd, 0, SEEK_CUR) == 2,
        "pwrite at 0 on an O_APPEND file appends; the position stays 2 (size %ld, '%.10s')", (long)st.st_size, all);
    close(fd);
    unlink(path);
    return tap_done();
}
