// errno_boundaries — error cases where Pagoda and Linux once disagreed, each with Linux's errno.
// Raw syscall() throughout: musl rejects some of these arguments itself.
//   - mmap checks in Linux's order: the offset's alignment first (EINVAL), then the
//     descriptor (EBADF even with a zero length, no MAP_SHARED/PRIVATE, a huge length or
//     MAP_FIXED at an unaligned address), then the rest; unknown PROT_ bits are ignored;
//   - mmap of a file past the largest file size, 2^63 - 1 (a negative offset too) →
//     EOVERFLOW, before EACCES and before the mapping type; just below the limit it works;
//     an anonymous mapping ignores its offset;
//   - futex(FUTEX_WAKE): a shared futex needs memory that can be accessed (unmapped,
//     PROT_NONE → EFAULT), a private one only an address in user space (unmapped → 0;
//     kernel half → EFAULT either way); an unaligned address → EINVAL; a shared one in a
//     file page past the file's end (truncated under its MAP_SHARED mapping) → EFAULT, as
//     the read fault there would be SIGBUS;
//   - wait4(INT_MIN, ...) → ESRCH (there is no process group -INT_MIN), other pids ECHILD;
//   - mkdir of the root and of mount points (/, /tmp, /proc, /dev, also with a trailing
//     slash), symlink and link onto one → EEXIST (mkdir -p relies on it), while rmdir of
//     one stays EBUSY.
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096L
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

static long raw_mmap(unsigned long address, unsigned long length, int prot, int flags, int fd, long offset)
{
    return syscall(SYS_mmap, address, length, prot, flags, fd, offset);
}

// The errno of a raw call that should fail (0 if it succeeded; an mmap that did is unmapped).
static int error_of_mmap(long r, unsigned long length)
{
    if (r != -1) {
        munmap((void*)r, length);
        return 0;
    }
    return errno;
}

static int error_of(long r) { return r == -1 ? errno : 0; }

static long futex_wake(unsigned long address, int private)
{
    return syscall(SYS_futex, address, FUTEX_WAKE | (private ? FUTEX_PRIVATE_FLAG : 0), 1, 0, 0, 0);
}

