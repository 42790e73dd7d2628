// lseek SEEK_DATA and SEEK_HOLE on a tmpfs file (/dev/shm on both kernels), as Linux's
// shmem answers: data is where pages were written, page by page; a hole from ftruncate;
// the end of the file is a hole; from the end or past it, or a negative offset: ENXIO; the
// descriptor's offset moves to the answer. A directory: EINVAL; a pipe: ESPIPE.
#define _GNU_SOURCE
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static void expect(int fd, off_t from, int whence, off_t wanted, int wanted_errno, const char* what)
{
    errno = 0;
    off_t r = lseek(fd, from, whence);
    if (wanted_errno)
        ok(r == -1 && errno == wanted_errno, "%s: errno %d (r=%lld errno=%d)", what, wanted_errno, (long long)r, errno);
    else
        ok(r == wanted && lseek(fd, 0, SEEK_CUR) == wanted, "%s: %lld (r=%lld errno=%d)", what, (long long)wanted, (long long)r,
            errno);
}

int main(void)
{
    char path[64];
    snprintf(path, sizeof path, "/dev/shm/seek_data.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        bail("open %s (errno=%d)", path, errno);
    unlink(path);
    const off_t page = 4096, size = 5 * page;
    if (ftruncate(fd, size) != 0 || pwrite(fd, "x", 1, 2 * page + 100) != 1 || pwrite(fd, "y", 1, size - 1) != 1)
        bail("ftruncate/pwrite (errno=%d)", errno);
    expect(fd, 0, SEEK_DATA, 2 * page, 0, "SEEK_DATA from 0 finds the written page");
    expect(fd, 0, SEEK_HOLE, 0, 0, "SEEK_HOLE from 0: the file starts with a hole");
    expect(fd, 2 * page + 1, SEEK_DATA, 2 * page + 1, 0, "SEEK_DATA inside data: where it is");
    expect(fd, 2 * page + 1, SEEK_HOLE, 3 * page, 0, "SEEK_HOLE inside data: the next page");
    expect(fd, 3 * page, SEEK_DATA, 4 * page, 0, "SEEK_DATA from a hole: the last page");
    expect(fd, 4 * page, SEEK_HOLE, size, 0, "SEEK_HOLE in the last page: the end");
    expect(fd, size, SEEK_DATA, 0, ENXIO, "SEEK_DATA at the end");
    expect(fd, size, SEEK_HOLE, 0, ENXIO, "SEEK_HOLE at the end");
    expect(fd, -1, SEEK_DATA, 0, ENXIO, "SEEK_DATA from -1");
    if (ftruncate(fd, 3 * page) != 0)
        bail("ftruncate (errno=%d)", errno);
    expect(fd, 2 * page + 200, SEEK_HOLE, 3 * page, 0, "shortened: SEEK_HOLE finds the end");
    expect(fd, 3 * page - 1, SEEK_DATA, 3 * page - 1, 0, "SEEK_DATA at the last byte");
    close(fd);
    int directory = open("/dev/shm", O_RDONLY | O_DIRECTORY);
    expect(directory, 0, SEEK_DATA, 0, EINVAL, "a directory");
    close(directory);
    int p[2];
    if (pipe(p) != 0)
        bail("pipe (errno=%d)", errno);
    expect(p[0], 0, SEEK_HOLE, 0, ESPIPE, "a pipe");
    return tap_done();
}
