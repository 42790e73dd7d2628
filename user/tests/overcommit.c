// overcommit — Linux's overcommit heuristic (vm.overcommit_memory = 0): memory is promised
// lazily, but one request for more than the machine has at all (MemTotal + SwapTotal) fails
// with ENOMEM at once. "Big" below is twice that; "half" is half of MemTotal.
//   - mmap MAP_PRIVATE|MAP_ANONYMOUS read-write of big (and of 64 TiB) → ENOMEM; with
//     MAP_NORESERVE, or read-only, or PROT_NONE, it succeeds (nothing is charged);
//   - MAP_SHARED|MAP_ANONYMOUS of big → ENOMEM, with MAP_NORESERVE it succeeds;
//   - a private writable mapping of a file, big → ENOMEM; read-only it succeeds;
//   - half of memory, private read-write, succeeds (and is not touched);
//   - brk growing by big fails (the break stays), growing by a quarter of memory works;
//   - a copy of this program whose last PT_LOAD has 127 TiB of bss (and one with big bss)
//     is killed by SIGSEGV in execve (past Linux's point of no return), while the same copy
//     unpatched runs and exits 42.
// On a Linux host whose /proc/sys/vm/overcommit_memory is not 0 the heuristic checks are
// skipped; Pagoda has no such file and always uses the heuristic.
#include "proc_util.h"
#include "tap.h"

#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE 4096UL
#define TIB (1UL << 40)

static const char* skip_reason; // non-null: the host does not use the heuristic
static char image[4 << 20]; // this program's file, to patch
static long image_size;

// "Name:  N kB" from /proc/meminfo, in bytes; 0 if absent.
static unsigned long meminfo_bytes(const char* name)
{
    static char text[8192];
    if (read_whole_file("/proc/meminfo", text, sizeof text) < 0)
        return 0;
    char* line = strstr(text, name);
    return line ? strtoul(line + strlen(name) + 1, NULL, 10) * 1024 : 0;
}

static void expect_mmap(const char* what, unsigned long length, int prot, int flags, int fd, int expected)
{
    long r = syscall(SYS_mmap, 0, length, prot, flags, fd, 0);
    int e = r == -1 ? errno : 0;
    if (r != -1)
        munmap((void*)r, length);
    if (skip_reason) {
        skip(skip_reason, "%s", what);
        return;
    }
    if (expected)
        ok(r == -1 && e == expected, "%s: fails with errno %d (r=%lx errno=%d)", what, expected, (unsigned long)r, e);
    else
        ok(r != -1, "%s: succeeds (errno=%d)", what, e);
}

