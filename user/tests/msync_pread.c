// msync_pread — msync() and madvise(MADV_DONTNEED).
//   - a store through MAP_SHARED, msync(MS_SYNC) → 0, then pread() on a second descriptor
//     shows the bytes; msync(MS_ASYNC), msync(MS_INVALIDATE) and a length that is not a
//     multiple of the page size succeed; fsync() succeeds;
//   - msync errors: an unaligned address → EINVAL, MS_SYNC|MS_ASYNC → EINVAL, an unknown flag
//     bit → EINVAL, a range with nothing mapped → ENOMEM, MS_INVALIDATE over an mlock()ed
//     page → EBUSY;
//   - madvise(MADV_DONTNEED) on private anonymous memory: it reads as zero afterwards and is
//     still writable; on a MAP_SHARED file mapping the data is not lost (it reads back
//     from the file).
// disk: 16
// args: @DIR@
#include "file_util.h"

#include <sys/syscall.h>

#define SEED 67

static long raw_msync(volatile void* address, size_t length, int flags)
{
    return syscall(SYS_msync, address, length, flags);
}

int main(int argc, char** argv)
{
    tap_plan(15);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "msync");
    int fd = make_pattern_file(path, 4 * PAGE, SEED);
    if (!ok(fd >= 0, "create a 4-page pattern file (errno=%d)", errno))
        bail("cannot create the test file");
    volatile unsigned char* p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    memcpy((void*)(p + PAGE + 123), "MSYNC-SYNC-DATA", 15);
    long r = raw_msync(p, 4 * PAGE, MS_SYNC);
    ok(r == 0, "msync(MS_SYNC) of the whole mapping (r=%ld errno=%d)", r, errno);
    int fd2 = open(path, O_RDONLY);
    char buf[32] = { 0 };
    ssize_t n = fd2 >= 0 ? pread(fd2, buf, 15, PAGE + 123) : -1;
    ok(n == 15 && memcmp(buf, "MSYNC-SYNC-DATA", 15) == 0, "pread() on a second descriptor shows the bytes (n=%zd \"%.15s\")",
        n, buf);
    memcpy((void*)(p + 3 * PAGE + 9), "ASYNC", 5);
    r = raw_msync(p + 3 * PAGE, PAGE, MS_ASYNC);
    long r2 = raw_msync(p, 4 * PAGE, MS_INVALIDATE);
    long r3 = raw_msync(p, 100, MS_SYNC);
    memset(buf, 0, sizeof buf);
    n = fd2 >= 0 ? pread(fd2, buf, 5, 3 * PAGE + 9) : -1;
    ok(r == 0 && r2 == 0 && r3 == 0 && n == 5 && memcmp(buf, "ASYNC", 5) == 0,
        "msync(MS_ASYNC), msync(MS_INVALIDATE) and a 100-byte msync(MS_SYNC) succeed (%ld %ld %ld), pread sees the store", r,
        r2, r3);
    int rf = fsync(fd);
    ok(rf == 0, "fsync() of the file (r=%d errno=%d)", rf, errno);

    errno = 0;
    r = raw_msync(p + 1, PAGE, MS_SYNC);
    ok(r == -1 && errno == EINVAL, "msync of an unaligned address fails with EINVAL (r=%ld errno=%d)", r, errno);
    errno = 0;
    r = raw_msync(p, PAGE, MS_SYNC | MS_ASYNC);
    ok(r == -1 && errno == EINVAL, "msync(MS_SYNC|MS_ASYNC) fails with EINVAL (r=%ld errno=%d)", r, errno);
    errno = 0;
    r = raw_msync(p, PAGE, MS_SYNC | 0x100);
    ok(r == -1 && errno == EINVAL, "msync with an unknown flag (0x100) fails with EINVAL (r=%ld errno=%d)", r, errno);
    // MS_INVALIDATE on a locked mapping: Linux may not drop locked pages, so EBUSY.
    int locked = mlock((void*)(p + PAGE), PAGE) == 0;
    errno = 0;
    r = raw_msync(p, 2 * PAGE, MS_INVALIDATE);
    int invalidate_errno = errno;
    long r_sync = raw_msync(p, 2 * PAGE, MS_SYNC);
    munlock((void*)(p + PAGE), PAGE);
    ok(locked && r == -1 && invalidate_errno == EBUSY && r_sync == 0,
        "msync(MS_INVALIDATE) over an mlock()ed page fails with EBUSY; MS_SYNC alone succeeds (r=%ld errno=%d, %ld)", r,
        invalidate_errno, r_sync);
    void* hole = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int unmapped = hole != MAP_FAILED && munmap(hole, 2 * PAGE) == 0;
    errno = 0;
    r = raw_msync(hole, 2 * PAGE, MS_SYNC);
    ok(unmapped && r == -1 && errno == ENOMEM, "msync of a range with nothing mapped fails with ENOMEM (r=%ld errno=%d)", r,
        errno);

    // MADV_DONTNEED on private anonymous memory: zero afterwards.
    volatile unsigned char* a = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED)
        bail("anonymous mmap failed (errno=%d)", errno);
    for (int i = 0; i < 3 * PAGE; i += 64)
        a[i] = 0xEE;
    int rm = madvise((void*)a, 2 * PAGE, MADV_DONTNEED);
    ok(rm == 0, "madvise(MADV_DONTNEED) of 2 of 3 written anonymous pages (r=%d errno=%d)", rm, errno);
    ok(all_zero(a, 2 * PAGE), "those pages read as zero afterwards");
    ok(a[2 * PAGE] == 0xEE && a[3 * PAGE - 64] == 0xEE, "the third page keeps its contents");
    a[PAGE + 7] = 0x42;
    ok(a[PAGE + 7] == 0x42 && a[PAGE + 8] == 0, "a discarded page is writable again");

    // MADV_DONTNEED on a shared file mapping drops only the mapping: the data stays.
    memcpy((void*)(p + 2 * PAGE + 77), "KEPT-BY-FILE", 12);
    rm = madvise((void*)p, 4 * PAGE, MADV_DONTNEED);
    ok(rm == 0 && memcmp((const void*)(p + 2 * PAGE + 77), "KEPT-BY-FILE", 12) == 0
            && memcmp((const void*)(p + PAGE + 123), "MSYNC-SYNC-DATA", 15) == 0
            && pattern_mismatch(p, 123, SEED, 0) < 0,
        "madvise(MADV_DONTNEED) of a MAP_SHARED file mapping loses nothing (r=%d errno=%d)", rm, errno);
    munmap((void*)a, 3 * PAGE);
    munmap((void*)p, 4 * PAGE);
    if (fd2 >= 0)
        close(fd2);
    close(fd);
    unlink(path);
    return tap_done();
}
