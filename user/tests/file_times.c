// file_times — atime, mtime and ctime on a real disk (ext2 on Pagoda) and on /tmp (tmpfs on
// Pagoda), each checked against Linux:
//   a new file's three times are the wall clock (between before and after the create, not
//   1970); utimensat with given times stores them (nanoseconds too on /tmp; ext2 keeps
//   whole seconds), UTIME_OMIT keeps one, UTIME_NOW and a null array set now, ctime always
//   moves; futimens (utimensat on a descriptor with no path), AT_SYMLINK_NOFOLLOW (the
//   link's own times), utimes (microseconds), futimesat and utime;
//   write moves mtime and ctime but not atime; read moves atime (relatime: it was older
//   than mtime); truncate moves mtime and ctime; chmod and chown move only ctime;
//   creating, removing and renaming entries move the directory's mtime and ctime, link and
//   rename the inode's ctime; reading a directory moves its atime;
//   errors: nanoseconds out of range and unknown flags (EINVAL), both UTIME_OMIT on a
//   missing file (0: nothing is looked up), a missing file (ENOENT), no path with AT_FDCWD
//   (EFAULT), futimens with flags (EINVAL), utimes with 1000000 microseconds (EINVAL).
// disk: 16
// args: @DIR@
#define _GNU_SOURCE
#include "file_util.h"

#include <dirent.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <utime.h>

static const time_t OLD = 1000000000; // 2001-09-09: far enough back to see any update

static int fails_with(long r, int e) { return r == -1 && errno == e; }

static struct stat lstat_of(const char* path)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    if (lstat(path, &st) != 0)
        diag("lstat %s: errno %d", path, errno);
    return st;
}

// Sets atime and mtime of `path` back to OLD (ctime then is now).
static int make_old(const char* path)
{
    struct timespec times[2] = { { OLD, 0 }, { OLD, 0 } };
    return utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW);
}

// Linux stamps files from a coarse clock that may lag time() by up to a tick, so a stamp
// made just after a second began can still read the second before.
static int is_now(time_t t, time_t before) { return t >= before - 1 && t <= time(NULL); }

