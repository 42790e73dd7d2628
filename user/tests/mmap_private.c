// mmap_private — MAP_PRIVATE file mappings: copy-on-write, the file never changes.
//   - a store through a MAP_PRIVATE mapping is seen through that mapping only: not by
//     pread(), not by a MAP_SHARED mapping of the same file, and after munmap and close,
//     reopening and reading the file gives exactly what was written with write()/MAP_SHARED;
//   - a page of a private mapping that was only read (not yet copied) follows the file:
//     a MAP_SHARED store by another process and a pwrite() both show through it (Linux
//     semantics: a private page is the page-cache page until it is written);
//   - once written (copied), later changes to the file do not show in that page;
//   - fork with a private file mapping: the child's stores (to a page the parent already
//     copied and to a page still shared with the file) are invisible to the parent, and the
//     child sees the parent's private copy.
// disk: 16
// args: @DIR@
#include "file_util.h"

#define PAGES 4
#define SEED 23

static unsigned char expected[PAGES * PAGE]; // what the file must hold

static void expect_write(size_t offset, const char* text)
{
    memcpy(expected + offset, text, strlen(text));
}

int main(int argc, char** argv)
{
    tap_plan(12);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "private");
    int fd = make_pattern_file(path, PAGES * PAGE, SEED);
    if (!ok(fd >= 0, "create a %d-byte pattern file (errno=%d)", PAGES * PAGE, errno))
        bail("cannot create the test file");
    for (size_t i = 0; i < sizeof expected; ++i)
        expected[i] = pattern_byte(SEED, i);

    volatile unsigned char* sh = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    volatile unsigned char* pr = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (sh == MAP_FAILED || pr == MAP_FAILED)
        bail("mmap MAP_SHARED / MAP_PRIVATE of the file failed (errno=%d)", errno);
    long bad = pattern_mismatch(pr, PAGES * PAGE, SEED, 0);
    ok(bad < 0, "the MAP_PRIVATE mapping reads the file (first difference at %ld)", bad);

    // Private pages that were read but not written follow the file.
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int cfd = open(path, O_RDWR);
        volatile unsigned char* q = cfd >= 0 ? mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0) : MAP_FAILED;
        if (q == MAP_FAILED)
            _exit(2);
        memcpy((void*)(q + PAGE + 16), "SHARED-BY-OTHER", 15);
        _exit(0);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    expect_write(PAGE + 16, "SHARED-BY-OTHER");
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0
            && memcmp((const void*)(pr + PAGE + 16), "SHARED-BY-OTHER", 15) == 0,
        "another process's MAP_SHARED store shows through a private page not yet written (%s)",
        describe_wait_status(status));
    ssize_t n = pwrite(fd, "PWRITE-BEFORE-COPY", 18, 2 * PAGE + 40);
    expect_write(2 * PAGE + 40, "PWRITE-BEFORE-COPY");
    ok(n == 18 && memcmp((const void*)(pr + 2 * PAGE + 40), "PWRITE-BEFORE-COPY", 18) == 0,
        "a pwrite() shows through a private page not yet written (n=%zd)", n);

    // A private store: only this mapping sees it.
    memcpy((void*)(pr + 100), "PRIVATE-STORE", 13);
    char buf[32] = { 0 };
    ssize_t m = pread(fd, buf, 13, 100);
    ok(memcmp((const void*)(pr + 100), "PRIVATE-STORE", 13) == 0 && m == 13 && memcmp(buf, expected + 100, 13) == 0,
        "a MAP_PRIVATE store reads back in the mapping but pread() still gives the file's bytes (m=%zd)", m);
    ok(memcmp((const void*)(sh + 100), expected + 100, 13) == 0 && pattern_mismatch(pr + 113, PAGE - 113, SEED, 113) < 0,
        "the MAP_SHARED mapping does not see it; the rest of the private page is the file's");

    // After the copy, later changes to that file page do not show in it.
    memcpy((void*)(sh + 200), "SHARED-AFTER-COPY", 17);
    expect_write(200, "SHARED-AFTER-COPY");
    n = pwrite(fd, "PW-AFTER-COPY", 13, 300);
    expect_write(300, "PW-AFTER-COPY");
    ok(n == 13 && pattern_mismatch(pr + 200, 17, SEED, 200) < 0 && pattern_mismatch(pr + 300, 13, SEED, 300) < 0,
        "after the private copy, MAP_SHARED stores and pwrite() to that page do not show in it");

    // fork with the private mapping: the child's stores stay in the child.
    volatile unsigned char* pr2 = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (pr2 == MAP_FAILED)
        bail("second MAP_PRIVATE mapping failed (errno=%d)", errno);
    memcpy((void*)(pr2 + 3 * PAGE), "PARENT-COPY", 11);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int seen = memcmp((const void*)(pr2 + 3 * PAGE), "PARENT-COPY", 11) == 0;
        memcpy((void*)(pr2 + 3 * PAGE), "CHILD-WRITE", 11);
        memcpy((void*)(pr2 + 2 * PAGE), "CHILD-WRITE", 11); // a page the parent never wrote
        _exit(seen ? 0 : 4);
    }
    status = -1;
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "the forked child sees the parent's private copy in its inherited mapping (%s; 4 = not seen)",
        describe_wait_status(status));
    ok(memcmp((const void*)(pr2 + 3 * PAGE), "PARENT-COPY", 11) == 0
            && memcmp((const void*)(pr2 + 2 * PAGE), expected + 2 * PAGE, 11) == 0,
        "the child's private stores are invisible to the parent");
    ok(memcmp((const void*)(sh + 2 * PAGE), expected + 2 * PAGE, 11) == 0
            && memcmp((const void*)(sh + 3 * PAGE), expected + 3 * PAGE, 11) == 0,
        "and invisible in the MAP_SHARED mapping");

    // The file holds exactly what was written with write()/MAP_SHARED, nothing private.
    int r1 = munmap((void*)pr, PAGES * PAGE), r2 = munmap((void*)pr2, PAGES * PAGE), r3 = munmap((void*)sh, PAGES * PAGE);
    int r4 = close(fd);
    ok(r1 == 0 && r2 == 0 && r3 == 0 && r4 == 0, "munmap all three mappings and close (%d %d %d %d)", r1, r2, r3, r4);
    static unsigned char back[PAGES * PAGE + 1];
    fd = open(path, O_RDONLY);
    m = fd >= 0 ? read_full(fd, back, sizeof back) : -1;
    long diff = -1;
    for (size_t i = 0; m == (ssize_t)sizeof expected && i < sizeof expected && diff < 0; ++i) {
        if (back[i] != expected[i])
            diff = (long)i;
    }
    ok(m == (ssize_t)sizeof expected && diff < 0,
        "reopened, the file holds only the write()/MAP_SHARED changes, its size unchanged (read %zd, first difference at %ld)",
        m, diff);
    if (fd >= 0)
        close(fd);
    unlink(path);
    return tap_done();
}
