// mmap_shared_visibility — MAP_SHARED mappings of a file on a real file system are one
// copy of the file's bytes, shared by every process and by read()/write().
//   - two processes (fork, then each opens and maps the file itself, at different
//     addresses) MAP_SHARED the same 4-page file: a store by the parent is seen by the
//     child and a store by the child is seen by the parent (ordered with pipes);
//   - pwrite() through a descriptor is visible in an existing MAP_SHARED mapping at once;
//   - a store through the mapping is visible at once to pread() and to read() on a second,
//     independently opened descriptor;
//   - a mapping made from a descriptor that is then closed keeps working: it reads the file,
//     and its stores reach the file and the other mapping.
// disk: 16
// args: @DIR@
#include "file_util.h"

#define PAGES 4
#define SEED 11

static const char* path;

struct child_report {
    int mapped;
    int saw_parent; // the parent's store was visible in the child's own mapping
    int rest_ok;    // the rest of the child's mapping is the file's pattern
};

int main(int argc, char** argv)
{
    tap_plan(11);
    static char path_buf[512];
    path = file_path(path_buf, sizeof path_buf, disk_dir(argc, argv), "shared_visibility");
    int fd = make_pattern_file(path, PAGES * PAGE, SEED);
    if (!ok(fd >= 0, "create a %d-byte pattern file %s (errno=%d)", PAGES * PAGE, path, errno))
        bail("cannot create the test file");
    volatile unsigned char* p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        bail("mmap MAP_SHARED of the file failed (errno=%d)", errno);
    long bad = pattern_mismatch(p, PAGES * PAGE, SEED, 0);
    ok(bad < 0, "the MAP_SHARED mapping reads the file's contents (first difference at %ld)", bad);

    // --- two processes, each with its own mapping ---
    int to_child[2], to_parent[2];
    if (pipe(to_child) || pipe(to_parent))
        bail("pipe failed (errno=%d)", errno);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct child_report rep = { 0 };
        int cfd = open(path, O_RDWR);
        volatile unsigned char* q
            = cfd >= 0 ? mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0) : MAP_FAILED;
        rep.mapped = q != MAP_FAILED;
        char c;
        if (read(to_child[0], &c, 1) != 1) // the parent has stored "PARENT" at page 1 + 100
            _exit(3);
        if (rep.mapped) {
            rep.saw_parent = memcmp((const void*)(q + PAGE + 100), "PARENT", 6) == 0;
            rep.rest_ok = pattern_mismatch(q, PAGE + 100, SEED, 0) < 0
                && pattern_mismatch(q + 2 * PAGE, 2 * PAGE, SEED, 2 * PAGE) < 0;
            memcpy((void*)(q + 3 * PAGE + 5), "CHILD!", 6);
        }
        write_all(to_parent[1], &rep, sizeof rep);
        _exit(0);
    }
    if (pid < 0)
        bail("fork failed (errno=%d)", errno);
    memcpy((void*)(p + PAGE + 100), "PARENT", 6);
    write(to_child[1], "g", 1);
    struct child_report rep = { 0 };
    ssize_t got = read_full(to_parent[0], &rep, sizeof rep);
    int status = -1;
    waitpid(pid, &status, 0);
    ok(got == (ssize_t)sizeof rep && rep.mapped && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "a forked child opens and maps the same file MAP_SHARED (report %zd bytes, mapped=%d, %s)", got, rep.mapped,
        describe_wait_status(status));
    ok(rep.saw_parent && rep.rest_ok,
        "the parent's store is visible in the child's own mapping, the rest is the file (saw=%d rest=%d)",
        rep.saw_parent, rep.rest_ok);
    ok(memcmp((const void*)(p + 3 * PAGE + 5), "CHILD!", 6) == 0,
        "the child's store is visible in the parent's mapping (\"%.6s\")", (const char*)(p + 3 * PAGE + 5));

    // --- write() through a descriptor -> the mapping, at once ---
    ssize_t n = pwrite(fd, "WRITTEN-BY-PWRITE", 17, 2 * PAGE + 10);
    ok(n == 17 && memcmp((const void*)(p + 2 * PAGE + 10), "WRITTEN-BY-PWRITE", 17) == 0,
        "pwrite() is visible in the existing MAP_SHARED mapping at once (n=%zd)", n);
    int fd_rd = open(path, O_RDONLY);
    off_t o = lseek(fd, PAGE + 3000, SEEK_SET);
    n = write(fd, "WRITE-SYSCALL", 13);
    ok(o == PAGE + 3000 && n == 13 && memcmp((const void*)(p + PAGE + 3000), "WRITE-SYSCALL", 13) == 0,
        "write() after lseek is visible in the mapping at once (n=%zd)", n);

    // --- a store through the mapping -> read()/pread(), at once ---
    memcpy((void*)(p + 3 * PAGE + 4000), "STORED-IN-MAP", 13);
    char buf[32] = { 0 };
    ssize_t m = pread(fd, buf, 13, 3 * PAGE + 4000);
    ok(m == 13 && memcmp(buf, "STORED-IN-MAP", 13) == 0, "pread() on the mapping's descriptor sees a store at once (\"%.13s\")",
        buf);
    memset(buf, 0, sizeof buf);
    o = fd_rd >= 0 ? lseek(fd_rd, 3 * PAGE + 4000, SEEK_SET) : -1;
    m = fd_rd >= 0 ? read(fd_rd, buf, 13) : -1;
    ok(fd_rd >= 0 && m == 13 && memcmp(buf, "STORED-IN-MAP", 13) == 0,
        "read() on a second descriptor opened separately sees the store (fd=%d m=%zd \"%.13s\")", fd_rd, m, buf);

    // --- a mapping whose descriptor was closed ---
    int fd2 = open(path, O_RDWR);
    volatile unsigned char* r
        = fd2 >= 0 ? mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0) : MAP_FAILED;
    int closed = fd2 >= 0 && close(fd2) == 0;
    ok(r != MAP_FAILED && closed && pattern_mismatch(r, PAGE, SEED, 0) < 0
            && memcmp((const void*)(r + 3 * PAGE + 5), "CHILD!", 6) == 0,
        "a mapping made before close(fd) still reads the file after the close (errno=%d)", errno);
    if (r != MAP_FAILED)
        memcpy((void*)(r + 2 * PAGE + 500), "AFTER-CLOSE", 11);
    memset(buf, 0, sizeof buf);
    m = pread(fd, buf, 11, 2 * PAGE + 500);
    ok(r != MAP_FAILED && m == 11 && memcmp(buf, "AFTER-CLOSE", 11) == 0
            && memcmp((const void*)(p + 2 * PAGE + 500), "AFTER-CLOSE", 11) == 0,
        "a store through that mapping reaches the file (pread \"%.11s\") and the other mapping", buf);

    if (r != MAP_FAILED)
        munmap((void*)r, PAGES * PAGE);
    munmap((void*)p, PAGES * PAGE);
    if (fd_rd >= 0)
        close(fd_rd);
    close(fd);
    unlink(path);
    return tap_done();
}
