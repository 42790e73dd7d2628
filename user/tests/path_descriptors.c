// path_descriptors — descriptors that name files rather than open them, and the calls that
// work on ranges of descriptors or run a program through one:
//   O_PATH: opening a FIFO does not wait for a writer; the descriptor can be fstat'ed,
//   dup'ed, fchdir'ed to, used as an openat() directory and asked F_GETFD/F_SETFD/F_GETFL
//   (which shows O_PATH), but read, write, lseek, mmap, fchmod, ioctl, getdents, F_SETFL
//   and F_SETLK are EBADF; O_CREAT is dropped (ENOENT); O_PATH|O_NOFOLLOW holds a symbolic
//   link itself (fstat says S_IFLNK, readlinkat(fd, "") reads it);
//   execveat: a name relative to a directory descriptor (AT_EXECFN "/dev/fd/N/NAME"), a
//   relative name with AT_FDCWD, the descriptor's own file with AT_EMPTY_PATH (AT_EXECFN
//   "/dev/fd/N"), a "#!" script that way (its interpreter is given /dev/fd/N) but ENOENT when
//   the descriptor is close-on-exec, and by a relative name (the interpreter is given it as
//   written, Linux's bprm->interp); EINVAL for unknown flags, ELOOP for a link with
//   AT_SYMLINK_NOFOLLOW, ENOTDIR for a file as the directory, EBADF, ENOENT for "" alone;
//   close_range: closes [first, last] only, CLOSE_RANGE_CLOEXEC marks instead of closing,
//   CLOSE_RANGE_UNSHARE in a single-threaded process, EINVAL for first > last and unknown
//   flags, a range past every descriptor is 0.
// The test runs itself as the program execveat starts ("--child": it writes its AT_EXECFN
// to the report file; "--script": the script path its interpreter was given).
#define _GNU_SOURCE
#include "proc_util.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH 010000000
#endif
#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

static char self[4096], dir[256], report[320];
extern char** environ;

static int fails_with(long r, int e) { return r == -1 && errno == e; }

static void write_file(const char* path, const char* text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0)
            diag("write %s: errno %d", path, errno);
        close(fd);
    }
    chmod(path, mode);
}

static int report_to(const char* text)
{
    const char* path = getenv("PD_REPORT");
    if (!path)
        return 2;
    write_file(path, text, 0644);
    return 0;
}

static long execveat_call(int dirfd, const char* path, char* const argv[], int flags)
{
    return syscall(SYS_execveat, dirfd, path, argv, environ, flags);
}

struct execveat_call {
    int dirfd;
    const char* path;
    int flags;
};
static void run_execveat(void* context)
{
    struct execveat_call* call = context;
    char* argv[] = { "path_descriptors", "--child", NULL };
    execveat_call(call->dirfd, call->path, argv, call->flags);
}

