// /proc/self/fd and /dev/fd: one entry per open descriptor, each a "magic" link that names the
// open file itself: readlink gives its path (or pipe:[N]); opening it opens that file anew
// (its own offset; even after the name is unlinked) or, for a pipe, a new end of the same
// pipe. bash's process substitution `<(...)` opens /dev/fd/N, zsh's /proc/self/fd/N.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

static int listed(int fd)
{
    DIR* dir = opendir("/proc/self/fd");
    if (!dir)
        return 0;
    int found = 0;
    char want[16];
    snprintf(want, sizeof want, "%d", fd);
    for (struct dirent* e; (e = readdir(dir));)
        if (strcmp(e->d_name, want) == 0 && e->d_type == DT_LNK)
            found = 1;
    closedir(dir);
    return found;
}

static void link_of(int fd, char* out, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, out, size - 1);
    out[n > 0 ? n : 0] = 0;
}

static int reopen(const char* folder, int fd, int flags)
{
    char path[64];
    snprintf(path, sizeof path, "%s/%d", folder, fd);
    return open(path, flags);
}

int main(void)
{
    char base[] = "/tmp/procfd.XXXXXX";
    if (!mkdtemp(base))
        bail("mkdtemp (errno=%d)", errno);
    char file_path[128];
    snprintf(file_path, sizeof file_path, "%s/data", base);
    int file = open(file_path, O_CREAT | O_RDWR, 0644);
    write(file, "0123456789", 10);
    lseek(file, 3, SEEK_SET);

    ok(listed(0) && listed(file), "/proc/self/fd lists 0 and the file's descriptor %d as links", file);
    char text[256];
    link_of(file, text, sizeof text);
    ok(strcmp(text, file_path) == 0, "readlink gives the file's path (%s)", text);
    struct stat st;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", file);
    ok(lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (st.st_mode & 0777) == 0700, "lstat: a link, lrwx------ for O_RDWR (%o)",
        st.st_mode);
    int read_only = open(file_path, O_RDONLY);
    snprintf(path, sizeof path, "/proc/self/fd/%d", read_only);
    ok(lstat(path, &st) == 0 && (st.st_mode & 0777) == 0500, "lr-x------ for O_RDONLY (%o)", st.st_mode);
    close(read_only);

    int again = reopen("/proc/self/fd", file, O_RDONLY);
    char got[8] = { 0 };
    ok(again >= 0 && read(again, got, 4) == 4 && memcmp(got, "0123", 4) == 0, "opening it gives a new description at offset 0 (%s)",
        got);
    struct stat a, b;
    fstat(file, &a);
    fstat(again, &b);
    ok(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "the same file (inode %lu)", (unsigned long)a.st_ino);
    ok(lseek(file, 0, SEEK_CUR) == 3, "the original offset is still 3");
    close(again);

    unlink(file_path);
    again = reopen("/proc/self/fd", file, O_RDONLY);
    memset(got, 0, sizeof got);
    ok(again >= 0 && pread(again, got, 3, 7) == 3 && memcmp(got, "789", 3) == 0,
        "after unlink, the link still opens the file (fd=%d, %s)", again, got);
    close(again);
    link_of(file, text, sizeof text);
    char deleted[160];
    snprintf(deleted, sizeof deleted, "%s (deleted)", file_path);
    ok(strcmp(text, deleted) == 0, "readlink after unlink: the path and \" (deleted)\" (%s)", text);

    int dev_fd = reopen("/dev/fd", file, O_RDONLY);
    ok(dev_fd >= 0, "/dev/fd/%d opens too (errno=%d)", file, errno);
    close(dev_fd);
    ssize_t n = readlink("/dev/stdin", text, sizeof text - 1);
    text[n > 0 ? n : 0] = 0;
    ok(strcmp(text, "/proc/self/fd/0") == 0, "/dev/stdin is a link to /proc/self/fd/0 (%s)", text);
    n = readlink("/dev/fd", text, sizeof text - 1);
    text[n > 0 ? n : 0] = 0;
    ok(strcmp(text, "/proc/self/fd") == 0, "/dev/fd is a link to /proc/self/fd (%s)", text);

    int pipe_fds[2];
    pipe(pipe_fds);
    link_of(pipe_fds[0], text, sizeof text);
    char other[256];
    link_of(pipe_fds[1], other, sizeof other);
    ok(strncmp(text, "pipe:[", 6) == 0 && strcmp(text, other) == 0, "both ends of a pipe read as the same pipe:[N] (%s, %s)", text,
        other);
    int writer = reopen("/dev/fd", pipe_fds[1], O_WRONLY);
    int reader = reopen("/proc/self/fd", pipe_fds[0], O_RDONLY);
    ok(writer >= 0 && reader >= 0, "a pipe's ends open through their links (%d, %d)", writer, reader);
    write(writer, "via link", 8);
    memset(text, 0, sizeof text);
    ok(read(reader, text, sizeof text) == 8 && strcmp(text, "via link") == 0, "written through one, read through the other (%s)",
        text);
    close(writer);
    close(pipe_fds[1]);
    ok(read(reader, text, sizeof text) == 0, "with every writer closed the reopened reader sees end of file");
    close(reader);
    close(pipe_fds[0]);

    int dir = open(base, O_RDONLY | O_DIRECTORY);
    int made = openat(AT_FDCWD, "/tmp", O_RDONLY);
    close(made);
    snprintf(path, sizeof path, "/proc/self/fd/%d/inside", dir);
    int inside = open(path, O_CREAT | O_WRONLY, 0644);
    char inside_path[160];
    snprintf(inside_path, sizeof inside_path, "%s/inside", base);
    ok(inside >= 0 && access(inside_path, F_OK) == 0, "a directory's link leads into it: fd/%d/inside is created there", dir);
    close(inside);
    unlink(inside_path);

    snprintf(path, sizeof path, "/proc/self/fd/%d", file);
    errno = 0;
    int r = open(path, O_RDONLY | O_NOFOLLOW);
    ok(r == -1 && errno == ELOOP, "O_NOFOLLOW on the link → ELOOP (r=%d errno=%d)", r, errno);
    close(file);
    errno = 0;
    r = open(path, O_RDONLY);
    ok(r == -1 && errno == ENOENT, "after close the entry is gone: ENOENT (errno=%d)", errno);

    close(dir);
    ok(rmdir(base) == 0, "cleaned up (errno=%d)", errno);
    return tap_done();
}
