// fallocate — fallocate(2) on memory file systems (tmpfs at /dev/shm, memfd), as Linux's
// shmem: mode 0 gives every page of the range a frame (st_blocks) and grows the size;
// KEEP_SIZE allocates without growing; KEEP_SIZE|PUNCH_HOLE frees the pages (zeros read
// back, st_blocks down, size unchanged); PUNCH_HOLE alone and ZERO_RANGE are EOPNOTSUPP;
// a zero length or negative offset EINVAL, a read-only descriptor EBADF, a pipe ESPIPE,
// /dev/null ENODEV, an end past 2^63 EFBIG; on a memfd the allocated pages map and read as
// zeros.
#define _GNU_SOURCE
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define KIB 1024L
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10 // linux/falloc.h; musl's fcntl.h lacks it
#endif

static struct stat stat_of(int fd)
{
    struct stat s = { 0 };
    fstat(fd, &s);
    return s;
}

int main(void)
{
    char path[] = "/dev/shm/fallocate-XXXXXX";
    int fd = mkstemp(path);
    ok(fd >= 0, "a file on the tmpfs at /dev/shm (errno %d)", errno);
    unlink(path);

    ok(fallocate(fd, 0, 0, 64 * KIB) == 0, "fallocate 64 KiB (errno %d)", errno);
    struct stat s = stat_of(fd);
    ok(s.st_size == 64 * KIB && s.st_blocks == 128, "size 64 KiB, 128 blocks of 512 (size %ld, blocks %ld)", (long)s.st_size,
        (long)s.st_blocks);

    ok(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 32 * KIB) == 0 && stat_of(fd).st_size == 64 * KIB,
        "KEEP_SIZE inside the file: size unchanged");
    ok(fallocate(fd, 0, 96 * KIB, 32 * KIB) == 0 && stat_of(fd).st_size == 128 * KIB && stat_of(fd).st_blocks == 192,
        "a range past the end grows the file to its end, with a gap of holes (blocks %ld)", (long)stat_of(fd).st_blocks);

    char data[4096];
    memset(data, 'x', sizeof data);
    for (long offset = 0; offset < 64 * KIB; offset += (long)sizeof data)
        pwrite(fd, data, sizeof data, offset);
    ok(fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 16 * KIB, 16 * KIB) == 0, "punch a 16 KiB hole (errno %d)",
        errno);
    s = stat_of(fd);
    char back[4096], zeros[4096] = { 0 };
    ok(pread(fd, back, sizeof back, 20 * KIB) == (ssize_t)sizeof back && memcmp(back, zeros, sizeof back) == 0,
        "the hole reads as zeros");
    ok(pread(fd, back, sizeof back, 32 * KIB) == (ssize_t)sizeof back && back[0] == 'x', "the page after it kept its data");
    ok(s.st_size == 128 * KIB && s.st_blocks == 192 - 32, "size unchanged, 32 blocks fewer (blocks %ld)", (long)s.st_blocks);

    errno = 0;
    ok(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096) == -1 && errno == EOPNOTSUPP, "PUNCH_HOLE without KEEP_SIZE: EOPNOTSUPP (%d)",
        errno);
    errno = 0;
    ok(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096) == -1 && errno == EOPNOTSUPP, "ZERO_RANGE on tmpfs: EOPNOTSUPP (%d)", errno);
    errno = 0;
    ok(fallocate(fd, 0, 0, 0) == -1 && errno == EINVAL, "length 0: EINVAL (%d)", errno);
    errno = 0;
    ok(fallocate(fd, 0, -4096, 4096) == -1 && errno == EINVAL, "negative offset: EINVAL (%d)", errno);
    errno = 0;
    ok(fallocate(fd, 0, INT64_MAX - 100, 4096) == -1 && errno == EFBIG, "an end past 2^63: EFBIG (%d)", errno);
    close(fd);

    int read_only = open("/etc/hostname", O_RDONLY);
    if (read_only < 0)
        read_only = open("/proc/self/exe", O_RDONLY);
    errno = 0;
    ok(fallocate(read_only, 0, 0, 4096) == -1 && errno == EBADF, "a read-only descriptor: EBADF (%d)", errno);
    close(read_only);
    int ends[2];
    pipe(ends);
    errno = 0;
    ok(fallocate(ends[1], 0, 0, 4096) == -1 && errno == ESPIPE, "a pipe: ESPIPE (%d)", errno);
    int null = open("/dev/null", O_WRONLY);
    errno = 0;
    ok(fallocate(null, 0, 0, 4096) == -1 && errno == ENODEV, "/dev/null: ENODEV (%d)", errno);

    int memfd = memfd_create("fallocate", 0);
    ok(memfd >= 0 && fallocate(memfd, 0, 0, 8 * 4096) == 0 && stat_of(memfd).st_size == 8 * 4096, "a memfd of 8 pages by fallocate");
    unsigned char *p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    ok(p != MAP_FAILED && p[0] == 0 && p[7 * 4096] == 0, "mapped, it reads zeros");
    return tap_done();
}