// Runs execveat in a child: its errno if it failed (0 if the program ran and exited 0,
// -2 if it ran and failed), and what the program reported.
static int run_at(int dirfd, const char* path, int flags, char* got, size_t cap)
{
    unlink(report);
    struct execveat_call call = { dirfd, path, flags };
    int status;
    int e = exec_call_errno_in_child(run_execveat, &call, &status);
    if (e == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        e = -2;
    if (read_whole_file(report, got, cap) < 0)
        got[0] = 0;
    return e;
}

static void check_path_only(void)
{
    char file[300], fifo[300], link[300], missing[300];
    snprintf(file, sizeof file, "%s/file", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    snprintf(missing, sizeof missing, "%s/missing", dir);
    write_file(file, "contents", 0644);
    mkfifo(fifo, 0644);
    if (symlink("file", link) != 0)
        diag("symlink: errno %d", errno);

    int fd = open(file, O_PATH);
    ok(fd >= 0, "open O_PATH (fd=%d errno=%d)", fd, errno);
    char c;
    ok(fails_with(read(fd, &c, 1), EBADF), "read of an O_PATH descriptor: EBADF (errno=%d)", errno);
    ok(fails_with(write(fd, "x", 1), EBADF), "write: EBADF (errno=%d)", errno);
    ok(fails_with(lseek(fd, 0, SEEK_SET), EBADF), "lseek: EBADF (errno=%d)", errno);
    ok(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED && errno == EBADF, "mmap: EBADF (errno=%d)", errno);
    // (musl's fchmod() retries an EBADF through /proc/self/fd: the system call itself is asked.)
    ok(fails_with(syscall(SYS_fchmod, fd, 0600), EBADF), "fchmod: EBADF (errno=%d)", errno);
    int count;
    ok(fails_with(ioctl(fd, FIONREAD, &count), EBADF), "ioctl: EBADF (errno=%d)", errno);
    ok(fails_with(fcntl(fd, F_SETFL, O_NONBLOCK), EBADF), "fcntl F_SETFL: EBADF (errno=%d)", errno);
    struct flock lock = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
    ok(fails_with(fcntl(fd, F_SETLK, &lock), EBADF), "fcntl F_SETLK: EBADF (errno=%d)", errno);
    int flags = fcntl(fd, F_GETFL);
    ok(flags >= 0 && (flags & O_PATH), "F_GETFL shows O_PATH (0%o)", flags);
    ok(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "F_SETFD/F_GETFD work");
    struct stat st;
    ok(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 8, "fstat works (size %lld)", (long long)st.st_size);
    int copy = dup(fd);
    ok(copy >= 0 && fails_with(read(copy, &c, 1), EBADF), "a dup is O_PATH too (fd=%d errno=%d)", copy, errno);
    close(copy);
    close(fd);

    fd = open(fifo, O_PATH | O_RDONLY);
    ok(fd >= 0, "O_PATH of a FIFO does not wait for a writer (fd=%d errno=%d)", fd, errno);
    close(fd);
    ok(fails_with(open(missing, O_PATH | O_CREAT, 0644), ENOENT) && access(missing, F_OK) != 0,
        "O_CREAT is dropped with O_PATH: ENOENT, nothing made (errno=%d)", errno);

    fd = open(link, O_PATH | O_NOFOLLOW);
    char target[64] = { 0 };
    ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode), "O_PATH|O_NOFOLLOW holds the link itself");
    ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
    ok(n == 4 && memcmp(target, "file", 4) == 0, "readlinkat(fd, \"\") reads it (n=%zd errno=%d)", n, errno);
    close(fd);

    int dirfd = open(dir, O_PATH | O_DIRECTORY);
    ok(dirfd >= 0, "O_PATH|O_DIRECTORY of a directory (errno=%d)", errno);
    int inner = openat(dirfd, "file", O_RDONLY);
    ok(inner >= 0 && read(inner, &c, 1) == 1 && c == 'c', "an O_PATH directory anchors openat (fd=%d errno=%d)", inner, errno);
    close(inner);
    char buffer[512];
    ok(fails_with(syscall(SYS_getdents64, dirfd, buffer, sizeof buffer), EBADF), "getdents64: EBADF (errno=%d)", errno);
    char before[4096];
    if (!getcwd(before, sizeof before))
        before[0] = 0;
    char now[4096];
    ok(fchdir(dirfd) == 0 && getcwd(now, sizeof now) && strcmp(now, dir) == 0, "fchdir to it (cwd %s)", now);
    if (chdir(before) != 0)
        diag("chdir back: errno %d", errno);
    close(dirfd);
}

