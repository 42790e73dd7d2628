// disk: 8
// args: @DIR@
// Named pipes, in /tmp (tmpfs) and on a real file system (ext2 on Pagoda): mkfifo and
// mknod(S_IFIFO) make a FIFO node (stat, d_type, EEXIST); opening waits for the other side
// as Linux's fifo_open does — a reader for a writer, a writer for a reader (a child opens
// the other end once the parent is asleep), O_WRONLY|O_NONBLOCK without a reader ENXIO,
// O_RDONLY|O_NONBLOCK at once with no POLLHUP before a writer came, O_RDWR never; a signal
// ends a waiting open with EINTR; bytes pass between ends opened separately and are gone
// once the last end closes; ESPIPE, fsync EINVAL, select; mknod's other types (a regular
// file; EPERM for a directory, EINVAL for an unknown type).
#define _GNU_SOURCE
#include "file_util.h"
#include "tap.h"
#include "wait_util.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int signal) { (void)signal; }

static int dirent_type(const char* dir, const char* name)
{
    DIR* d = opendir(dir);
    if (!d)
        return -1;
    int type = -1;
    struct dirent* entry;
    while ((entry = readdir(d)))
        if (strcmp(entry->d_name, name) == 0)
            type = entry->d_type;
    closedir(d);
    return type;
}

// Forks a child that, once this process sleeps, opens `path` with `flags` and writes one
// byte (when writing) or reads one (when reading), then exits.
static pid_t child_opens_when_asleep(const char* path, int flags)
{
    pid_t parent = getpid(), child = fork();
    if (child == 0) {
        if (wait_until_sleeping(parent) != 0)
            _exit(2);
        int fd = open(path, flags);
        if (fd < 0)
            _exit(3);
        char byte = 'x';
        ssize_t n = (flags & O_ACCMODE) == O_WRONLY ? write(fd, &byte, 1) : read(fd, &byte, 1);
        _exit(n == 1 ? 0 : 4);
    }
    return child;
}

