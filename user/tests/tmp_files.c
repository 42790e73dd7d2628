// tmp_files — regular files in /tmp (on Pagoda an in-memory filesystem), and running a
// program from there.
// open(O_CREAT|O_EXCL|O_RDWR, 0600), write, lseek (SET/CUR/END), read back, fstat size and
// mode; O_EXCL on an existing file -> EEXIST; chmod 0644 seen by stat; a write after
// lseek past the end leaves a hole of zeroes; O_TRUNC empties the file; O_APPEND writes
// go to the end even after lseek to 0; unlink, after which open and stat give ENOENT
// (an already open descriptor still reads the data).
// Exec from /tmp: a copy of /proc/self/exe written to /tmp, chmod 0755, execve'd in a
// forked child with the argument "exec-stage": it runs and exits 42.
#include "proc_util.h"
#include "tap.h"

extern char** environ;

int main(int argc, char** argv)
{
    if (argc >= 2 && strcmp(argv[1], "exec-stage") == 0)
        return 42;
    tap_plan(22);
    char path[64], exe[64];
    snprintf(path, sizeof path, "/tmp/tmp_files.%d", (int)getpid());
    snprintf(exe, sizeof exe, "/tmp/tmp_files.%d.exe", (int)getpid());
    unlink(path);

    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (!ok(fd >= 0, "open(%s, O_CREAT|O_EXCL|O_RDWR, 0600) (fd=%d errno=%d)", path, fd, errno))
        bail("cannot create a file in /tmp");
    ssize_t n = write(fd, "hello world", 11);
    ok(n == 11, "write 11 bytes (%zd)", n);
    off_t o = lseek(fd, 0, SEEK_CUR);
    off_t o2 = lseek(fd, 6, SEEK_SET);
    char buf[64] = { 0 };
    ssize_t m = read(fd, buf, sizeof buf);
    ok(o == 11 && o2 == 6 && m == 5 && memcmp(buf, "world", 5) == 0,
        "lseek(SEEK_CUR) == 11, lseek(6, SEEK_SET), read gives \"world\" (%lld, %lld, %zd \"%.5s\")", (long long)o,
        (long long)o2, m, buf);
    m = read(fd, buf, sizeof buf);
    ok(m == 0, "read at the end returns 0 (%zd)", m);
    o = lseek(fd, -5, SEEK_END);
    m = read(fd, buf, 5);
    ok(o == 6 && m == 5 && memcmp(buf, "world", 5) == 0, "lseek(-5, SEEK_END) == 6 and reads \"world\" (%lld, %zd)",
        (long long)o, m);
    struct stat st;
    int r = fstat(fd, &st);
    ok(r == 0 && S_ISREG(st.st_mode) && st.st_size == 11 && (st.st_mode & 07777) == 0600,
        "fstat: regular file, size 11, mode 0600 (r=%d size=%lld mode=%o)", r, (long long)st.st_size,
        (unsigned)(st.st_mode & 07777));

    errno = 0;
    int again = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    ok(again == -1 && errno == EEXIST, "O_CREAT|O_EXCL on an existing file fails with EEXIST (fd=%d errno=%d)", again, errno);
    if (again >= 0)
        close(again);

    r = chmod(path, 0644);
    int r2 = stat(path, &st);
    ok(r == 0 && r2 == 0 && (st.st_mode & 07777) == 0644, "chmod 0644 shows in stat (r=%d/%d mode=%o)", r, r2,
        (unsigned)(st.st_mode & 07777));

    // A hole: write at offset 8192 of an 11-byte file.
    o = lseek(fd, 8192, SEEK_SET);
    n = write(fd, "X", 1);
    int hole_ok = o == 8192 && n == 1 && pread(fd, buf, 16, 100) == 16;
    for (int i = 0; hole_ok && i < 16; ++i)
        hole_ok = buf[i] == 0;
    r = fstat(fd, &st);
    ok(hole_ok && r == 0 && st.st_size == 8193, "writing past the end leaves zeroes in between, size 8193 (size=%lld)",
        (long long)st.st_size);
    close(fd);

    // O_TRUNC
    fd = open(path, O_RDWR | O_TRUNC);
    r = fd >= 0 ? fstat(fd, &st) : -1;
    ok(fd >= 0 && r == 0 && st.st_size == 0, "O_TRUNC empties the file (fd=%d size=%lld)", fd, (long long)st.st_size);
    n = fd >= 0 ? write(fd, "0123456789", 10) : -1;
    ok(n == 10, "write 10 bytes after truncation (%zd)", n);

    // O_APPEND
    int ap = open(path, O_WRONLY | O_APPEND);
    n = ap >= 0 ? write(ap, "XY", 2) : -1;
    o = ap >= 0 ? lseek(ap, 0, SEEK_SET) : -1;
    ssize_t n2 = ap >= 0 ? write(ap, "Z", 1) : -1;
    memset(buf, 0, sizeof buf);
    m = pread(fd, buf, sizeof buf, 0);
    ok(ap >= 0 && n == 2 && o == 0 && n2 == 1, "O_APPEND: writes and lseek succeed (fd=%d, %zd, %lld, %zd)", ap, n,
        (long long)o, n2);
    ok(m == 13 && memcmp(buf, "0123456789XYZ", 13) == 0,
        "O_APPEND writes go to the end, even after lseek to 0 (\"%.*s\")", m > 0 ? (int)m : 0, buf);
    o = ap >= 0 ? lseek(ap, 0, SEEK_CUR) : -1;
    ok(o == 13, "after an O_APPEND write the offset is the end of the file (%lld)", (long long)o);
    if (ap >= 0)
        close(ap);

    // unlink
    r = unlink(path);
    ok(r == 0, "unlink (errno=%d)", errno);
    errno = 0;
    int gone = open(path, O_RDONLY);
    ok(gone == -1 && errno == ENOENT, "open after unlink fails with ENOENT (fd=%d errno=%d)", gone, errno);
    errno = 0;
    r = stat(path, &st);
    ok(r == -1 && errno == ENOENT, "stat after unlink fails with ENOENT (r=%d errno=%d)", r, errno);
    memset(buf, 0, sizeof buf);
    m = fd >= 0 ? pread(fd, buf, sizeof buf, 0) : -1;
    ok(m == 13 && memcmp(buf, "0123456789XYZ", 13) == 0, "a descriptor open before unlink still reads the data (%zd)", m);
    if (fd >= 0)
        close(fd);

    // Exec from /tmp.
    long copied = copy_file("/proc/self/exe", exe, 0600, NULL);
    r = chmod(exe, 0755);
    r2 = stat(exe, &st);
    ok(copied > 0 && r == 0 && r2 == 0 && st.st_size == copied && (st.st_mode & 07777) == 0755,
        "copy /proc/self/exe to %s (%ld bytes), chmod 0755 (mode %o)", exe, copied, (unsigned)(st.st_mode & 07777));
    pid_t pid = fork();
    if (pid == 0) {
        char* exec_argv[] = { exe, "exec-stage", NULL };
        execve(exe, exec_argv, environ);
        _exit(127);
    }
    int status = -1;
    pid_t w = pid > 0 ? waitpid(pid, &status, 0) : -1;
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 42,
        "execve of the copy in /tmp runs it: exit 42 (waitpid=%d, %s; 127 = execve failed)", w, describe_wait_status(status));
    r = unlink(exe);
    ok(r == 0, "unlink %s (errno=%d)", exe, errno);
    errno = 0;
    r = open(exe, O_RDONLY);
    ok(r == -1 && errno == ENOENT, "the copy is gone (r=%d errno=%d)", r, errno);
    return tap_done();
}
