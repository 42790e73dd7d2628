// xattr_fadvise — what ls -l and cp ask of a file's extended attributes, and fadvise.
// Linux answers "no such attribute" (ENODATA) on ext4; Pagoda, whose file systems keep no
// attributes, answers as Linux does for a file system without them (EOPNOTSUPP, an empty
// list). Both: a missing file is ENOENT before anything else, an empty name ERANGE, a closed
// descriptor EBADF. fadvise: 0 for each of the six advices, EINVAL for an unknown one or a
// negative length, ESPIPE on a pipe, EBADF on a closed descriptor.
#define _GNU_SOURCE
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

int main(void)
{
    char path[] = "/tmp/xattr-XXXXXX";
    int fd = mkstemp(path);
    char list[256];
    errno = 0;
    ok(getxattr("/nonexistent/file", "user.x", list, sizeof list) == -1 && errno == ENOENT, "getxattr of a missing file: ENOENT (%d)",
        errno);
    errno = 0;
    ok(lgetxattr(path, "", list, sizeof list) == -1 && errno == ERANGE, "an empty name: ERANGE (%d)", errno);
    errno = 0;
    ssize_t n = lgetxattr(path, "system.posix_acl_access", list, sizeof list);
    ok(n == -1 && (errno == EOPNOTSUPP || errno == ENODATA), "no ACL on a new file: EOPNOTSUPP or ENODATA (%d)", errno);
    n = llistxattr(path, list, sizeof list);
    ok(n >= 0 || errno == EOPNOTSUPP, "llistxattr: a list (%zd bytes) or EOPNOTSUPP", n);
    errno = 0;
    ok(flistxattr(999, list, sizeof list) == -1 && errno == EBADF, "flistxattr of a closed descriptor: EBADF (%d)", errno);

    for (int advice = 0; advice <= 5; ++advice)
        ok(posix_fadvise(fd, 0, 4096, advice) == 0, "fadvise advice %d: 0", advice);
    ok(posix_fadvise(fd, 0, 4096, 77) == EINVAL, "an unknown advice: EINVAL");
    ok(posix_fadvise(fd, 0, -1, 0) == EINVAL, "a negative length: EINVAL");
    int ends[2];
    pipe(ends);
    ok(posix_fadvise(ends[0], 0, 0, 0) == ESPIPE, "on a pipe: ESPIPE");
    ok(posix_fadvise(999, 0, 0, 0) == EBADF, "a closed descriptor: EBADF");
    unlink(path);
    return tap_done();
}
