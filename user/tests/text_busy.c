// text_busy — a running program's file cannot be written, and a file open for writing cannot
// be run: ETXTBSY ("text file busy") both ways, as on Linux.
//   - this program's own file, by /proc/self/exe and by its real name: open O_WRONLY, O_RDWR
//     and O_WRONLY|O_TRUNC, and truncate() → ETXTBSY, the file unchanged (size, first
//     bytes); ftruncate() of an O_RDONLY descriptor → EINVAL, write() to it → EBADF;
//   - a copy in /tmp run by a child: ETXTBSY while it runs; still ETXTBSY after that process
//     forked and exited, while its fork child runs the program on; writable again once the
//     last process running it is gone;
//   - execve() of the copy while a descriptor has it open for writing → ETXTBSY (the caller
//     goes on); once it is closed, execve() runs it (exit 42).
#include "proc_util.h"
#include "tap.h"

#include <stdlib.h>

static char self_image[4 << 20];

// The second stage, run from the copy: "hold FORK READY_FD RELEASE_FD". With FORK 1 it forks
// and the first process exits at once, leaving its child to run the program on. The one
// that stays writes a byte to READY_FD and waits for EOF on RELEASE_FD, then exits.
static int hold(int argc, char** argv)
{
    if (argc < 5)
        return 2;
    int ready = atoi(argv[3]), release = atoi(argv[4]);
    if (atoi(argv[2]) == 1) {
        pid_t child = fork();
        if (child < 0)
            return 3;
        if (child > 0)
            _exit(0);
    }
    char byte = 'r';
    if (write(ready, &byte, 1) != 1)
        return 4;
    close(ready);
    while (read(release, &byte, 1) > 0) { }
    return 0;
}

// errno of open(path, flags), 0 if it opened (the descriptor is closed again).
static int open_error(const char* path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    return errno;
}

static int truncate_error(const char* path) { return truncate(path, 0) == 0 ? 0 : errno; }

static int unchanged(const char* path, off_t size)
{
    struct stat st;
    char head[4] = { 0 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int good = fd >= 0 && fstat(fd, &st) == 0 && st.st_size == size && read(fd, head, 4) == 4 && memcmp(head, "\177ELF", 4) == 0;
    if (fd >= 0)
        close(fd);
    return good;
}

static void own_file(void)
{
    static char real_path[512];
    ssize_t n = readlink("/proc/self/exe", real_path, sizeof real_path - 1);
    if (!ok(n > 0, "readlink /proc/self/exe (errno=%d)", errno))
        return;
    real_path[n] = '\0';
    struct stat st;
    if (!ok(stat(real_path, &st) == 0, "stat %s (errno=%d)", real_path, errno))
        return;
    const char* names[] = { "/proc/self/exe", real_path };
    for (int i = 0; i < 2; ++i) {
        int e = open_error(names[i], O_WRONLY);
        ok(e == ETXTBSY, "open(%s, O_WRONLY) of the running program: ETXTBSY (errno=%d)", names[i], e);
        e = open_error(names[i], O_RDWR);
        ok(e == ETXTBSY, "open(%s, O_RDWR): ETXTBSY (errno=%d)", names[i], e);
        e = open_error(names[i], O_WRONLY | O_TRUNC);
        ok(e == ETXTBSY, "open(%s, O_WRONLY|O_TRUNC): ETXTBSY (errno=%d)", names[i], e);
        e = truncate_error(names[i]);
        ok(e == ETXTBSY, "truncate(%s, 0): ETXTBSY (errno=%d)", names[i], e);
    }
    ok(unchanged(real_path, st.st_size), "the program's file is unchanged (%lld bytes, starts with ELF)",
        (long long)st.st_size);
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    errno = 0;
    int r = ftruncate(fd, 0);
    ok(r == -1 && errno == EINVAL, "ftruncate of an O_RDONLY descriptor of it: EINVAL (r=%d errno=%d)", r, errno);
    errno = 0;
    r = (int)write(fd, "x", 1);
    ok(r == -1 && errno == EBADF, "write to an O_RDONLY descriptor of it: EBADF (r=%d errno=%d)", r, errno);
    close(fd);
    ok(unchanged(real_path, st.st_size), "the program's file is still unchanged");
}

// Starts the copy at `path` in a child ("hold FORK ..."); returns the write end of its
// release pipe once the process that stays has said it runs, or -1.
static int start_holder(const char* path, int fork_first, pid_t* child)
{
    int ready[2], release[2];
    if (pipe(ready) || pipe(release))
        return -1;
    *child = fork();
    if (*child == 0) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", ready[1]);
        snprintf(b, sizeof b, "%d", release[0]);
        close(ready[0]);
        close(release[1]);
        char* argv[] = { (char*)path, "hold", fork_first ? "1" : "0", a, b, NULL };
        char* envp[] = { NULL };
        execve(path, argv, envp);
        _exit(99);
    }
    close(ready[1]);
    close(release[0]);
    char byte;
    ssize_t n = read(ready[0], &byte, 1);
    close(ready[0]);
    if (n != 1) {
        close(release[1]);
        return -1;
    }
    return release[1];
}