static void check_execveat(void)
{
    char got[4096], expected[4200], script[300], link[300];
    char self_dir[4096], self_name[4096];
    strcpy(self_dir, self);
    strcpy(self_name, self);
    int dirfd = open(dirname(self_dir), O_PATH | O_DIRECTORY);
    const char* name = basename(self_name);
    int e = run_at(dirfd, name, 0, got, sizeof got);
    snprintf(expected, sizeof expected, "/dev/fd/%d/%s", dirfd, name);
    ok(e == 0 && strcmp(got, expected) == 0, "execveat(dirfd, NAME): ran, AT_EXECFN %s (e=%d got '%s')", expected, e, got);

    char before[4096];
    if (!getcwd(before, sizeof before))
        before[0] = 0;
    strcpy(self_dir, self);
    if (chdir(dirname(self_dir)) != 0)
        diag("chdir: errno %d", errno);
    snprintf(expected, sizeof expected, "./%s", name);
    e = run_at(AT_FDCWD, expected, 0, got, sizeof got);
    ok(e == 0 && strcmp(got, expected) == 0, "execveat(AT_FDCWD, ./NAME): AT_EXECFN as given (e=%d got '%s')", e, got);
    if (chdir(before) != 0)
        diag("chdir back: errno %d", errno);

    int fd = open(self, O_PATH);
    e = run_at(fd, "", AT_EMPTY_PATH, got, sizeof got);
    snprintf(expected, sizeof expected, "/dev/fd/%d", fd);
    ok(e == 0 && strcmp(got, expected) == 0, "execveat(fd, \"\", AT_EMPTY_PATH): AT_EXECFN %s (e=%d got '%s')", expected, e, got);
    ok(run_at(fd, "", 0, got, sizeof got) == ENOENT, "an empty path without AT_EMPTY_PATH: ENOENT");
    ok(run_at(fd, self, 0x8000, got, sizeof got) == EINVAL, "an unknown flag: EINVAL");
    ok(run_at(fd, "x", 0, got, sizeof got) == ENOTDIR, "a relative name against a file: ENOTDIR");
    ok(run_at(-1, "", AT_EMPTY_PATH, got, sizeof got) == EBADF, "a bad descriptor: EBADF");
    close(fd);

    snprintf(link, sizeof link, "%s/self-link", dir);
    if (symlink(self, link) != 0)
        diag("symlink: errno %d", errno);
    ok(run_at(AT_FDCWD, link, AT_SYMLINK_NOFOLLOW, got, sizeof got) == ELOOP, "a link with AT_SYMLINK_NOFOLLOW: ELOOP");
    ok(run_at(AT_FDCWD, link, 0, got, sizeof got) == 0, "the same link followed runs");

    snprintf(script, sizeof script, "%s/script", dir);
    char text[4200];
    snprintf(text, sizeof text, "#!%s --script\n", self);
    write_file(script, text, 0755);
    fd = open(script, O_RDONLY);
    e = run_at(fd, "", AT_EMPTY_PATH, got, sizeof got);
    snprintf(expected, sizeof expected, "/dev/fd/%d", fd);
    ok(e == 0 && strcmp(got, expected) == 0, "a script through its descriptor: the interpreter is given %s (e=%d got '%s')", expected, e,
        got);
    if (chdir(dir) != 0)
        diag("chdir: errno %d", errno);
    e = run_at(AT_FDCWD, "./script", 0, got, sizeof got);
    ok(e == 0 && strcmp(got, "./script") == 0, "a script by a relative name: the interpreter is given it as written (e=%d got '%s')", e,
        got);
    if (chdir(before) != 0)
        diag("chdir back: errno %d", errno);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    ok(run_at(fd, "", AT_EMPTY_PATH, got, sizeof got) == ENOENT, "the same script through a close-on-exec descriptor: ENOENT");
    close(fd);
    close(dirfd);
}

static int is_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

static void check_close_range(void)
{
    int fd = open("/", O_RDONLY);
    dup2(fd, 100);
    dup2(fd, 101);
    dup2(fd, 102);
    long r = syscall(SYS_close_range, 100, 101, 0);
    ok(r == 0 && !is_open(100) && !is_open(101) && is_open(102) && is_open(fd), "close_range(100, 101) closes those two only");
    r = syscall(SYS_close_range, 102, ~0U, CLOSE_RANGE_CLOEXEC);
    ok(r == 0 && fcntl(102, F_GETFD) == FD_CLOEXEC && fcntl(fd, F_GETFD) == 0, "CLOSE_RANGE_CLOEXEC marks, and only from 102 up");
    r = syscall(SYS_close_range, 102, 102, CLOSE_RANGE_UNSHARE);
    ok(r == 0 && !is_open(102), "CLOSE_RANGE_UNSHARE in a single-threaded process (r=%ld errno=%d)", r, errno);
    ok(fails_with(syscall(SYS_close_range, 4, 3, 0), EINVAL), "first > last: EINVAL");
    ok(fails_with(syscall(SYS_close_range, 3, ~0U, 0x80), EINVAL), "an unknown flag: EINVAL");
    ok(syscall(SYS_close_range, ~0U, ~0U, 0) == 0, "a range past every descriptor: 0");
    close(fd);
}

int main(int argc, char** argv)
{
    if (argc >= 2 && strcmp(argv[1], "--child") == 0)
        return report_to((const char*)getauxval(AT_EXECFN));
    if (argc >= 3 && strcmp(argv[1], "--script") == 0)
        return report_to(argv[2]);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        bail("readlink /proc/self/exe: errno %d", errno);
    self[n] = 0;
    snprintf(dir, sizeof dir, "/tmp/path_descriptors.XXXXXX");
    if (!mkdtemp(dir))
        bail("mkdtemp: errno %d", errno);
    snprintf(report, sizeof report, "%s/report", dir);
    setenv("PD_REPORT", report, 1);

    check_path_only();
    check_execveat();
    check_close_range();

    const char* names[] = { "file", "fifo", "link", "self-link", "script", "report" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    if (rmdir(dir) != 0)
        diag("rmdir %s: errno %d", dir, errno);
    return tap_done();
}
