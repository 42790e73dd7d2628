// mmap_split — munmap and mprotect of the middle page of a 3-page MAP_SHARED file mapping.
//   - munmap of the middle page: the first and third pages keep reading the file's pages 1
//     and 3 (offsets stay right) and stores to them land at the right file offsets (pread);
//     reading the hole kills a forked child with SIGSEGV;
//   - mprotect(PROT_READ) of the middle page of a second mapping: the middle page still
//     reads file page 2, the sides stay writable, a store to the middle kills a child with
//     SIGSEGV; mprotect back to read/write and the store works and reaches the file;
//   - a mapping at file offset 4096 shows file page 2 at its start.
// disk: 16
// args: @DIR@
#include "file_util.h"

#define SEED 59

int main(int argc, char** argv)
{
    tap_plan(11);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "split");
    int fd = make_pattern_file(path, 3 * PAGE, SEED);
    if (!ok(fd >= 0, "create a 3-page pattern file (errno=%d)", errno))
        bail("cannot create the test file");
    volatile unsigned char* p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    p[5] = 1; // fault in all three pages before the split
    p[PAGE + 5] = 2;
    p[2 * PAGE + 5] = 3;
    int r = munmap((void*)(p + PAGE), PAGE);
    ok(r == 0, "munmap the middle page (r=%d errno=%d)", r, errno);
    ok(pattern_mismatch(p + 6, PAGE - 6, SEED, 6) < 0 && p[5] == 1, "the first page still reads file page 1");
    ok(pattern_mismatch(p + 2 * PAGE + 6, PAGE - 6, SEED, 2 * PAGE + 6) < 0 && p[2 * PAGE + 5] == 3,
        "the third page still reads file page 3 (offset kept)");
    memcpy((void*)(p + 100), "LEFT", 4);
    memcpy((void*)(p + 2 * PAGE + 100), "RIGHT", 5);
    char buf[16] = { 0 }, buf2[16] = { 0 }, mid = 0;
    ssize_t a = pread(fd, buf, 4, 100), b = pread(fd, buf2, 5, 2 * PAGE + 100), c = pread(fd, &mid, 1, PAGE + 5);
    ok(a == 4 && b == 5 && c == 1 && memcmp(buf, "LEFT", 4) == 0 && memcmp(buf2, "RIGHT", 5) == 0 && mid == 2,
        "stores to both sides land at file offsets 100 and 8292; the middle page's earlier store is in the file");
    int st = status_of_child(child_read_byte, (void*)(p + PAGE + 1));
    ok(killed_by(st, SIGSEGV), "reading the hole kills a child with SIGSEGV (%s)", describe_wait_status(st));

    volatile unsigned char* q = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (q == MAP_FAILED)
        bail("second mmap failed (errno=%d)", errno);
    r = mprotect((void*)(q + PAGE), PAGE, PROT_READ);
    ok(r == 0 && q[PAGE + 5] == 2 && pattern_mismatch(q + PAGE + 6, PAGE - 6, SEED, PAGE + 6) < 0,
        "mprotect(PROT_READ) of the middle page; it still reads file page 2 (r=%d errno=%d)", r, errno);
    q[200] = 'L';
    q[2 * PAGE + 200] = 'R';
    ok(p[200] == 'L' && p[2 * PAGE + 200] == 'R' && pattern_mismatch(q + 2 * PAGE + 201, PAGE - 201, SEED, 2 * PAGE + 201) < 0,
        "both sides stay writable and hit file pages 1 and 3 (seen through the first mapping)");
    st = status_of_child(child_write_byte, (void*)(q + PAGE + 300));
    ok(killed_by(st, SIGSEGV), "writing the read-only middle page kills a child with SIGSEGV (%s)", describe_wait_status(st));
    r = mprotect((void*)(q + PAGE), PAGE, PROT_READ | PROT_WRITE);
    if (r == 0)
        q[PAGE + 300] = 'M';
    c = pread(fd, &mid, 1, PAGE + 300);
    ok(r == 0 && c == 1 && mid == 'M', "mprotect back to read/write: the store works and reaches the file (r=%d '%c')", r,
        mid ? mid : '?');

    volatile unsigned char* o = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
    ok(o != MAP_FAILED && o[5] == 2 && o[300] == 'M' && pattern_mismatch(o + 6, 294, SEED, PAGE + 6) < 0,
        "a mapping at file offset 4096 starts with file page 2 (errno=%d)", errno);
    munmap((void*)p, 3 * PAGE);
    munmap((void*)q, 3 * PAGE);
    if (o != MAP_FAILED)
        munmap((void*)o, PAGE);
    close(fd);
    unlink(path);
    return tap_done();
}