static void mmap_order(void)
{
    int e;
    e = error_of_mmap(raw_mmap(0, PAGE, PROT_READ, MAP_PRIVATE, -1, 100), PAGE);
    ok(e == EINVAL, "mmap(fd -1, offset 100): EINVAL, the offset is checked first (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, 0, PROT_READ, MAP_PRIVATE, -1, 0), 0);
    ok(e == EBADF, "mmap(fd -1, length 0): EBADF before the length (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, PAGE, PROT_READ, 0, -1, 0), PAGE);
    ok(e == EBADF, "mmap(fd -1, neither SHARED nor PRIVATE): EBADF before the type (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, 1UL << 62, PROT_READ, MAP_PRIVATE, -1, 0), 1UL << 62);
    ok(e == EBADF, "mmap(fd -1, 2^62 bytes): EBADF before ENOMEM (errno=%d)", e);
    e = error_of_mmap(raw_mmap(1, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, -1, 0), PAGE);
    ok(e == EBADF, "mmap(fd -1, MAP_FIXED at address 1): EBADF before EINVAL (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 0);
    ok(e == EINVAL, "anonymous mmap of length 0: EINVAL (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), PAGE);
    ok(e == EINVAL, "anonymous mmap without SHARED/PRIVATE: EINVAL (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, 1UL << 62, PROT_READ, MAP_ANONYMOUS, -1, 0), 1UL << 62);
    ok(e == ENOMEM, "anonymous mmap of 2^62 bytes without a type: ENOMEM, the length before the type (errno=%d)", e);
    long r = raw_mmap(0, PAGE, PROT_READ | 0x100, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    e = error_of_mmap(r, PAGE);
    ok(r != -1, "mmap with an unknown PROT_ bit (0x100) succeeds, as Linux ignores it (errno=%d)", e);
    r = raw_mmap(0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, -PAGE);
    e = error_of_mmap(r, PAGE);
    ok(r != -1, "anonymous mmap ignores its offset (a negative one: errno=%d)", e);
}

static void mmap_offsets(void)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    if (!ok(fd >= 0, "open /proc/self/exe (errno=%d)", errno))
        return;
    int e;
    e = error_of_mmap(raw_mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0x7ffffffffffff000L), PAGE);
    ok(e == EOVERFLOW, "file mmap at offset 2^63 - 4096 (reaches 2^63): EOVERFLOW (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0x7fffffffffffe000L), 2 * PAGE);
    ok(e == EOVERFLOW, "file mmap of 2 pages at 2^63 - 8192: EOVERFLOW (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, PAGE + 1, PROT_READ, MAP_PRIVATE, fd, 0x7fffffffffffe000L), PAGE + 1);
    ok(e == EOVERFLOW, "file mmap of 4097 bytes at 2^63 - 8192 (rounded up to 2 pages): EOVERFLOW (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, -PAGE), PAGE);
    ok(e == EOVERFLOW, "file mmap at offset -4096 (2^64 - 4096): EOVERFLOW (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, -PAGE), PAGE);
    ok(e == EOVERFLOW, "shared writable mmap of a read-only fd at offset -4096: EOVERFLOW before EACCES (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, PAGE, PROT_READ, 0, fd, -PAGE), PAGE);
    ok(e == EOVERFLOW, "file mmap without a type at offset -4096: EOVERFLOW before EINVAL (errno=%d)", e);
    e = error_of_mmap(raw_mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), PAGE);
    ok(e == EACCES, "shared writable mmap of a read-only fd at offset 0: EACCES (errno=%d)", e);
    close(fd);
}

static void futexes(void)
{
    // An address with nothing mapped: a page just unmapped.
    char* p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!ok(p != MAP_FAILED, "mmap 2 pages (errno=%d)", errno))
        return;
    p[0] = 1;
    munmap(p + PAGE, PAGE);
    unsigned long unmapped = (unsigned long)(p + PAGE), mapped = (unsigned long)p;
    long r;
    int e;
    r = futex_wake(unmapped, 0);
    e = error_of(r);
    ok(r == -1 && e == EFAULT, "FUTEX_WAKE (shared) on an unmapped address: EFAULT (r=%ld errno=%d)", r, e);
    r = futex_wake(unmapped, 1);
    e = error_of(r);
    ok(r == 0, "FUTEX_WAKE|FUTEX_PRIVATE_FLAG on an unmapped address: 0, the key is only the address (r=%ld errno=%d)",
        r, e);
    r = futex_wake(0xffffffff80000000UL, 1);
    e = error_of(r);
    ok(r == -1 && e == EFAULT, "private FUTEX_WAKE on a kernel address: EFAULT (r=%ld errno=%d)", r, e);
    r = futex_wake(0xffffffff80000000UL, 0);
    e = error_of(r);
    ok(r == -1 && e == EFAULT, "shared FUTEX_WAKE on a kernel address: EFAULT (r=%ld errno=%d)", r, e);
    r = futex_wake(mapped, 0);
    e = error_of(r);
    ok(r == 0, "shared FUTEX_WAKE on a written private page: 0 (r=%ld errno=%d)", r, e);
    r = futex_wake(mapped + 1, 1);
    e = error_of(r);
    ok(r == -1 && e == EINVAL, "FUTEX_WAKE on an unaligned address: EINVAL (r=%ld errno=%d)", r, e);
    mprotect(p, PAGE, PROT_NONE);
    r = futex_wake(mapped, 0);
    e = error_of(r);
    ok(r == -1 && e == EFAULT, "shared FUTEX_WAKE on a PROT_NONE page: EFAULT (r=%ld errno=%d)", r, e);
    r = futex_wake(mapped, 1);
    e = error_of(r);
    ok(r == 0, "private FUTEX_WAKE on a PROT_NONE page: 0 (r=%ld errno=%d)", r, e);
    munmap(p, PAGE);

    char path[64];
    snprintf(path, sizeof path, "/tmp/errno_boundaries.%d", getpid());
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
    char* file = NULL;
    if (fd >= 0 && ftruncate(fd, PAGE) == 0)
        file = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!ok(file && file != MAP_FAILED && ftruncate(fd, 0) == 0, "a MAP_SHARED file page, then the file truncated to 0"))
        return;
    close(fd);
    unlink(path);
    r = futex_wake((unsigned long)file, 0);
    e = error_of(r);
    ok(r == -1 && e == EFAULT, "shared FUTEX_WAKE on a file page past the file's end: EFAULT (r=%ld errno=%d)", r, e);
    munmap(file, PAGE);
}

static void waits(void)
{
    long r = syscall(SYS_wait4, INT_MIN, 0, 0, 0);
    int e = error_of(r);
    ok(r == -1 && e == ESRCH, "wait4(INT_MIN): ESRCH (r=%ld errno=%d)", r, e);
    r = syscall(SYS_wait4, INT_MIN, 0, 1 /* WNOHANG */, 0);
    e = error_of(r);
    ok(r == -1 && e == ESRCH, "wait4(INT_MIN, WNOHANG): ESRCH (r=%ld errno=%d)", r, e);
    r = syscall(SYS_wait4, -1, 0, 0, 0);
    e = error_of(r);
    ok(r == -1 && e == ECHILD, "wait4(-1) without children: ECHILD (r=%ld errno=%d)", r, e);
    r = syscall(SYS_wait4, INT_MIN + 1, 0, 0, 0);
    e = error_of(r);
    ok(r == -1 && e == ECHILD, "wait4(INT_MIN + 1) without children: ECHILD (r=%ld errno=%d)", r, e);
}

static void mount_points(void)
{
    static const char* const names[] = { "/", "/tmp", "/proc", "/dev", "/tmp/", "//" };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; ++i) {
        long r = syscall(SYS_mkdir, names[i], 0755);
        int e = error_of(r);
        ok(r == -1 && e == EEXIST, "mkdir(\"%s\"): EEXIST (r=%ld errno=%d)", names[i], r, e);
    }
    long r = syscall(SYS_mkdirat, AT_FDCWD, "/tmp", 0755);
    int e = error_of(r);
    ok(r == -1 && e == EEXIST, "mkdirat(AT_FDCWD, \"/tmp\"): EEXIST (r=%ld errno=%d)", r, e);
    r = syscall(SYS_symlink, "x", "/tmp");
    e = error_of(r);
    ok(r == -1 && e == EEXIST, "symlink onto /tmp: EEXIST (r=%ld errno=%d)", r, e);
    r = syscall(SYS_link, "/proc/self/exe", "/tmp");
    e = error_of(r);
    ok(r == -1 && e == EEXIST, "link onto /tmp: EEXIST (r=%ld errno=%d)", r, e);
    r = syscall(SYS_rmdir, "/proc");
    e = error_of(r);
    ok(r == -1 && e == EBUSY, "rmdir(\"/proc\"), a mount point: EBUSY (r=%ld errno=%d)", r, e);
}

int main(void)
{
    mmap_order();
    mmap_offsets();
    futexes();
    waits();
    mount_points();
    return tap_done();
}