// Lets the holder go: it exits when it reads EOF on its release pipe.
static void stop_holder(int release_fd) { close(release_fd); }

static void copy_in_use(void)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    long size = fd >= 0 ? read(fd, self_image, sizeof self_image) : -1;
    if (fd >= 0)
        close(fd);
    if (!ok(size > 0 && size < (long)sizeof self_image, "read this program (%ld bytes)", size))
        return;
    char path[64];
    snprintf(path, sizeof path, "/tmp/text_busy.%d", (int)getpid());
    errno = 0;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    int made = fd >= 0 && write_all(fd, self_image, (size_t)size) == 0;
    if (fd >= 0 && close(fd) != 0)
        made = 0;
    if (!ok(made, "copy it to %s (errno=%d)", path, errno))
        return;

    // Run by a child.
    pid_t child;
    int release = start_holder(path, 0, &child);
    if (ok(release >= 0, "a child runs the copy")) {
        int e = open_error(path, O_WRONLY);
        ok(e == ETXTBSY, "open(O_WRONLY) of the copy while a child runs it: ETXTBSY (errno=%d)", e);
        e = truncate_error(path);
        ok(e == ETXTBSY, "truncate of it: ETXTBSY (errno=%d)", e);
        stop_holder(release);
        int status;
        waitpid(child, &status, 0);
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child ends (%s)", describe_wait_status(status));
        e = open_error(path, O_WRONLY);
        ok(e == 0, "once it has exited, open(O_WRONLY) works (errno=%d)", e);
    }

    // Run by a process that forks and exits: its fork child still runs the program.
    release = start_holder(path, 1, &child);
    int status;
    waitpid(child, &status, 0); // the first process exits at once
    int e = open_error(path, O_WRONLY);
    ok(release >= 0 && e == ETXTBSY,
        "after the process running it forked and exited, its fork child still holds it: ETXTBSY (errno=%d)", e);
    if (release >= 0) {
        // The fork child is not ours to wait for: let it go, and poll until it has exited.
        stop_holder(release);
        int tries = 0;
        while ((e = open_error(path, O_WRONLY)) == ETXTBSY && tries++ < 2000)
            usleep(1000);
        ok(e == 0, "once that child has exited too, open(O_WRONLY) works (errno=%d after %d polls)", e, tries);
    }

    // execve of a file open for writing.
    errno = 0;
    int writer = open(path, O_WRONLY | O_CLOEXEC);
    ok(writer >= 0, "open the copy for writing (errno=%d)", errno);
    child = fork();
    if (child == 0) {
        char* argv[] = { path, "exit42", NULL };
        char* envp[] = { NULL };
        execve(path, argv, envp);
        _exit(errno == ETXTBSY ? 10 : 11);
    }
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 10, "execve of it while it is open for writing: ETXTBSY (%s; 10 = ETXTBSY)",
        describe_wait_status(status));
    close(writer);
    child = fork();
    if (child == 0) {
        char* argv[] = { path, "exit42", NULL };
        char* envp[] = { NULL };
        execve(path, argv, envp);
        _exit(errno == ETXTBSY ? 10 : 11);
    }
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 42, "once closed, execve runs it (%s)", describe_wait_status(status));
    errno = 0;
    ok(unlink(path) == 0, "unlink the copy (errno=%d)", errno);
}

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "hold") == 0)
        return hold(argc, argv);
    if (argc > 1 && strcmp(argv[1], "exit42") == 0)
        return 42;
    own_file();
    copy_in_use();
    return tap_done();
}
