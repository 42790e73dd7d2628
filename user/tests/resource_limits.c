// resource_limits — getrlimit/setrlimit/prlimit64 and the limits Linux enforces:
//   - soft <= hard for every resource; soft > hard → EINVAL; an unknown resource → EINVAL;
//     a hard limit may be raised with CAP_SYS_RESOURCE (root on Pagoda), not without; limits are inherited by a fork child; prlimit64 reads and
//     sets another process's limit;
//   - RLIMIT_NOFILE: descriptors up to the soft limit (raised to 2048: fd 2000 works), none at
//     or past it (EMFILE for open, EBADF for dup2, EINVAL for F_DUPFD);
//   - RLIMIT_FSIZE: a write is cut at the limit, the next fails with EFBIG (SIGXFSZ ignored),
//     ftruncate past it EFBIG, below it fine; with SIGXFSZ's default action the writer dies;
//   - RLIMIT_AS: an mmap that would pass it → ENOMEM, a small one still works;
//   - RLIMIT_DATA: brk growth past it leaves the break unchanged;
//   - RLIMIT_STACK: a program exec'd with a 64 MiB limit recurses through 40 MiB of stack;
//     with 8 MiB the same recursion dies of SIGSEGV.
#include "proc_util.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char self[4096];

// Uses about `mib` MiB of stack, a page at a time.
static __attribute__((noinline)) long recurse(long pages)
{
    volatile char frame[4000];
    frame[0] = (char)pages;
    if (pages <= 0)
        return frame[0];
    return recurse(pages - 1) + frame[0];
}

static int child_status(void (*body)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(0);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

static void basics(void)
{
    int all_ordered = 1;
    for (int resource = 0; resource < RLIMIT_NLIMITS; ++resource) {
        struct rlimit limit;
        if (getrlimit(resource, &limit) != 0 || limit.rlim_cur > limit.rlim_max)
            all_ordered = 0;
    }
    ok(all_ordered, "every resource has soft <= hard");
    struct rlimit limit;
    errno = 0;
    ok(syscall(SYS_getrlimit, 99, &limit) == -1 && errno == EINVAL, "an unknown resource: EINVAL (errno=%d)", errno);
    struct rlimit bad = { 100, 10 };
    errno = 0;
    ok(setrlimit(RLIMIT_CORE, &bad) == -1 && errno == EINVAL, "soft above hard: EINVAL (errno=%d)", errno);
}

// Whether this process may raise hard limits: CAP_SYS_RESOURCE (bit 24) in CapEff, where
// /proc/self/status shows capabilities; a kernel that shows none runs everything as root
// with every capability (Pagoda).
static int has_sys_resource(void)
{
    char status[4096];
    if (read_whole_file("/proc/self/status", status, sizeof status) < 0)
        return 1;
    char* line = strstr(status, "CapEff:");
    return !line || ((strtoull(line + 7, NULL, 16) >> 24) & 1);
}

static void raise_hard(void)
{
    struct rlimit lower = { 512, 2048 };
    ok(setrlimit(RLIMIT_NOFILE, &lower) == 0, "lower RLIMIT_NOFILE to 512/2048 (errno=%d)", errno);
    struct rlimit higher = { 3000, 3000 };
    errno = 0;
    int r = setrlimit(RLIMIT_NOFILE, &higher);
    if (has_sys_resource()) {
        ok(r == 0, "with CAP_SYS_RESOURCE the hard limit may be raised again (errno=%d)", errno);
        struct rlimit now;
        getrlimit(RLIMIT_NOFILE, &now);
        ok(now.rlim_cur == 3000 && now.rlim_max == 3000, "getrlimit reads it back (%lu/%lu)", (unsigned long)now.rlim_cur,
            (unsigned long)now.rlim_max);
    } else {
        ok(r == -1, "without CAP_SYS_RESOURCE raising the hard limit fails");
        struct rlimit now;
        getrlimit(RLIMIT_NOFILE, &now);
        ok(now.rlim_max == 2048, "and it stays (%lu)", (unsigned long)now.rlim_max);
        struct rlimit same = { 2048, 2048 };
        setrlimit(RLIMIT_NOFILE, &same);
    }
}

static void nofile_body(void)
{
    struct rlimit limit = { 2048, 2048 };
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
        _exit(10);
    if (dup2(0, 2000) != 2000)
        _exit(11);
    errno = 0;
    if (dup2(0, 2048) != -1 || errno != EBADF)
        _exit(12);
    errno = 0;
    if (fcntl(0, F_DUPFD, 2048) != -1 || errno != EINVAL)
        _exit(13);
    // Fill every descriptor below the limit, then one more must fail with EMFILE.
    int opened = 0;
    while (dup(0) >= 0)
        ++opened;
    if (errno != EMFILE)
        _exit(14);
    if (fcntl(0, F_DUPFD, 100) != -1 || errno != EMFILE)
        _exit(15);
    // Lower the limit below what is open: the open ones stay, new ones fail.
    struct rlimit low = { 10, 2048 };
    if (setrlimit(RLIMIT_NOFILE, &low) != 0)
        _exit(16);
    close(1500);
    if (dup(0) != -1 || errno != EMFILE)
        _exit(17);
    if (fcntl(2000, F_GETFD) != 0)
        _exit(18);
    _exit(opened > 2000 ? 0 : 19);
}

static void nofile(void)
{
    int status = child_status(nofile_body);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "RLIMIT_NOFILE 2048: fd 2000 via dup2, EBADF/EINVAL at 2048, EMFILE once full; lowered, new ones fail (%s)",
        describe_wait_status(status));
}

static char const* fsize_path = "/tmp/resource_limits.fsize";

