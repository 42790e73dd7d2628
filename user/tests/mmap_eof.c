// mmap_eof — a file mapping that reaches past the end of the file.
// A 5000-byte file mapped 3 pages (12288 bytes), MAP_SHARED read/write:
//   - bytes 0..4999 are the file's, bytes 5000..8191 (the rest of the page holding the end
//     of file) read as zero;
//   - touching the third page (wholly past the end of file) raises SIGBUS: a forked child
//     reading it and one writing it both die by SIGBUS (no handler installed); the same for
//     a MAP_PRIVATE mapping;
//   - a store into the tail of page 2 (offset 6000) through the mapping does not grow the
//     file: stat size still 5000, also after msync, and pread at 5000 returns 0 (EOF);
//   - the parent is intact after its children died.
// disk: 16
// args: @DIR@
#include "file_util.h"

#define SIZE 5000
#define SEED 47

int main(int argc, char** argv)
{
    tap_plan(11);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "eof");
    int fd = make_pattern_file(path, SIZE, SEED);
    if (!ok(fd >= 0, "create a %d-byte pattern file (errno=%d)", SIZE, errno))
        bail("cannot create the test file");
    volatile unsigned char* p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    volatile unsigned char* q = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (!ok(p != MAP_FAILED && q != MAP_FAILED, "mmap 3 pages of a %d-byte file, MAP_SHARED and MAP_PRIVATE (errno=%d)",
            SIZE, errno))
        bail("mmap failed");
    long bad = pattern_mismatch(p, SIZE, SEED, 0);
    ok(bad < 0, "bytes 0..%d are the file's (first difference at %ld)", SIZE - 1, bad);
    ok(all_zero(p + SIZE, 2 * PAGE - SIZE), "bytes %d..%d (the rest of the last file page) read as zero", SIZE, 2 * PAGE - 1);
    ok(pattern_mismatch(q, SIZE, SEED, 0) < 0 && all_zero(q + SIZE, 2 * PAGE - SIZE),
        "the MAP_PRIVATE mapping reads the same: the file, then zeroes");

    int st = status_of_child(child_read_byte, (void*)(p + 2 * PAGE));
    ok(killed_by(st, SIGBUS), "reading the page wholly past the end of file kills with SIGBUS (%s)", describe_wait_status(st));
    st = status_of_child(child_write_byte, (void*)(p + 2 * PAGE + 100));
    ok(killed_by(st, SIGBUS), "writing it kills with SIGBUS (%s)", describe_wait_status(st));
    st = status_of_child(child_read_byte, (void*)(q + 2 * PAGE + 8));
    ok(killed_by(st, SIGBUS), "reading it through the MAP_PRIVATE mapping kills with SIGBUS (%s)", describe_wait_status(st));

    p[6000] = 'Z';
    struct stat sb;
    int r = fstat(fd, &sb);
    ok(r == 0 && sb.st_size == SIZE && p[6000] == 'Z',
        "a store at offset 6000 (past EOF, inside the last page) reads back, the size stays %d (size=%lld)", SIZE,
        (long long)sb.st_size);
    int rs = msync((void*)p, 3 * PAGE, MS_SYNC);
    r = stat(path, &sb);
    char c;
    ssize_t n = pread(fd, &c, 1, SIZE);
    ok(rs == 0 && r == 0 && sb.st_size == SIZE && n == 0,
        "after msync(MS_SYNC) the size is still %d and pread at %d gives EOF (msync=%d errno=%d size=%lld pread=%zd)", SIZE,
        SIZE, rs, errno, (long long)sb.st_size, n);
    ok(pattern_mismatch(p, SIZE, SEED, 0) < 0 && pattern_mismatch(q, SIZE, SEED, 0) < 0,
        "the parent's mappings are intact after its children died");
    munmap((void*)p, 3 * PAGE);
    munmap((void*)q, 3 * PAGE);
    close(fd);
    unlink(path);
    return tap_done();
}