// Runs a copy of this program (argument "ran") whose last PT_LOAD has memsz `memsz` (0 =
// unchanged); returns the wait status.
static int run_copy(const char* path, unsigned long memsz)
{
    Elf64_Ehdr* header = (Elf64_Ehdr*)image;
    Elf64_Phdr* ph = (Elf64_Phdr*)(image + header->e_phoff);
    int last = -1;
    for (int i = 0; i < header->e_phnum; ++i)
        if (ph[i].p_type == PT_LOAD)
            last = i;
    if (last < 0)
        return -1;
    Elf64_Phdr saved = ph[last];
    if (memsz)
        ph[last].p_memsz = memsz;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    int written = fd >= 0 && write_all(fd, image, (size_t)image_size) == 0;
    if (fd >= 0 && close(fd) != 0)
        written = 0;
    ph[last] = saved;
    if (!written)
        return -1;
    pid_t child = fork();
    if (child == 0) {
        char* argv[] = { (char*)path, "ran", NULL };
        char* envp[] = { NULL };
        execve(path, argv, envp);
        _exit(99); // execve returned: not what Linux does
    }
    int status = -1;
    if (child > 0)
        waitpid(child, &status, 0);
    unlink(path);
    return status;
}

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "ran") == 0)
        return 42;
    char mode[16] = "";
    if (read_whole_file("/proc/sys/vm/overcommit_memory", mode, sizeof mode) > 0 && mode[0] != '0')
        skip_reason = "the host's vm.overcommit_memory is not 0";
    unsigned long total = meminfo_bytes("MemTotal:");
    if (!ok(total > 0, "MemTotal from /proc/meminfo: %lu MiB", total >> 20))
        return tap_done();
    unsigned long everything = total + meminfo_bytes("SwapTotal:");
    unsigned long big = (2 * everything + PAGE - 1) & ~(PAGE - 1), half = (total / 2) & ~(PAGE - 1);
    diag("all memory (MemTotal + SwapTotal) %lu MiB; big = %lu MiB", everything >> 20, big >> 20);

    int anon_private = MAP_PRIVATE | MAP_ANONYMOUS, anon_shared = MAP_SHARED | MAP_ANONYMOUS;
    expect_mmap("private read-write anonymous mmap of big", big, PROT_READ | PROT_WRITE, anon_private, -1, ENOMEM);
    expect_mmap("private read-write anonymous mmap of 64 TiB", 64 * TIB, PROT_READ | PROT_WRITE, anon_private, -1, ENOMEM);
    expect_mmap("the same with MAP_NORESERVE", big, PROT_READ | PROT_WRITE, anon_private | MAP_NORESERVE, -1, 0);
    expect_mmap("private read-only anonymous mmap of big", big, PROT_READ, anon_private, -1, 0);
    expect_mmap("private PROT_NONE anonymous mmap of big", big, PROT_NONE, anon_private, -1, 0);
    expect_mmap("shared read-write anonymous mmap of big", big, PROT_READ | PROT_WRITE, anon_shared, -1, ENOMEM);
    expect_mmap("shared anonymous mmap of big with MAP_NORESERVE", big, PROT_READ | PROT_WRITE, anon_shared | MAP_NORESERVE,
        -1, 0);
    expect_mmap("private read-write anonymous mmap of half of memory", half, PROT_READ | PROT_WRITE, anon_private, -1, 0);
    errno = 0;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ok(fd >= 0, "open /proc/self/exe (errno=%d)", errno);
    expect_mmap("private writable mmap of a file, big", big, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, ENOMEM);
    expect_mmap("private read-only mmap of a file, big", big, PROT_READ, MAP_PRIVATE, fd, 0);

    unsigned long start = (unsigned long)syscall(SYS_brk, 0);
    unsigned long r = (unsigned long)syscall(SYS_brk, start + big);
    if (skip_reason)
        skip(skip_reason, "brk growing by big fails");
    else
        ok(r == start, "brk growing by big fails: the break stays at %#lx (got %#lx)", start, r);
    unsigned long quarter = (total / 4) & ~(PAGE - 1);
    r = (unsigned long)syscall(SYS_brk, start + quarter);
    ok(r == start + quarter, "brk growing by a quarter of memory works (got %#lx, wanted %#lx)", r, start + quarter);
    r = (unsigned long)syscall(SYS_brk, start);
    ok(r == start, "brk back to the start (got %#lx)", r);

    image_size = read(fd, image, sizeof image);
    close(fd);
    if (!ok(image_size > 0 && image_size < (long)sizeof image, "read this program's file (%ld bytes)", image_size))
        return tap_done();
    char path[64];
    snprintf(path, sizeof path, "/tmp/overcommit-bss.%d", (int)getpid());
    int status = run_copy(path, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 42, "the unpatched copy runs and exits 42 (%s)", describe_wait_status(status));
    status = run_copy(path, 127 * TIB);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "a copy with 127 TiB of bss is killed by SIGSEGV in execve (%s)",
        describe_wait_status(status));
    status = run_copy(path, big);
    if (skip_reason)
        skip(skip_reason, "a copy with big bss is killed by SIGSEGV");
    else
        ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "a copy with big bss (%lu MiB) is killed by SIGSEGV (%s)",
            big >> 20, describe_wait_status(status));
    return tap_done();
}
