// fault_address_race — a page fault is resolved at the faulting process's own address,
// even when the kernel was busy when it happened. One child keeps the kernel waiting for
// the disk (msync of a shared file mapping, over and over); two other children take page
// faults meanwhile, each in its own region at an address the other never maps. A kernel
// that reads the fault address (CR2) only after waiting for the kernel lock can serve a
// fault at the *other* child's address, killing the child with SIGSEGV at an address it
// never mapped. Every child must exit 0 with its memory intact.
// disk: 32
// args: @DIR@
#include "file_util.h"

#include <stdint.h>
#include <sys/wait.h>

#define REGION_PAGES 64
#define FAULTERS 4
#define FAULT_ROUNDS 200
#define SYNC_ROUNDS 200
#define SYNC_BYTES (4 << 20)

// Faults every page of a region at `where` (an address no other child maps), checks the
// bytes and drops the pages again, FAULT_ROUNDS times.
static int fault_loop(uintptr_t where, unsigned char tag)
{
    char* region = mmap((void*)where, REGION_PAGES * PAGE, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (region == MAP_FAILED)
        return 2;
    for (int round = 0; round < FAULT_ROUNDS; ++round) {
        for (int i = 0; i < REGION_PAGES; ++i)
            region[i * PAGE + (i % 64)] = (char)(tag + i);
        for (int i = 0; i < REGION_PAGES; ++i)
            if (region[i * PAGE + (i % 64)] != (char)(tag + i))
                return 3;
        if (madvise(region, REGION_PAGES * PAGE, MADV_DONTNEED) != 0)
            return 4;
    }
    return 0;
}

// Keeps the disk busy: store into a shared file mapping (made after the fork, so the
// faulting children do not map it), msync(MS_SYNC), repeat.
static int sync_loop(const char* path)
{
    int fd = make_pattern_file(path, SYNC_BYTES, 5);
    if (fd < 0)
        return 2;
    char* map = mmap(NULL, SYNC_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return 3;
    for (int round = 0; round < SYNC_ROUNDS; ++round) {
        for (int i = 0; i < SYNC_BYTES / PAGE; ++i)
            map[i * PAGE] = (char)round;
        if (msync(map, SYNC_BYTES, MS_SYNC) != 0)
            return 4;
    }
    return 0;
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    tap_plan(1 + FAULTERS);
    char path[256];
    file_path(path, sizeof path, dir, "busy");

    pid_t pids[1 + FAULTERS];
    for (int i = 0; i <= FAULTERS; ++i) {
        pids[i] = fork();
        if (pids[i] == 0)
            _exit(i == 0 ? sync_loop(path) : fault_loop(0x100000000000ul * (uintptr_t)i, (unsigned char)(i * 50)));
        if (pids[i] < 0)
            bail("fork failed (errno=%d)", errno);
    }
    for (int i = 0; i <= FAULTERS; ++i) {
        int status = -1;
        waitpid(pids[i], &status, 0);
        if (i == 0)
            ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the msync child finished (%s)", describe_wait_status(status));
        else
            ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                "faulting child %d exits 0: its faults were served at its own addresses (%s)", i, describe_wait_status(status));
    }
    return tap_done();
}
