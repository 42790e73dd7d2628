// mmap_errors — mmap() of files: the error cases Linux reports, and MAP_POPULATE.
// Raw syscall(SYS_mmap) for the error cases (musl itself rejects some of them before the
// kernel sees them, e.g. an unaligned offset).
//   - EBADF: fd -1 without MAP_ANONYMOUS, and a closed descriptor;
//   - EACCES: PROT_WRITE|MAP_SHARED of an O_RDONLY descriptor (while PROT_READ|MAP_SHARED
//     and PROT_WRITE|MAP_PRIVATE of it succeed); any mapping of an O_WRONLY descriptor;
//   - ENODEV: a pipe, a directory (Linux gives ENODEV for objects without mmap);
//   - EINVAL: length 0, an unaligned file offset, neither MAP_SHARED nor MAP_PRIVATE;
//   - ENOMEM: 2^62 bytes; MAP_FIXED at the top of the user address space;
//   - EEXIST: MAP_FIXED_NOREPLACE over an existing file mapping, which stays intact;
//   - MAP_POPULATE of a file mapping works: the contents are there.
// disk: 16
// args: @DIR@
#include "file_util.h"

#include <sys/syscall.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define SEED 73

static long raw_mmap(void* address, size_t length, int prot, int flags, int fd, long offset)
{
    return syscall(SYS_mmap, address, length, prot, flags, fd, offset);
}

// Does a raw mmap fail with exactly `expected`? (unmaps it if it succeeded)
static int fails_with(long r, size_t length, int expected, int* got)
{
    *got = r == -1 ? errno : 0;
    if (r != -1)
        munmap((void*)r, length);
    return r == -1 && errno == expected;
}

int main(int argc, char** argv)
{
    tap_plan(17);
    const char* dir = disk_dir(argc, argv);
    static char path[512];
    file_path(path, sizeof path, dir, "errors");
    int fd = make_pattern_file(path, 4 * PAGE, SEED);
    if (!ok(fd >= 0, "create a 4-page pattern file (errno=%d)", errno))
        bail("cannot create the test file");
    int e = 0;

    errno = 0;
    ok(fails_with(raw_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), PAGE, EBADF, &e),
        "fd -1 without MAP_ANONYMOUS → EBADF (errno=%d)", e);
    int closed = open(path, O_RDONLY);
    close(closed);
    ok(fails_with(raw_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, closed, 0), PAGE, EBADF, &e),
        "a closed descriptor → EBADF (errno=%d)", e);

    int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
    if (ro < 0 || wo < 0)
        bail("cannot open the file O_RDONLY / O_WRONLY (errno=%d)", errno);
    ok(fails_with(raw_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), PAGE, EACCES, &e),
        "PROT_WRITE|MAP_SHARED of an O_RDONLY descriptor → EACCES (errno=%d)", e);
    long r1 = raw_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
    long r2 = raw_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    int private_ok = r2 != -1;
    if (private_ok) {
        ((volatile unsigned char*)r2)[0] = 0x99; // a private copy: allowed on a read-only file
        private_ok = ((volatile unsigned char*)r2)[0] == 0x99;
    }
    ok(r1 != -1 && private_ok && pattern_mismatch((volatile unsigned char*)r1, PAGE, SEED, 0) < 0,
        "but PROT_READ|MAP_SHARED and a written PROT_WRITE|MAP_PRIVATE of it work (errno=%d)", errno);
    if (r1 != -1)
        munmap((void*)r1, PAGE);
    if (r2 != -1)
        munmap((void*)r2, PAGE);
    ok(fails_with(raw_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wo, 0), PAGE, EACCES, &e),
        "PROT_READ|MAP_SHARED of an O_WRONLY descriptor → EACCES (errno=%d)", e);
    ok(fails_with(raw_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, wo, 0), PAGE, EACCES, &e),
        "MAP_PRIVATE of an O_WRONLY descriptor → EACCES (errno=%d)", e);

    int pfd[2];
    if (pipe(pfd))
        bail("pipe failed (errno=%d)", errno);
    ok(fails_with(raw_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, pfd[0], 0), PAGE, ENODEV, &e),
        "mmap of a pipe → ENODEV (errno=%d)", e);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    ok(dfd >= 0 && fails_with(raw_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dfd, 0), PAGE, ENODEV, &e),
        "mmap of a directory → ENODEV (fd=%d errno=%d)", dfd, e);

    ok(fails_with(raw_mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0), 0, EINVAL, &e), "length 0 → EINVAL (errno=%d)", e);
    ok(fails_with(raw_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 100), PAGE, EINVAL, &e),
        "file offset 100 (unaligned) → EINVAL (errno=%d)", e);
    ok(fails_with(raw_mmap(NULL, PAGE, PROT_READ, 0, fd, 0), PAGE, EINVAL, &e),
        "neither MAP_SHARED nor MAP_PRIVATE → EINVAL (errno=%d)", e);
    ok(fails_with(raw_mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE, fd, 0), (size_t)1 << 62, ENOMEM, &e),
        "a 2^62-byte file mapping → ENOMEM (errno=%d)", e);
    ok(fails_with(raw_mmap((void*)0x7ffffffff000, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0), 2 * PAGE, ENOMEM,
           &e),
        "MAP_FIXED across the top of the user address space → ENOMEM (errno=%d)", e);

    volatile unsigned char* p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    p[PAGE + 1] = 0x77;
    ok(fails_with(raw_mmap((void*)(p + PAGE), PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0), PAGE, EEXIST, &e)
            && p[PAGE + 1] == 0x77 && pattern_mismatch(p + PAGE + 2, PAGE - 2, SEED, PAGE + 2) < 0,
        "MAP_FIXED_NOREPLACE over the file mapping → EEXIST, the mapping intact (errno=%d)", e);

    volatile unsigned char* q = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    ok(q != MAP_FAILED, "MAP_SHARED|MAP_POPULATE of the file (errno=%d)", errno);
    ok(q != MAP_FAILED && q[PAGE + 1] == 0x77 && pattern_mismatch(q, PAGE, SEED, 0) < 0
            && pattern_mismatch(q + 2 * PAGE, 2 * PAGE, SEED, 2 * PAGE) < 0,
        "the populated mapping holds the file (and the other mapping's store)");
    if (q != MAP_FAILED)
        munmap((void*)q, 4 * PAGE);
    munmap((void*)p, 4 * PAGE);
    close(ro);
    close(wo);
    close(pfd[0]);
    close(pfd[1]);
    if (dfd >= 0)
        close(dfd);
    close(fd);
    unlink(path);
    return tap_done();
}
