// mmap_fork_shared — fork() keeps shared mappings shared (no copy-on-write for them).
// A MAP_SHARED file mapping (2 pages) and a MAP_SHARED|MAP_ANONYMOUS area (2 pages) are
// written by the parent and inherited by a forked child: the child sees the parent's
// values; the child's stores are seen by the parent while the child is still alive
// (ordered with pipes) and after it exited; the parent's later stores are seen by the
// child; the child's store to the file mapping is in the file (pread). For contrast, the
// same sequence on a MAP_PRIVATE|MAP_ANONYMOUS page stays private in both directions.
// disk: 16
// args: @DIR@
#include "file_util.h"

#define SEED 31

struct areas {
    volatile unsigned char* file; // MAP_SHARED of the file
    volatile unsigned char* anon; // MAP_SHARED|MAP_ANONYMOUS
    volatile unsigned char* priv; // MAP_PRIVATE|MAP_ANONYMOUS
};

int main(int argc, char** argv)
{
    tap_plan(9);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "fork_shared");
    int fd = make_pattern_file(path, 2 * PAGE, SEED);
    if (!ok(fd >= 0, "create a 2-page pattern file (errno=%d)", errno))
        bail("cannot create the test file");
    struct areas a;
    a.file = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    a.anon = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    a.priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a.file == MAP_FAILED || a.anon == MAP_FAILED || a.priv == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);
    ok(all_zero(a.anon, 2 * PAGE) && pattern_mismatch(a.file, 2 * PAGE, SEED, 0) < 0,
        "the shared anonymous area reads as zeroes, the file mapping as the file");
    a.file[10] = 'p';
    a.anon[10] = 'p';
    a.anon[PAGE + 10] = 'p';
    a.priv[10] = 'p';

    int to_child[2], to_parent[2];
    if (pipe(to_child) || pipe(to_parent))
        bail("pipe failed (errno=%d)", errno);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        // Step 1: see the parent's values, store our own.
        int code = 0;
        if (a.file[10] != 'p' || a.anon[10] != 'p' || a.anon[PAGE + 10] != 'p' || a.priv[10] != 'p')
            code |= 1;
        a.file[PAGE + 20] = 'c';
        a.anon[PAGE + 20] = 'c';
        a.priv[20] = 'c';
        write(to_parent[1], "1", 1);
        // Step 2: the parent stored 'P' at offset 30 of each area.
        char ch;
        if (read(to_child[0], &ch, 1) != 1)
            _exit(8);
        if (a.file[30] != 'P' || a.anon[30] != 'P')
            code |= 2;
        if (a.priv[30] != 0)
            code |= 4;
        _exit(code);
    }
    if (pid < 0)
        bail("fork failed (errno=%d)", errno);
    char ch = 0;
    ssize_t got = read(to_parent[0], &ch, 1);
    ok(got == 1 && a.file[PAGE + 20] == 'c', "a store by the living child to the MAP_SHARED file mapping is seen by the parent");
    ok(got == 1 && a.anon[PAGE + 20] == 'c', "a store by the living child to MAP_SHARED|MAP_ANONYMOUS memory is seen by the parent");
    ok(got == 1 && a.priv[20] == 0, "a store by the child to MAP_PRIVATE|MAP_ANONYMOUS memory is not (%#x)", a.priv[20]);
    a.file[30] = 'P';
    a.anon[30] = 'P';
    a.priv[30] = 'P';
    write(to_child[1], "2", 1);
    int status = -1;
    pid_t w = waitpid(pid, &status, 0);
    ok(w == pid && WIFEXITED(status) && (WEXITSTATUS(status) & 1) == 0,
        "the child saw the parent's values from before fork in all three areas (%s; bit 0 = not seen)",
        describe_wait_status(status));
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "the child saw the parent's later stores in the shared areas only (%s; 2 = shared not seen, 4 = private seen, 8 = pipe)",
        describe_wait_status(status));
    ok(a.file[PAGE + 20] == 'c' && a.anon[PAGE + 20] == 'c', "after the child exited its shared stores are still there");
    char buf[2] = { 0 };
    ssize_t m = pread(fd, buf, 1, PAGE + 20);
    ok(m == 1 && buf[0] == 'c', "the child's store through the inherited file mapping is in the file (pread %zd '%c')", m,
        buf[0] ? buf[0] : '?');
    munmap((void*)a.file, 2 * PAGE);
    munmap((void*)a.anon, 2 * PAGE);
    munmap((void*)a.priv, PAGE);
    close(fd);
    unlink(path);
    return tap_done();
}
