// mount_loop — block-device nodes, loop devices and mount(2)/umount2(2), as Linux has them.
// A 1 MiB file with a known pattern is bound to a free loop device (/dev/loop-control's
// LOOP_CTL_GET_FREE, LOOP_SET_FD, LOOP_SET_STATUS64): the node is a block device of major
// 7 whose size (BLKGETSIZE64, BLKGETSIZE, lseek SEEK_END) is the file's, whose bytes are the
// file's at any offset, sector-aligned or not, and whose writes reach the file; LOOP_CLR_FD
// unbinds it and the status calls then say ENXIO. A tmpfs is mounted (with a size), listed
// in /proc/mounts and /proc/filesystems, refuses to unmount while a file of it is open
// (EBUSY), is remounted read-only (EROFS for create, mkdir, unlink, chmod; statfs says
// ST_RDONLY) and unmounted. The errnos of bad mounts: ENODEV, ENOTBLK, EINVAL, ENOENT.
// Needs root (as mount and loop devices do on Linux).
#define _GNU_SOURCE
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SIZE (1024 * 1024)

// Linux's <linux/fs.h> and <linux/loop.h> (x86_64), which musl does not ship.
#define LOOP_SET_FD 0x4C00
#define LOOP_CLR_FD 0x4C01
#define LOOP_GET_STATUS 0x4C03
#define LOOP_SET_STATUS64 0x4C04
#define LOOP_GET_STATUS64 0x4C05
#define LOOP_CTL_GET_FREE 0x4C82
#define LO_FLAGS_READ_ONLY 1
struct loop_info {
    int lo_number;
    unsigned long lo_device, lo_inode, lo_rdevice;
    int lo_offset, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
    char lo_name[64];
    unsigned char lo_encrypt_key[32];
    unsigned long lo_init[2];
    char reserved[4];
};
struct loop_info64 {
    unsigned long long lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
    unsigned lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
    unsigned char lo_file_name[64], lo_crypt_name[64], lo_encrypt_key[32];
    unsigned long long lo_init[2];
};

static unsigned char pattern(long i) { return (unsigned char)(i * 7 + i / 4096); }

static int file_has(const char* path, const char* needle)
{
    static char text[65536];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n, total = 0;
    while ((n = read(fd, text + total, sizeof text - 1 - total)) > 0)
        total += n;
    close(fd);
    text[total] = '\0';
    return strstr(text, needle) != NULL;
}