static void check_in(const char* dir, const char* where, int keeps_nanoseconds)
{
    char file[600], symbolic[600], sub[600], other[600], moved[600];
    snprintf(file, sizeof file, "%s/times-file", dir);
    snprintf(symbolic, sizeof symbolic, "%s/times-link", dir);
    snprintf(sub, sizeof sub, "%s/times-dir", dir);
    snprintf(other, sizeof other, "%s/times-dir/other", dir);
    snprintf(moved, sizeof moved, "%s/times-moved", dir);

    time_t before = time(NULL);
    int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        bail("%s: create (errno=%d)", where, errno);
    struct stat st = lstat_of(file);
    ok(is_now(st.st_atime, before) && is_now(st.st_mtime, before) && is_now(st.st_ctime, before),
        "%s: a new file's times are now (a=%ld m=%ld c=%ld, before=%ld)", where, (long)st.st_atime, (long)st.st_mtime,
        (long)st.st_ctime, (long)before);
    ok(before > 1577836800, "%s: the clock is past 2020 (%ld)", where, (long)before);

    // utimensat with given times, UTIME_OMIT, UTIME_NOW.
    struct timespec given[2] = { { 1100000000, 123456789 }, { 1200000000, 987654321 } };
    before = time(NULL);
    ok(utimensat(AT_FDCWD, file, given, 0) == 0, "%s: utimensat given times (errno=%d)", where, errno);
    st = lstat_of(file);
    ok(st.st_atime == 1100000000 && st.st_mtime == 1200000000 && is_now(st.st_ctime, before),
        "%s: atime and mtime stored, ctime now (a=%ld m=%ld c=%ld)", where, (long)st.st_atime, (long)st.st_mtime,
        (long)st.st_ctime);
    if (keeps_nanoseconds)
        ok(st.st_atim.tv_nsec == 123456789 && st.st_mtim.tv_nsec == 987654321, "%s: nanoseconds stored (%ld %ld)", where,
            st.st_atim.tv_nsec, st.st_mtim.tv_nsec);
    struct timespec omit_now[2] = { { 0, UTIME_OMIT }, { 5, UTIME_NOW } };
    before = time(NULL);
    ok(utimensat(AT_FDCWD, file, omit_now, 0) == 0, "%s: utimensat OMIT, NOW (errno=%d)", where, errno);
    st = lstat_of(file);
    ok(st.st_atime == 1100000000 && is_now(st.st_mtime, before), "%s: OMIT keeps atime, NOW sets mtime (a=%ld m=%ld)",
        where, (long)st.st_atime, (long)st.st_mtime);
    ok(make_old(file) == 0 && utimensat(AT_FDCWD, file, NULL, 0) == 0, "%s: utimensat NULL (errno=%d)", where, errno);
    st = lstat_of(file);
    ok(is_now(st.st_atime, before) && is_now(st.st_mtime, before), "%s: NULL sets both to now (a=%ld m=%ld)", where,
        (long)st.st_atime, (long)st.st_mtime);
    struct timespec by_fd[2] = { { 1300000000, 0 }, { 1300000001, 0 } };
    ok(utimensat(fd, NULL, by_fd, 0) == 0 && lstat_of(file).st_mtime == 1300000001, "%s: futimens (errno=%d)", where, errno);

    // write, read, truncate, chmod, chown.
    ok(make_old(file) == 0, "%s: times set back", where);
    before = time(NULL);
    ok(pwrite(fd, "abc", 3, 0) == 3, "%s: write", where);
    st = lstat_of(file);
    ok(st.st_atime == OLD && is_now(st.st_mtime, before) && is_now(st.st_ctime, before),
        "%s: write moves mtime and ctime, not atime (a=%ld m=%ld c=%ld)", where, (long)st.st_atime, (long)st.st_mtime,
        (long)st.st_ctime);
    char buffer[4];
    ok(make_old(file) == 0 && pread(fd, buffer, 3, 0) == 3 && is_now(lstat_of(file).st_atime, before),
        "%s: read moves an old atime (a=%ld)", where, (long)lstat_of(file).st_atime);
    ok(make_old(file) == 0 && ftruncate(fd, 1) == 0, "%s: ftruncate", where);
    st = lstat_of(file);
    ok(st.st_atime == OLD && is_now(st.st_mtime, before) && is_now(st.st_ctime, before),
        "%s: truncate moves mtime and ctime (a=%ld m=%ld)", where, (long)st.st_atime, (long)st.st_mtime);
    ok(make_old(file) == 0 && fchmod(fd, 0600) == 0 && fchown(fd, 1, 1) == 0, "%s: chmod, chown", where);
    st = lstat_of(file);
    ok(st.st_atime == OLD && st.st_mtime == OLD && is_now(st.st_ctime, before),
        "%s: chmod and chown move only ctime (a=%ld m=%ld c=%ld)", where, (long)st.st_atime, (long)st.st_mtime,
        (long)st.st_ctime);
    close(fd);

    // A symbolic link's own times.
    ok(symlink("times-file", symbolic) == 0, "%s: symlink (errno=%d)", where, errno);
    struct timespec link_times[2] = { { 1400000000, 0 }, { 1400000000, 0 } };
    ok(make_old(file) == 0 && utimensat(AT_FDCWD, symbolic, link_times, AT_SYMLINK_NOFOLLOW) == 0
            && lstat_of(symbolic).st_mtime == 1400000000 && lstat_of(file).st_mtime == OLD,
        "%s: AT_SYMLINK_NOFOLLOW changes the link's times only (errno=%d)", where, errno);
    ok(utimensat(AT_FDCWD, symbolic, link_times, 0) == 0 && lstat_of(file).st_mtime == 1400000000,
        "%s: without it the target's", where);

    // The older calls, straight to the kernel (musl turns them into utimensat).
    struct timeval tv[2] = { { 1500000000, 250000 }, { 1500000001, 500000 } };
    ok(syscall(SYS_utimes, file, tv) == 0, "%s: utimes (errno=%d)", where, errno);
    st = lstat_of(file);
    ok(st.st_atime == 1500000000 && st.st_mtime == 1500000001, "%s: utimes stores seconds (a=%ld m=%ld)", where,
        (long)st.st_atime, (long)st.st_mtime);
    if (keeps_nanoseconds)
        ok(st.st_atim.tv_nsec == 250000000 && st.st_mtim.tv_nsec == 500000000, "%s: and microseconds (%ld %ld)", where,
            st.st_atim.tv_nsec, st.st_mtim.tv_nsec);
    ok(make_old(file) == 0 && syscall(SYS_futimesat, AT_FDCWD, file, tv) == 0 && lstat_of(file).st_mtime == 1500000001,
        "%s: futimesat (errno=%d)", where, errno);
    struct utimbuf ub = { 1600000000, 1600000002 };
    ok(syscall(SYS_utime, file, &ub) == 0 && lstat_of(file).st_atime == 1600000000 && lstat_of(file).st_mtime == 1600000002,
        "%s: utime (errno=%d)", where, errno);
    before = time(NULL);
    ok(syscall(SYS_utime, file, NULL) == 0 && is_now(lstat_of(file).st_mtime, before), "%s: utime NULL sets now", where);

    // Directories.
    ok(mkdir(sub, 0755) == 0, "%s: mkdir (errno=%d)", where, errno);
    ok(make_old(sub) == 0 && make_old(file) == 0, "%s: times set back", where);
    before = time(NULL);
    fd = open(other, O_WRONLY | O_CREAT, 0644);
    close(fd);
    st = lstat_of(sub);
    ok(fd >= 0 && is_now(st.st_mtime, before) && is_now(st.st_ctime, before),
        "%s: creating an entry moves the directory's mtime and ctime (m=%ld)", where, (long)st.st_mtime);
    ok(make_old(sub) == 0 && unlink(other) == 0 && is_now(lstat_of(sub).st_mtime, before),
        "%s: removing one too (m=%ld)", where, (long)lstat_of(sub).st_mtime);
    ok(make_old(sub) == 0 && make_old(file) == 0 && link(file, other) == 0, "%s: link (errno=%d)", where, errno);
    st = lstat_of(file);
    ok(st.st_mtime == OLD && is_now(st.st_ctime, before) && is_now(lstat_of(sub).st_mtime, before),
        "%s: link moves the inode's ctime (not mtime) and the directory's mtime", where);
    ok(make_old(sub) == 0 && make_old(dir) == 0 && rename(other, moved) == 0, "%s: rename (errno=%d)", where, errno);
    ok(is_now(lstat_of(sub).st_mtime, before) && is_now(lstat_of(dir).st_mtime, before) && is_now(lstat_of(moved).st_ctime, before),
        "%s: rename moves both directories' mtime and the inode's ctime", where);
    DIR* d = opendir(sub);
    ok(d && make_old(sub) == 0 && readdir(d) != NULL && is_now(lstat_of(sub).st_atime, before),
        "%s: reading a directory moves its atime (a=%ld)", where, (long)lstat_of(sub).st_atime);
    if (d)
        closedir(d);

    unlink(moved);
    unlink(symbolic);
    unlink(file);
    rmdir(sub);
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    // Pagoda's ext2 keeps whole seconds (as Linux's does on disk); the host's disk is ext4.
    struct utsname system;
    int on_pagoda = uname(&system) == 0 && strcmp(system.sysname, "Pagoda") == 0;
    check_in(dir, "disk", !on_pagoda);
    char tmp[] = "/tmp/times-XXXXXX";
    if (!mkdtemp(tmp))
        bail("mkdtemp (errno=%d)", errno);
    check_in(tmp, "tmp", 1);

    char file[600];
    snprintf(file, sizeof file, "%s/f", tmp);
    close(open(file, O_WRONLY | O_CREAT, 0644));
    struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
    ok(fails_with(utimensat(AT_FDCWD, file, bad, 0), EINVAL), "nanoseconds 1e9: EINVAL (errno=%d)", errno);
    bad[0].tv_nsec = -1;
    ok(fails_with(utimensat(AT_FDCWD, file, bad, 0), EINVAL), "nanoseconds -1: EINVAL (errno=%d)", errno);
    ok(fails_with(utimensat(AT_FDCWD, file, NULL, 0x8000), EINVAL), "unknown flag: EINVAL (errno=%d)", errno);
    struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
    ok(utimensat(AT_FDCWD, "/tmp/times-missing/x", omit, 0) == 0, "both OMIT on a missing file: 0 (errno=%d)", errno);
    ok(fails_with(utimensat(AT_FDCWD, "/tmp/times-missing/x", NULL, 0), ENOENT), "a missing file: ENOENT (errno=%d)",
        errno);
    ok(fails_with(syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0), EFAULT), "no path with AT_FDCWD: EFAULT (errno=%d)",
        errno);
    int fd = open(file, O_RDONLY);
    ok(fails_with(syscall(SYS_utimensat, fd, NULL, NULL, AT_SYMLINK_NOFOLLOW), EINVAL),
        "futimens with a flag: EINVAL (errno=%d)", errno);
    close(fd);
    struct timeval bad_tv[2] = { { 0, 1000000 }, { 0, 0 } };
    ok(fails_with(syscall(SYS_utimes, file, bad_tv), EINVAL), "utimes with 1000000 microseconds: EINVAL (errno=%d)", errno);
    unlink(file);
    rmdir(tmp);
    return tap_done();
}
