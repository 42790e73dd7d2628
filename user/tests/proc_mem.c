// proc_mem — /proc/<pid>/mem, a process's memory at file offset = address, as debuggers use
// it: pread/pwrite of its own memory; writes are forced (Linux's FOLL_FORCE): a PROT_READ
// private anonymous page takes them (its PROT_READ stays: a store still faults), a
// PROT_READ private file mapping takes them in a private copy while the file stays as it
// was; a PROT_READ shared mapping refuses them (EIO), a gap refuses reads (EIO). (Linux
// also reads PROT_NONE pages by force; Pagoda refuses those, not tested here.) Of a fork child (as root): the parent reads the child's pages and writes one of
// them; the child sees the write, the parent's own copy of that page (still shared
// copy-on-write) does not change.
// disk: 16
// args: @DIR@
#include "mem_util.h"

#include <setjmp.h>

#define SEED 4

static int mem_fd(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    return open(path, O_RDWR | O_CLOEXEC);
}

static off_t at(void const volatile* address) { return (off_t)(uintptr_t)address; }

static sigjmp_buf fault_return;
static void on_segv(int signal)
{
    (void)signal;
    siglongjmp(fault_return, 1);
}

int main(int argc, char** argv)
{
    char const* dir = disk_dir(argc, argv);
    tap_plan(10);
    int mem = mem_fd(getpid());
    if (!ok(mem >= 0, "open /proc/self/mem O_RDWR (errno=%d)", mem < 0 ? errno : 0))
        return tap_done();

    static char const text[] = "pagoda remembers";
    char back[sizeof text] = { 0 };
    ok(pread(mem, back, sizeof text, at(text)) == (ssize_t)sizeof text && memcmp(back, text, sizeof text) == 0,
        "pread at a string's address reads the string");

    unsigned char volatile* anon = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int written = pwrite(mem, "xyz", 3, at(anon + PAGE - 1)) == 3; // across the page boundary
    signal(SIGSEGV, on_segv);
    int store_faults = 0;
    if (sigsetjmp(fault_return, 1))
        store_faults = 1;
    else
        anon[0] = 1;
    signal(SIGSEGV, SIG_DFL);
    ok(written && anon[PAGE - 1] == 'x' && anon[PAGE] == 'y' && anon[PAGE + 1] == 'z' && anon[0] == 0 && store_faults,
        "pwrite into a PROT_READ private anonymous mapping (across two pages) is forced; a store there still faults");

    char path[256];
    file_path(path, sizeof path, dir, "pm");
    int made = make_pattern_file(path, 2 * PAGE, SEED);
    close(made);
    int file = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char volatile* private_map = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, file, 0);
    written = pwrite(mem, "QQ", 2, at(private_map + 10)) == 2;
    unsigned char disk[2 * PAGE];
    ssize_t n = pread(file, disk, sizeof disk, 0);
    ok(written && private_map[10] == 'Q' && private_map[11] == 'Q' && private_map[12] == pattern_byte(SEED, 12) && n == 2 * PAGE
            && pattern_mismatch(disk, sizeof disk, SEED, 0) < 0,
        "pwrite into a PROT_READ private file mapping: the mapping shows it, the file does not");
    madvise((void*)private_map, 2 * PAGE, MADV_DONTNEED);
    ok(private_map[10] == pattern_byte(SEED, 10), "after MADV_DONTNEED the mapping shows the file again");

    unsigned char volatile* shared_map = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, file, 0);
    errno = 0;
    n = pwrite(mem, "S", 1, at(shared_map));
    ok(n == -1 && errno == EIO && shared_map[0] == pattern_byte(SEED, 0),
        "pwrite into a PROT_READ shared mapping: EIO (n=%zd errno=%d)", n, errno);

    unsigned char* gap = free_address(1);
    errno = 0;
    n = pread(mem, back, 4, at(gap));
    ok(n == -1 && errno == EIO, "pread of a gap: EIO (n=%zd errno=%d)", n, errno);

    // A fork child's memory, through its own file.
    static unsigned char volatile cow[PAGE] = { 7 };
    cow[1] = 8;
    int go[2], done[2];
    if (pipe(go) || pipe(done))
        bail("pipe failed (errno=%d)", errno);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char c;
        write(done[1], "r", 1);
        read(go[0], &c, 1);
        _exit(cow[0] == 'C' && cow[1] == 8 ? 0 : 1);
    }
    char c;
    read(done[0], &c, 1);
    int child_mem = mem_fd(child);
    unsigned char seen = 0;
    int read_ok = child_mem >= 0 && pread(child_mem, &seen, 1, at(cow)) == 1 && seen == 7;
    int poked = child_mem >= 0 && pwrite(child_mem, "C", 1, at(cow)) == 1;
    write(go[1], "g", 1);
    int status = -1;
    waitpid(child, &status, 0);
    ok(read_ok, "the parent reads a fork child's page through /proc/<child>/mem");
    ok(poked && WIFEXITED(status) && WEXITSTATUS(status) == 0, "its write reaches the child (%s)", describe_wait_status(status));
    ok(cow[0] == 7 && cow[1] == 8, "and not the parent's copy of that copy-on-write page (%d)", cow[0]);
    close(child_mem);
    close(file);
    close(mem);
    return tap_done();
}
