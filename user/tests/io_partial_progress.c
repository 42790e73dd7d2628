// io_partial_progress — read() and write() with a user buffer that faults part-way lose
// nothing and report what Linux reports:
// - a pipe: a piece that faults counts for nothing — read() returns EFAULT and the bytes stay
//   in the pipe; write() from a half-unmapped buffer adds nothing;
// - a regular file: the count of bytes copied before the fault, and the offset moves by it,
//   for read() into a buffer that runs into a read-only page and write() from one that runs
//   into an unmapped page;
// - a write to a pipe without readers: EPIPE with SIGPIPE ignored, death by SIGPIPE by default.
#include "proc_util.h"
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

// 4 usable bytes just below a page the access cannot use (read-only or unmapped).
static char* edge_buffer(int unmap_second)
{
    char* m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    if (unmap_second ? munmap(m + PAGE, PAGE) : mprotect(m + PAGE, PAGE, PROT_READ))
        bail("munmap/mprotect failed (errno=%d)", errno);
    return m + PAGE - 4;
}

int main(void)
{
    tap_plan(10);
    char* into = edge_buffer(0);  // 4 writable bytes, then read-only
    char* from = edge_buffer(1);  // 4 readable bytes, then unmapped
    memcpy(from, "WXYZ", 4);

    // --- a pipe ---
    int p[2];
    if (pipe(p) != 0 || write(p[1], "abcdefgh", 8) != 8)
        bail("pipe failed (errno=%d)", errno);
    errno = 0;
    ssize_t r = read(p[0], into, 8);
    ok(r == -1 && errno == EFAULT, "pipe: read() into a buffer that runs into a read-only page fails with EFAULT (r=%zd errno=%d)", r, errno);
    char out[32] = { 0 };
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    r = read(p[0], out, sizeof out);
    ok(r == 8 && memcmp(out, "abcdefgh", 8) == 0, "pipe: all 8 bytes are still in the pipe afterwards (r=%zd '%.8s')", r, out);
    errno = 0;
    r = write(p[1], from, 8);
    ok(r == -1 && errno == EFAULT, "pipe: write() from a half-unmapped buffer fails with EFAULT (r=%zd errno=%d)", r, errno);
    errno = 0;
    r = read(p[0], out, sizeof out);
    ok(r == -1 && errno == EAGAIN, "pipe: and added nothing to the pipe (r=%zd errno=%d)", r, errno);

    // --- a regular file ---
    char path[] = "/tmp/io_partial_progress.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, "0123456789", 10) != 10 || lseek(fd, 0, SEEK_SET) != 0)
        bail("file setup failed (errno=%d)", errno);
    unlink(path);
    r = read(fd, into, 8);
    off_t at = lseek(fd, 0, SEEK_CUR);
    ok(r == 4 && at == 4 && memcmp(into, "0123", 4) == 0,
        "file: read() into a buffer that runs into a read-only page returns the 4 bytes copied and moves the offset (r=%zd offset=%lld)", r,
        (long long)at);
    lseek(fd, 0, SEEK_SET);
    r = write(fd, from, 8);
    at = lseek(fd, 0, SEEK_CUR);
    ok(r == 4 && at == 4, "file: write() from a half-unmapped buffer writes the first 4 bytes (r=%zd offset=%lld)", r, (long long)at);
    memset(out, 0, sizeof out);
    r = pread(fd, out, sizeof out, 0);
    ok(r == 10 && memcmp(out, "WXYZ456789", 10) == 0, "file: holds the 4 bytes written and the 6 after them unchanged ('%.10s')", out);
    errno = 0;
    r = read(fd, (void*)(into + 4), 4); // wholly read-only: no progress at all
    ok(r == -1 && errno == EFAULT, "file: read() into a read-only buffer fails with EFAULT (r=%zd errno=%d)", r, errno);

    // --- a pipe without readers ---
    int q[2];
    if (pipe(q) != 0)
        bail("pipe failed (errno=%d)", errno);
    close(q[0]);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    r = write(q[1], "x", 1);
    ok(r == -1 && errno == EPIPE, "a pipe without readers: EPIPE when SIGPIPE is ignored (r=%zd errno=%d)", r, errno);
    signal(SIGPIPE, SIG_DFL);
    pid_t child = fork();
    if (child == 0) {
        (void)write(q[1], "x", 1);
        _exit(3);
    }
    int status = -1;
    waitpid(child, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "and the writer dies of SIGPIPE by default (%s)", describe_wait_status(status));
    return tap_done();
}
