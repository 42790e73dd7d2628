// proc_util.h — small helpers for the process tests (fork, exec, files): reading a whole
// file, copying a file, faulting in stack, describing a wait status, counting threads,
// CAP_SYS_RESOURCE. Header-only, static.
#ifndef PAGODA_TESTS_PROC_UTIL_H
#define PAGODA_TESTS_PROC_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// Read up to cap-1 bytes of path into buf and NUL-terminate. Returns the byte count, or -1
// (errno set) if the file cannot be opened or read.
static inline ssize_t read_whole_file(const char* path, char* buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t used = 0;
    while (used + 1 < cap) {
        ssize_t n = read(fd, buf + used, cap - 1 - used);
        if (n < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    buf[used] = '\0';
    return (ssize_t)used;
}

// Writes `text` to `path` (a /proc/sys file) in one write: 0, or the errno of the open or
// the write (EIO for a short write).
static inline int write_whole_text(const char* path, const char* text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return errno;
    ssize_t n = write(fd, text, strlen(text));
    int error = n == (ssize_t)strlen(text) ? 0 : n < 0 ? errno : EIO;
    close(fd);
    return error;
}

// The number after "Threads:" in /proc/self/status, or -1.
static inline int status_threads(void)
{
    char buffer[4096];
    if (read_whole_file("/proc/self/status", buffer, sizeof buffer) <= 0)
        return -1;
    char* line = strstr(buffer, "\nThreads:");
    return line ? atoi(line + 9) : -1;
}

// Whether this process may raise hard limits: CAP_SYS_RESOURCE (bit 24) in CapEff, where
// /proc/self/status shows capabilities; a kernel that shows none (Pagoda) gives a process
// every capability while its effective uid is 0.
static inline int has_sys_resource(void)
{
    char status[4096];
    if (read_whole_file("/proc/self/status", status, sizeof status) < 0)
        return geteuid() == 0;
    char* line = strstr(status, "CapEff:");
    return line ? (int)((strtoull(line + 7, NULL, 16) >> 24) & 1) : geteuid() == 0;
}

// Write all of buf to fd (looping over short writes). Returns 0, or -1 with errno.
static inline int write_all(int fd, const void* buf, size_t len)
{
    const char* p = (const char*)buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

// Read exactly len bytes from fd. Returns len, or fewer at EOF, or -1 with errno.
static inline ssize_t read_full(int fd, void* buf, size_t len)
{
    char* p = (char*)buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

// Copy the file at src to a new file dst (created or truncated) with the given mode; if
// patch is non-NULL it is called on each chunk with its file offset before writing.
// Returns the number of bytes copied, or -1 with errno.
static inline long copy_file(const char* src, const char* dst, mode_t mode,
    void (*patch)(char* chunk, size_t len, long offset))
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (out < 0) {
        int e = errno;
        close(in);
        errno = e;
        return -1;
    }
    static char chunk[16384];
    long total = 0;
    for (;;) {
        ssize_t n = read(in, chunk, sizeof chunk);
        if (n < 0) {
            total = -1;
            break;
        }
        if (n == 0)
            break;
        if (patch)
            patch(chunk, (size_t)n, total);
        if (write_all(out, chunk, (size_t)n) < 0) {
            total = -1;
            break;
        }
        total += n;
    }
    int e = errno;
    close(in);
    if (close(out) < 0 && total >= 0)
        total = -1, e = errno;
    errno = e;
    return total;
}

// Fault in (write) the stack this program can use below the caller: 64 KiB.
__attribute__((noinline, unused)) static void touch_stack(void)
{
    volatile unsigned char pad[64 * 1024];
    for (size_t i = 0; i < sizeof pad; i += 512)
        pad[i] = (unsigned char)i;
}

// "exit 3", "signal 11", "stopped", ... for failure messages (static buffer).
static inline const char* describe_wait_status(int status)
{
    static char text[48];
    if (WIFEXITED(status))
        snprintf(text, sizeof text, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "signal %d", WTERMSIG(status));
    else
        snprintf(text, sizeof text, "status %#x", status);
    return text;
}

// Runs `path` with `argv` in a child whose standard output is a pipe; puts what it printed
// (up to size-1 bytes, NUL-terminated) in `out`. Returns the child's wait status, or -1.
static inline int run_capturing_output(const char* path, char* const argv[], char* out, size_t size)
{
    int fds[2];
    out[0] = '\0';
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        execv(path, argv);
        _exit(127);
    }
    close(fds[1]);
    ssize_t got = read_full(fds[0], out, size - 1);
    out[got > 0 ? got : 0] = '\0';
    close(fds[0]);
    int status;
    return pid > 0 && waitpid(pid, &status, 0) == pid ? status : -1;
}

// Runs `exec(context)` — some exec call — in a child and returns the errno it failed with
// there, or 0 if it succeeded; the child's wait status goes to *status.
static inline int exec_call_errno_in_child(void (*exec)(void* context), void* context, int* status)
{
    int fds[2];
    *status = -1;
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        exec(context);
        int e = errno;
        write_all(fds[1], &e, sizeof e);
        _exit(127);
    }
    close(fds[1]);
    int e = 0;
    if (read_full(fds[0], &e, sizeof e) != sizeof e)
        e = 0;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, status, 0);
    return e;
}

struct execv_call {
    const char* path;
    char* const* argv;
};
static inline void run_execv(void* context)
{
    struct execv_call* call = (struct execv_call*)context;
    execv(call->path, call->argv);
}

// Runs `path` with `argv` in a child and returns the errno its execv failed with there, or
// 0 if execv succeeded; the child's wait status goes to *status.
static inline int exec_errno_in_child(const char* path, char* const argv[], int* status)
{
    struct execv_call call = { path, argv };
    return exec_call_errno_in_child(run_execv, &call, status);
}

#endif