static void fsize_body(void)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = { 10000, RLIM_INFINITY };
    setrlimit(RLIMIT_FSIZE, &limit);
    int fd = open(fsize_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    static char data[20000];
    ssize_t first = write(fd, data, sizeof data);
    errno = 0;
    ssize_t second = write(fd, data, 10);
    int second_errno = errno;
    errno = 0;
    int grow = ftruncate(fd, 20000);
    int grow_errno = errno;
    int shrink = ftruncate(fd, 5000);
    close(fd);
    _exit(first == 10000 && second == -1 && second_errno == EFBIG && grow == -1 && grow_errno == EFBIG && shrink == 0 ? 0 : 1);
}

static void fsize_kill_body(void)
{
    struct rlimit limit = { 4096, RLIM_INFINITY };
    setrlimit(RLIMIT_FSIZE, &limit);
    int fd = open(fsize_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    static char data[8192];
    (void)write(fd, data, 4096);
    (void)write(fd, data, 10); // past the limit: SIGXFSZ
    _exit(3);
}

static void fsize(void)
{
    int status = child_status(fsize_body);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "RLIMIT_FSIZE 10000: a 20000-byte write gives 10000, the next EFBIG, ftruncate past EFBIG, below fine (%s)",
        describe_wait_status(status));
    status = child_status(fsize_kill_body);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ, "a write past it with SIGXFSZ's default action: killed (%s)",
        describe_wait_status(status));
    unlink(fsize_path);
}

static long vm_size_bytes(void)
{
    char status[4096];
    if (read_whole_file("/proc/self/status", status, sizeof status) < 0)
        return -1;
    char* line = strstr(status, "VmSize:");
    return line ? atol(line + 7) * 1024 : -1;
}

static void address_space_body(void)
{
    long size = vm_size_bytes();
    if (size <= 0)
        _exit(10);
    struct rlimit limit = { (rlim_t)size + 16 * 1024 * 1024, RLIM_INFINITY };
    setrlimit(RLIMIT_AS, &limit);
    void* big = mmap(NULL, 64 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (big != MAP_FAILED || errno != ENOMEM)
        _exit(11);
    void* small = mmap(NULL, 4 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    _exit(small != MAP_FAILED ? 0 : 12);
}

static void data_body(void)
{
    struct rlimit limit = { 1 << 20, RLIM_INFINITY };
    setrlimit(RLIMIT_DATA, &limit);
    unsigned long start = (unsigned long)syscall(SYS_brk, 0);
    unsigned long after = (unsigned long)syscall(SYS_brk, start + (64 << 20));
    _exit(after == start ? 0 : 1);
}

static void memory_limits(void)
{
    int status = child_status(address_space_body);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "RLIMIT_AS: 64 MiB past it ENOMEM, 4 MiB fine (%s)",
        describe_wait_status(status));
    status = child_status(data_body);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "RLIMIT_DATA 1 MiB: brk growth by 64 MiB leaves the break (%s)",
        describe_wait_status(status));
}

static int run_stack_probe(rlim_t limit_bytes)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit limit = { limit_bytes, RLIM_INFINITY };
        setrlimit(RLIMIT_STACK, &limit);
        execl(self, self, "stack-probe", (char*)NULL);
        _exit(127);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

static void stack(void)
{
    int status = run_stack_probe(64 << 20);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "RLIMIT_STACK 64 MiB: the exec'd program recurses through 40 MiB (%s)",
        describe_wait_status(status));
    status = run_stack_probe(8 << 20);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "RLIMIT_STACK 8 MiB: the same recursion dies of SIGSEGV (%s)",
        describe_wait_status(status));
}

static void inheritance(void)
{
    struct rlimit current;
    getrlimit(RLIMIT_NOFILE, &current);
    struct rlimit limit = { 777, current.rlim_max };
    setrlimit(RLIMIT_NOFILE, &limit);
    int fds[2], seen_pipe[2];
    if (pipe(fds) != 0 || pipe(seen_pipe) != 0)
        bail("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit seen;
        getrlimit(RLIMIT_NOFILE, &seen);
        (void)write(seen_pipe[1], "s", 1);
        char byte;
        (void)read(fds[0], &byte, 1);
        _exit(seen.rlim_cur == 777 ? 0 : 1);
    }
    char byte;
    (void)read(seen_pipe[0], &byte, 1); // the child has read its limit
    struct rlimit other;
    ok(prlimit(pid, RLIMIT_NOFILE, NULL, &other) == 0 && other.rlim_cur == 777, "prlimit64 reads the child's limit (%lu)",
        (unsigned long)other.rlim_cur);
    struct rlimit set = { 555, current.rlim_max };
    ok(prlimit(pid, RLIMIT_NOFILE, &set, NULL) == 0 && prlimit(pid, RLIMIT_NOFILE, NULL, &other) == 0 && other.rlim_cur == 555,
        "prlimit64 sets it (%lu)", (unsigned long)other.rlim_cur);
    (void)write(fds[1], "x", 1);
    int status = -1;
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork child inherits the limits (%s)", describe_wait_status(status));
    close(fds[0]);
    close(fds[1]);
    close(seen_pipe[0]);
    close(seen_pipe[1]);
}

int main(int argc, char** argv)
{
    if (argc == 2 && strcmp(argv[1], "stack-probe") == 0)
        return (int)(recurse(40 * 256) & 0);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        bail("readlink /proc/self/exe (errno=%d)", errno);
    self[n] = '\0';
    basics();
    raise_hard();
    nofile();
    fsize();
    memory_limits();
    stack();
    inheritance();
    return tap_done();
}
