// mprotect_max_prot — what mprotect may grant is decided when the file is mapped (Linux's
// VM_MAYWRITE): a MAP_SHARED mapping of a file opened read-only can never become writable,
// or a process could write a file through memory that write(2) refuses it.
//   - O_RDONLY + MAP_SHARED: mprotect(PROT_READ|PROT_WRITE) → EACCES, the mapping stays
//     read-only (a store is SIGSEGV), the file unchanged; read/exec changes still work;
//   - the limit belongs to the mapping: it holds after close(fd), in a fork child, and over
//     a range that spans the mapping and a writable anonymous one after it (EACCES, and
//     nothing in the range changes);
//   - O_RDONLY + MAP_PRIVATE: mprotect to writable works; stores go to a private copy;
//   - O_RDWR + MAP_SHARED: mprotect to writable works; stores reach the file.
// disk: 8
// args: @DIR@
#include "file_util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char* dir;
static char path[512];

// A two-page pattern file; returns a descriptor opened with `mode`.
static int open_file(int mode)
{
    int fd = make_pattern_file(path, 2 * PAGE, 3);
    if (fd < 0)
        bail("make_pattern_file %s (errno=%d)", path, errno);
    close(fd);
    fd = open(path, mode | O_CLOEXEC);
    if (fd < 0)
        bail("open %s (errno=%d)", path, errno);
    return fd;
}

static int file_byte_is_pattern(size_t offset)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char byte = 0;
    ssize_t n = pread(fd, &byte, 1, (off_t)offset);
    close(fd);
    return n == 1 && byte == pattern_byte(3, offset);
}

static void shared_read_only(void)
{
    int fd = open_file(O_RDONLY);
    unsigned char* p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (!ok(p != MAP_FAILED, "O_RDONLY file: mmap(PROT_READ, MAP_SHARED) (errno=%d)", errno))
        return;
    errno = 0;
    int r = mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE);
    ok(r == -1 && errno == EACCES, "mprotect to PROT_READ|PROT_WRITE: EACCES (r=%d errno=%d)", r, errno);
    ok(killed_by(status_of_child(child_write_byte, p), SIGSEGV), "the mapping stays read-only: a store is SIGSEGV");
    ok(p[5] == pattern_byte(3, 5) && file_byte_is_pattern(0), "the mapping still reads the file, which is unchanged");
    r = mprotect(p, PAGE, PROT_READ | PROT_EXEC);
    ok(r == 0, "mprotect to PROT_READ|PROT_EXEC is allowed (r=%d errno=%d)", r, errno);
    r = mprotect(p, PAGE, PROT_NONE);
    ok(r == 0, "mprotect to PROT_NONE is allowed (r=%d errno=%d)", r, errno);
    ok(killed_by(status_of_child(child_read_byte, p), SIGSEGV), "PROT_NONE took effect: a load is SIGSEGV");
    r = mprotect(p, PAGE, PROT_READ);
    ok(r == 0 && p[1] == pattern_byte(3, 1), "and back to PROT_READ (r=%d errno=%d)", r, errno);

    close(fd);
    errno = 0;
    r = mprotect(p, PAGE, PROT_WRITE);
    ok(r == -1 && errno == EACCES, "after close(fd): still EACCES for PROT_WRITE (r=%d errno=%d)", r, errno);

    pid_t child = fork();
    if (child == 0) {
        errno = 0;
        int e = mprotect(p, PAGE, PROT_READ | PROT_WRITE) == -1 ? errno : 0;
        _exit(e == EACCES ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "in a fork child: EACCES too (status %#x)", status);
    munmap(p, 2 * PAGE);
}

// The file's mapping first, then anonymous memory: Linux walks the range in order and stops
// at the first mapping that refuses, so nothing in the range changes.
static void spanning_range(void)
{
    unsigned char* area = mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!ok(area != MAP_FAILED, "reserve three pages (errno=%d)", errno))
        return;
    int fd = open_file(O_RDONLY);
    unsigned char* file = mmap(area, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
    unsigned char* anon = mmap(area + PAGE, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    close(fd);
    if (!ok(file == area && anon == area + PAGE, "a read-only shared file page, then two anonymous pages"))
        return;
    errno = 0;
    int r = mprotect(area, 3 * PAGE, PROT_READ | PROT_WRITE);
    ok(r == -1 && errno == EACCES, "mprotect over both to writable: EACCES (r=%d errno=%d)", r, errno);
    ok(killed_by(status_of_child(child_write_byte, anon), SIGSEGV), "the anonymous pages did not become writable");
    r = mprotect(anon, 2 * PAGE, PROT_READ | PROT_WRITE);
    ok(r == 0, "mprotect of the anonymous pages alone works (r=%d errno=%d)", r, errno);
    anon[0] = 1;
    munmap(area, 3 * PAGE);
}

static void private_read_only(void)
{
    int fd = open_file(O_RDONLY);
    unsigned char* p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (!ok(p != MAP_FAILED, "O_RDONLY file: mmap(PROT_READ, MAP_PRIVATE) (errno=%d)", errno))
        return;
    int r = mprotect(p, PAGE, PROT_READ | PROT_WRITE);
    ok(r == 0, "MAP_PRIVATE: mprotect to writable works (r=%d errno=%d)", r, errno);
    if (r == 0)
        p[7] = (unsigned char)~pattern_byte(3, 7);
    ok(p[7] == (unsigned char)~pattern_byte(3, 7) && file_byte_is_pattern(7),
        "the store is the process's own: the file is unchanged");
    munmap(p, PAGE);
}

static void shared_read_write(void)
{
    int fd = open_file(O_RDWR);
    unsigned char* p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (!ok(p != MAP_FAILED, "O_RDWR file: mmap(PROT_READ, MAP_SHARED) (errno=%d)", errno))
        return;
    int r = mprotect(p, PAGE, PROT_READ | PROT_WRITE);
    ok(r == 0, "O_RDWR + MAP_SHARED: mprotect to writable works (r=%d errno=%d)", r, errno);
    if (r == 0)
        p[9] = (unsigned char)~pattern_byte(3, 9);
    ok(msync(p, PAGE, MS_SYNC) == 0 && !file_byte_is_pattern(9), "the store reached the file");
    munmap(p, PAGE);
}

int main(int argc, char** argv)
{
    dir = disk_dir(argc, argv);
    file_path(path, sizeof path, dir, "max_prot");
    shared_read_only();
    spanning_range();
    private_read_only();
    shared_read_write();
    unlink(path);
    return tap_done();
}
