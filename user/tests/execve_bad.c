// execve_bad — execve() of files that are not runnable programs fails with Linux's errno,
// and the caller goes on with its memory intact.
// Files are created in /tmp (on Pagoda an in-memory filesystem) with pid-unique names
// using open/write/close/chmod, and unlinked at the end:
//   truncated ELF (the first 32 bytes of /proc/self/exe, mode 755)      -> ENOEXEC
//   a copy of /proc/self/exe with e_machine = 3 (i386), mode 755         -> ENOEXEC
//   a text file without "#!", mode 755                                   -> ENOEXEC
//   an empty file, mode 755                                              -> ENOEXEC
//   a copy of /proc/self/exe without execute permission (mode 644)       -> EACCES
//   a path that does not exist                                           -> ENOENT
//   a directory (/tmp)                                                   -> EACCES
// After each failure a global, a heap buffer and a stack buffer still hold their values.
#include "proc_util.h"
#include "tap.h"

#include <elf.h>
#include <stddef.h>
#include <stdlib.h>

extern char** environ;

static volatile long canary = 0x0badc0ffee0ddf00L;
static char* heap;
static char names[8][64];

static void patch_machine(char* chunk, size_t len, long offset)
{
    long field = (long)offsetof(Elf64_Ehdr, e_machine);
    if (offset <= field && field + 2 <= offset + (long)len) {
        chunk[field - offset] = 3; // EM_386, little-endian
        chunk[field - offset + 1] = 0;
    }
}

static int intact(const volatile char* stack, size_t n)
{
    int good = canary == 0x0badc0ffee0ddf00L;
    for (size_t i = 0; i < 50000; ++i)
        good &= heap[i] == (char)(i * 3 + 1);
    for (size_t i = 0; i < n; ++i)
        good &= stack[i] == (char)(i ^ 0x5a);
    return good;
}

static int make_file(const char* path, const void* data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    int r = len ? write_all(fd, data, len) : 0;
    if (close(fd) < 0)
        r = -1;
    if (r == 0)
        r = chmod(path, mode);
    return r;
}

int main(int argc, char** argv)
{
    if (argc >= 2 && strcmp(argv[1], "ran") == 0) {
        printf("not ok - a bad image was executed\n");
        return 1;
    }
    tap_plan(16);
    heap = malloc(50000);
    volatile char stack[2000];
    if (!heap)
        bail("malloc failed");
    for (size_t i = 0; i < 50000; ++i)
        heap[i] = (char)(i * 3 + 1);
    for (size_t i = 0; i < sizeof stack; ++i)
        stack[i] = (char)(i ^ 0x5a);

    pid_t me = getpid();
    static const char* const kinds[] = { "truncated", "machine", "text", "empty", "noexec" };
    for (int i = 0; i < 5; ++i)
        snprintf(names[i], sizeof names[i], "/tmp/execve_bad.%d.%s", (int)me, kinds[i]);

    char header[32];
    int fd = open("/proc/self/exe", O_RDONLY);
    ssize_t got = fd >= 0 ? read_full(fd, header, sizeof header) : -1;
    if (fd >= 0)
        close(fd);
    static const char text[] = "echo this is not a program\n";
    int made = got == 32 && make_file(names[0], header, 32, 0755) == 0;
    made = made && copy_file("/proc/self/exe", names[1], 0600, patch_machine) > 0 && chmod(names[1], 0755) == 0;
    made = made && make_file(names[2], text, sizeof text - 1, 0755) == 0;
    made = made && make_file(names[3], "", 0, 0755) == 0;
    made = made && copy_file("/proc/self/exe", names[4], 0600, NULL) > 0 && chmod(names[4], 0644) == 0;
    if (!ok(made, "create the bad images in /tmp (errno=%d)", errno))
        bail("cannot create test files");

    struct {
        const char* path;
        int expected;
        const char* what;
    } cases[] = {
        { names[0], ENOEXEC, "a truncated ELF (32 bytes)" },
        { names[1], ENOEXEC, "an ELF for the wrong machine (i386)" },
        { names[2], ENOEXEC, "a text file without #!" },
        { names[3], ENOEXEC, "an empty file" },
        { names[4], EACCES, "a file without execute permission" },
        { "/tmp/execve_bad.does-not-exist", ENOENT, "a nonexistent path" },
        { "/tmp", EACCES, "a directory" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char* exec_argv[] = { argv[0], "ran", NULL };
        errno = 0;
        int r = execve(cases[i].path, exec_argv, environ);
        int e = errno;
        ok(r == -1 && e == cases[i].expected, "execve of %s fails with %s (r=%d errno=%d, expected %d)", cases[i].what,
            cases[i].expected == ENOEXEC ? "ENOEXEC" : cases[i].expected == EACCES ? "EACCES" : "ENOENT", r, e,
            cases[i].expected);
        ok(intact(stack, sizeof stack), "memory intact after the failed execve of %s", cases[i].what);
    }

    int removed = 1;
    errno = 0;
    for (int i = 0; i < 5; ++i)
        removed &= unlink(names[i]) == 0;
    ok(removed, "unlink the test files (errno=%d)", errno);
    return tap_done();
}
