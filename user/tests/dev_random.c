// dev_random — /dev/random and /dev/urandom: character devices 1,8 and 1,9 for everyone;
// reads give the asked-for count of bytes that are not all zero and differ between reads
// (shred, mktemp, Python's os.urandom fallback read them); a write is taken (count
// returned), as Linux mixes it into its pool; not seekable from the start is fine either way.
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static unsigned char first[4096], second[4096], zeros[4096];

static void check(const char *path, unsigned minor)
{
    struct stat s;
    ok(stat(path, &s) == 0 && S_ISCHR(s.st_mode) && major(s.st_rdev) == 1 && minor(s.st_rdev) == minor
            && (s.st_mode & 0666) == 0666,
        "%s is character device 1,%u, rw for everyone (mode %o)", path, minor, (unsigned)s.st_mode);
    int fd = open(path, O_RDWR);
    ok(fd >= 0, "%s opens read-write (errno %d)", path, errno);
    ok(read(fd, first, sizeof first) == (ssize_t)sizeof first && read(fd, second, sizeof second) == (ssize_t)sizeof second,
        "%s gives 4096 bytes per read", path);
    ok(memcmp(first, zeros, sizeof first) != 0 && memcmp(first, second, sizeof first) != 0,
        "%s: not all zero, and two reads differ", path);
    ok(write(fd, "seed", 4) == 4, "%s takes a write", path);
    close(fd);
}

int main(void)
{
    check("/dev/random", 8);
    check("/dev/urandom", 9);
    return tap_done();
}