static void loop_device_tests(const char* dir)
{
    char backing[256], node[64];
    snprintf(backing, sizeof backing, "%s/backing.img", dir);
    static unsigned char buffer[SIZE];
    for (long i = 0; i < SIZE; ++i)
        buffer[i] = pattern(i);
    int file = open(backing, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ok(file >= 0 && write(file, buffer, SIZE) == SIZE, "a 1 MiB backing file");

    int control = open("/dev/loop-control", O_RDWR);
    int free_index = control >= 0 ? ioctl(control, LOOP_CTL_GET_FREE) : -1;
    ok(free_index >= 0, "LOOP_CTL_GET_FREE names a free loop device (%d)", free_index);
    snprintf(node, sizeof node, "/dev/loop%d", free_index);
    struct stat st;
    ok(stat(node, &st) == 0 && S_ISBLK(st.st_mode) && major(st.st_rdev) == 7 && (int)minor(st.st_rdev) == free_index,
        "%s is a block device, major 7 minor %d", node, free_index);
    int loop = open(node, O_RDWR);
    struct loop_info64 info;
    errno = 0;
    ok(loop >= 0 && ioctl(loop, LOOP_GET_STATUS64, &info) == -1 && errno == ENXIO, "an unbound device: ENXIO");
    unsigned long long bytes = 0;
    ok(ioctl(loop, BLKGETSIZE64, &bytes) == 0 && bytes == 0, "an unbound device has size 0");

    ok(ioctl(loop, LOOP_SET_FD, file) == 0, "LOOP_SET_FD binds the file");
    errno = 0;
    ok(ioctl(loop, LOOP_SET_FD, file) == -1 && errno == EBUSY, "binding it again: EBUSY");
    memset(&info, 0, sizeof info);
    strcpy((char*)info.lo_file_name, "backing.img");
    ok(ioctl(loop, LOOP_SET_STATUS64, &info) == 0, "LOOP_SET_STATUS64");
    memset(&info, 0, sizeof info);
    ok(ioctl(loop, LOOP_GET_STATUS64, &info) == 0 && (int)info.lo_number == free_index
            && strcmp((char*)info.lo_file_name, "backing.img") == 0 && !(info.lo_flags & LO_FLAGS_READ_ONLY),
        "LOOP_GET_STATUS64: number %u, name, writable", info.lo_number);
    struct loop_info old;
    ok(ioctl(loop, LOOP_GET_STATUS, &old) == 0 && old.lo_number == free_index && strcmp(old.lo_name, "backing.img") == 0,
        "LOOP_GET_STATUS (the old struct) says the same");

    unsigned long sectors = 0;
    int sector_size = 0;
    ok(ioctl(loop, BLKGETSIZE64, &bytes) == 0 && bytes == SIZE, "BLKGETSIZE64: the file's size");
    ok(ioctl(loop, BLKGETSIZE, &sectors) == 0 && sectors == SIZE / 512, "BLKGETSIZE: in sectors");
    ok(ioctl(loop, BLKSSZGET, &sector_size) == 0 && sector_size == 512, "BLKSSZGET: 512");
    errno = 0;
    int unknown = ioctl(loop, _IO(0x12, 200), &sector_size);
    ok(unknown == -1 && errno == EINVAL, "a request a loop device does not know: EINVAL (errno %d)", errno);
    ok(lseek(loop, 0, SEEK_END) == SIZE, "lseek SEEK_END: the size");

    unsigned char got[10000];
    int same = pread(loop, got, sizeof got, 1000) == (ssize_t)sizeof got;
    for (long i = 0; same && i < (long)sizeof got; ++i)
        same = got[i] == pattern(1000 + i);
    ok(same, "pread of 10000 bytes at 1000 (not sector-aligned) reads the file's bytes");
    ok(pread(loop, got, 100, SIZE) == 0, "a read at the end reads nothing");
    unsigned char news[100];
    memset(news, 0xab, sizeof news);
    ok(pwrite(loop, news, sizeof news, 5000) == (ssize_t)sizeof news && fsync(loop) == 0,
        "pwrite of 100 bytes at 5000, then fsync");
    errno = 0;
    ok(pwrite(loop, news, 1, SIZE) == -1 && errno == ENOSPC, "a write at the end: ENOSPC");
    ok(pread(file, got, sizeof news, 5000) == (ssize_t)sizeof news && memcmp(got, news, sizeof news) == 0
            && pread(file, got, 1, 4999) == 1 && got[0] == pattern(4999),
        "the backing file has them, and its byte before is unchanged");
    ok(ioctl(loop, BLKFLSBUF, 0) == 0, "BLKFLSBUF");

    ok(ioctl(loop, LOOP_CLR_FD, 0) == 0, "LOOP_CLR_FD unbinds it");
    errno = 0;
    ok(ioctl(loop, LOOP_CLR_FD, 0) == -1 && errno == ENXIO, "again: ENXIO");
    errno = 0;
    ok(ioctl(loop, LOOP_GET_STATUS64, &info) == -1 && errno == ENXIO, "LOOP_GET_STATUS64 of it: ENXIO");
    close(loop);
    close(control);
    close(file);
    unlink(backing);
}

static void tmpfs_tests(const char* dir)
{
    char mnt[256], path[300];
    snprintf(mnt, sizeof mnt, "%s/mnt", dir);
    ok(mkdir(mnt, 0755) == 0, "a mount point");
    ok(file_has("/proc/filesystems", "\ttmpfs\n") && file_has("/proc/filesystems", "\text2\n"),
        "/proc/filesystems lists tmpfs and ext2");
    errno = 0;
    ok(mount("none", mnt, "no-such-fs", 0, NULL) == -1 && errno == ENODEV, "an unknown type: ENODEV");
    errno = 0;
    ok(mount("/dev/zero", mnt, "ext2", 0, NULL) == -1 && errno == ENOTBLK, "ext2 from a character device: ENOTBLK");
    errno = 0;
    ok(mount("/no/such/device", mnt, "ext2", 0, NULL) == -1 && errno == ENOENT, "ext2 from a missing node: ENOENT");
    errno = 0;
    ok(umount(mnt) == -1 && errno == EINVAL, "umount of a directory that is no mount point: EINVAL");
    errno = 0;
    ok(umount2(mnt, 0x100) == -1 && errno == EINVAL, "umount2 with an unknown flag: EINVAL");

    ok(mount("pagoda-test", mnt, "tmpfs", 0, "size=1M,mode=0755") == 0, "mount a tmpfs of 1 MiB");
    char line[400];
    snprintf(line, sizeof line, "pagoda-test %s tmpfs rw", mnt);
    ok(file_has("/proc/mounts", line), "/proc/mounts lists it");
    struct statvfs fs;
    ok(statvfs(mnt, &fs) == 0 && fs.f_blocks * fs.f_frsize == 1024 * 1024 && !(fs.f_flag & ST_RDONLY),
        "statvfs: 1 MiB, writable");
    snprintf(path, sizeof path, "%s/file", mnt);
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    ok(fd >= 0 && write(fd, "hello", 5) == 5, "a file in it");
    errno = 0;
    ok(umount(mnt) == -1 && errno == EBUSY, "umount while the file is open: EBUSY");
    close(fd);

    ok(mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "remount it read-only");
    ok(statvfs(mnt, &fs) == 0 && (fs.f_flag & ST_RDONLY), "statvfs says ST_RDONLY");
    snprintf(line, sizeof line, "pagoda-test %s tmpfs ro", mnt);
    ok(file_has("/proc/mounts", line), "/proc/mounts says ro");
    char other[300];
    snprintf(other, sizeof other, "%s/new", mnt);
    errno = 0;
    ok(open(other, O_RDWR | O_CREAT, 0644) == -1 && errno == EROFS, "create: EROFS");
    errno = 0;
    ok(open(path, O_WRONLY) == -1 && errno == EROFS, "open for writing: EROFS");
    errno = 0;
    ok(mkdir(other, 0755) == -1 && errno == EROFS, "mkdir: EROFS");
    errno = 0;
    ok(unlink(path) == -1 && errno == EROFS, "unlink: EROFS");
    errno = 0;
    ok(chmod(path, 0600) == -1 && errno == EROFS, "chmod: EROFS");
    fd = open(path, O_RDONLY);
    char text[8] = { 0 };
    ok(fd >= 0 && read(fd, text, 5) == 5 && strcmp(text, "hello") == 0, "reading still works");
    close(fd);
    ok(mount(NULL, mnt, NULL, MS_REMOUNT, NULL) == 0 && unlink(path) == 0, "remount read-write: unlink works");

    ok(umount(mnt) == 0, "umount");
    snprintf(line, sizeof line, " %s ", mnt);
    ok(!file_has("/proc/mounts", line), "/proc/mounts no longer lists it");
    ok(access(path, F_OK) == -1 && errno == ENOENT, "its file is gone from the directory");
    rmdir(mnt);
}

int main(void)
{
    if (geteuid() != 0) {
        skip("needs root", "mount and loop devices");
        return tap_done();
    }
    char dir[] = "/tmp/mount_loop.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    loop_device_tests(dir);
    tmpfs_tests(dir);
    rmdir(dir);
    return tap_done();
}
