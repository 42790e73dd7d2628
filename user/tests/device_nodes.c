// device_nodes — mknod of character device nodes outside /dev, as root may on Linux: on a
// disk (ext2 on Pagoda) and on a tmpfs (/dev/shm), "c 1 3" is /dev/null (stat says
// S_IFCHR and 1:3; a write is swallowed, a read is end of file), "c 1 5" reads zeros,
// "c 1 9" random bytes; a number no driver has (c 240 0, b 240 0: "local/experimental
// use") opens with ENXIO; without privilege mknod of a device is EPERM; unlinking them
// leaves the file system clean (the runner's e2fsck).
// disk: 16
// args: @DIR@
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void check_in(const char *folder)
{
    char null_path[256], zero_path[256], random_path[256], none_path[256], block_path[256];
    snprintf(null_path, sizeof null_path, "%s/null", folder);
    snprintf(zero_path, sizeof zero_path, "%s/zero", folder);
    snprintf(random_path, sizeof random_path, "%s/urandom", folder);
    snprintf(none_path, sizeof none_path, "%s/nothing", folder);
    snprintf(block_path, sizeof block_path, "%s/block", folder);
    struct statvfs fs;
    if (statvfs(folder, &fs) == 0 && (fs.f_flag & ST_NODEV)) {
        skip("mounted nodev", "device nodes in %s", folder);
        return;
    }
    ok(mknod(null_path, S_IFCHR | 0666, makedev(1, 3)) == 0, "%s: mknod c 1 3 (errno %d)", folder, errno);
    struct stat s;
    ok(stat(null_path, &s) == 0 && S_ISCHR(s.st_mode) && major(s.st_rdev) == 1 && minor(s.st_rdev) == 3 && s.st_size == 0,
        "%s/null: a character device 1:3", folder);
    int fd = open(null_path, O_RDWR);
    char buffer[4096];
    ok(fd >= 0 && write(fd, "gone", 4) == 4 && read(fd, buffer, sizeof buffer) == 0, "it is /dev/null: writes swallowed, reads end");
    close(fd);
    ok(mknod(zero_path, S_IFCHR | 0444, makedev(1, 5)) == 0, "%s: mknod c 1 5", folder);
    fd = open(zero_path, O_RDONLY);
    memset(buffer, 'x', sizeof buffer);
    ok(fd >= 0 && read(fd, buffer, sizeof buffer) == (ssize_t)sizeof buffer && buffer[0] == 0 && buffer[4095] == 0,
        "it is /dev/zero");
    close(fd);
    ok(mknod(random_path, S_IFCHR | 0444, makedev(1, 9)) == 0, "%s: mknod c 1 9", folder);
    fd = open(random_path, O_RDONLY);
    ok(fd >= 0 && read(fd, buffer, 64) == 64, "it is /dev/urandom");
    close(fd);
    ok(mknod(none_path, S_IFCHR | 0666, makedev(240, 0)) == 0, "%s: mknod c 240 0", folder);
    errno = 0;
    ok(open(none_path, O_RDWR) == -1 && errno == ENXIO, "a number no driver has: ENXIO (%d)", errno);
    ok(mknod(block_path, S_IFBLK | 0600, makedev(240, 0)) == 0 && stat(block_path, &s) == 0 && S_ISBLK(s.st_mode)
            && major(s.st_rdev) == 240,
        "%s: mknod b 240 0, a block device 240:0", folder);
    errno = 0;
    ok(open(block_path, O_RDONLY) == -1 && errno == ENXIO, "opening it: ENXIO (%d)", errno);

    pid_t child = fork();
    if (child == 0) {
        char path[] = "/dev/shm/device-nodes-mine"; // a folder anyone may write
        if (setuid(65534) != 0)
            _exit(2);
        errno = 0;
        _exit(mknod(path, S_IFCHR | 0666, makedev(1, 3)) == -1 && errno == EPERM ? 0 : 1);
    }
    int status;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "without privilege: EPERM (status %#x)", status);
    ok(unlink(null_path) == 0 && unlink(zero_path) == 0 && unlink(random_path) == 0 && unlink(none_path) == 0
            && unlink(block_path) == 0,
        "%s: all unlinked", folder);
}

int main(int argc, char **argv)
{
    if (getuid() != 0) {
        skip("not root", "mknod of devices");
        return tap_done();
    }
    check_in(argc > 1 ? argv[1] : "/tmp");
    check_in("/dev/shm");
    return tap_done();
}