static int exited_ok(pid_t child)
{
    int status;
    return waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void fifo_in(const char* dir, const char* where)
{
    char path[512], other[512];
    file_path(path, sizeof path, dir, "fifo");
    file_path(other, sizeof other, dir, "node");
    unlink(path);
    umask(022);
    ok(mkfifo(path, 0666) == 0, "%s: mkfifo (errno=%d)", where, errno);
    struct stat st;
    ok(stat(path, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0644, "%s: stat says FIFO, mode 0644 after umask (%o)", where,
        st.st_mode);
    ok(dirent_type(dir, "fifo") == DT_FIFO, "%s: readdir's d_type is DT_FIFO (%d)", where, dirent_type(dir, "fifo"));
    errno = 0;
    ok(mkfifo(path, 0666) == -1 && errno == EEXIST, "%s: a second mkfifo EEXIST (errno=%d)", where, errno);

    errno = 0;
    int fd = open(path, O_WRONLY | O_NONBLOCK);
    ok(fd == -1 && errno == ENXIO, "%s: O_WRONLY|O_NONBLOCK without a reader: ENXIO (fd=%d errno=%d)", where, fd, errno);
    int reader = open(path, O_RDONLY | O_NONBLOCK);
    struct pollfd entry = { .fd = reader, .events = POLLIN };
    int r = poll(&entry, 1, 0);
    char buffer[16];
    ok(reader >= 0 && r == 0 && entry.revents == 0 && read(reader, buffer, sizeof buffer) == 0,
        "%s: O_RDONLY|O_NONBLOCK opens at once; no POLLHUP before any writer, read gives 0 (r=%d revents=%#x)", where, r,
        entry.revents);
    int writer = open(path, O_WRONLY | O_NONBLOCK);
    ok(writer >= 0 && write(writer, "hi", 2) == 2 && read(reader, buffer, sizeof buffer) == 2 && memcmp(buffer, "hi", 2) == 0,
        "%s: with a reader a writer opens; bytes pass between the two opens", where);
    struct stat by_fd;
    ok(fstat(writer, &by_fd) == 0 && S_ISFIFO(by_fd.st_mode) && by_fd.st_ino == st.st_ino, "%s: fstat of an end is the FIFO's inode", where);
    errno = 0;
    ok(lseek(writer, 0, SEEK_SET) == -1 && errno == ESPIPE, "%s: lseek ESPIPE (errno=%d)", where, errno);
    errno = 0;
    ok(fsync(writer) == -1 && errno == EINVAL, "%s: fsync EINVAL (errno=%d)", where, errno);
    close(writer);
    r = poll(&entry, 1, 0);
    ok(r == 1 && entry.revents == POLLHUP, "%s: the writer gone, the reader hangs up (revents=%#x)", where, entry.revents);
    close(reader);

    // Blocking opens wait for the other side.
    pid_t child = child_opens_when_asleep(path, O_WRONLY);
    reader = open(path, O_RDONLY);
    ssize_t n = read(reader, buffer, 1);
    ok(reader >= 0 && n == 1 && buffer[0] == 'x' && exited_ok(child), "%s: O_RDONLY waits until a child opens for writing (n=%zd)", where, n);
    close(reader);
    child = child_opens_when_asleep(path, O_RDONLY);
    writer = open(path, O_WRONLY);
    ok(writer >= 0 && write(writer, "y", 1) == 1 && exited_ok(child), "%s: O_WRONLY waits until a child opens for reading", where);
    close(writer);

    int both = open(path, O_RDWR);
    fd_set in, out;
    FD_ZERO(&in);
    FD_ZERO(&out);
    FD_SET(both, &in);
    FD_SET(both, &out);
    struct timeval zero = { 0, 0 };
    ok(both >= 0 && write(both, "zz", 2) == 2 && select(both + 1, &in, &out, NULL, &zero) == 2,
        "%s: O_RDWR never waits; after a write it is readable and writable", where);
    close(both);
    both = open(path, O_RDWR | O_NONBLOCK);
    errno = 0;
    n = read(both, buffer, sizeof buffer);
    ok(n == -1 && errno == EAGAIN, "%s: the bytes went with the last end: a new open finds it empty (n=%zd errno=%d)", where, n, errno);
    close(both);

    // A signal ends a waiting open.
    struct sigaction action = { .sa_handler = on_usr1 };
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    pid_t parent = getpid();
    child = fork();
    if (child == 0) {
        _exit(wait_until_sleeping(parent) == 0 && kill(parent, SIGUSR1) == 0 ? 0 : 2);
    }
    errno = 0;
    reader = open(path, O_RDONLY);
    int error = errno;
    ok(reader == -1 && error == EINTR && exited_ok(child), "%s: a handler ends a waiting open with EINTR (fd=%d errno=%d)", where, reader, error);
    errno = 0;
    writer = open(path, O_WRONLY | O_NONBLOCK);
    ok(writer == -1 && errno == ENXIO, "%s: and that open left no reader behind (errno=%d)", where, errno);

    // Unlinked while open: the ends keep working.
    both = open(path, O_RDWR);
    unlink(path);
    ok(both >= 0 && write(both, "u", 1) == 1 && read(both, buffer, 1) == 1 && buffer[0] == 'u', "%s: unlinked while open, the pipe still works", where);
    close(both);

    unlink(other);
    ok(mknod(other, S_IFIFO | 0600, 0) == 0 && stat(other, &st) == 0 && S_ISFIFO(st.st_mode), "%s: mknod(S_IFIFO) makes a FIFO", where);
    unlink(other);
    ok(mknod(other, S_IFREG | 0600, 0) == 0 && stat(other, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
        "%s: mknod(S_IFREG) makes an empty regular file", where);
    errno = 0;
    ok(mknod(other, S_IFIFO | 0600, 0) == -1 && errno == EEXIST, "%s: mknod over an existing name EEXIST (errno=%d)", where, errno);
    unlink(other);
    errno = 0;
    ok(mknod(other, S_IFDIR | 0700, 0) == -1 && errno == EPERM, "%s: mknod(S_IFDIR) EPERM (errno=%d)", where, errno);
    errno = 0;
    ok(mknod(other, 0170000 | 0600, 0) == -1 && errno == EINVAL, "%s: mknod of an unknown type EINVAL (errno=%d)", where, errno);
}

int main(int argc, char** argv)
{
    const char* disk = disk_dir(argc, argv);
    char tmp[] = "/tmp/fifo_XXXXXX";
    if (!mkdtemp(tmp))
        bail("mkdtemp: errno %d", errno);
    fifo_in(tmp, "tmpfs");
    rmdir(tmp);
    fifo_in(disk, "disk");
    return tap_done();
}
