// fork of a process with a huge, almost untouched mapping: 64 TiB reserved with
// MAP_NORESERVE, three pages written far apart. fork should cost what is mapped, not what
// is reserved (Pagoda's fork steps over absent page tables — speed, for tools/bench, not
// for a test). Checked: each child sees the three pages, its writes stay its own
// (copy-on-write), and on Pagoda every frame comes back after the children exit.
#include "tap.h"
#include "vmstat.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096ul
#define RESERVED (1ul << 46) // 64 TiB

static const size_t offsets[] = { 0, RESERVED / 2 + 12345 * PAGE, RESERVED - PAGE };
#define TOUCHED (sizeof offsets / sizeof offsets[0])

int main(void)
{
    tap_plan(6);
    unsigned char* p = mmap(NULL, RESERVED, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (!ok(p != MAP_FAILED, "mmap of 64 TiB with MAP_NORESERVE"))
        return tap_done();
    for (size_t i = 0; i < TOUCHED; ++i)
        p[offsets[i]] = (unsigned char)(i + 1);

    struct vmstat before, after;
    vmstat_read(&before);
    vmstat_read(&after);
    pid_t warm = fork(); // the kernel's first fork grows its object caches: not counted
    if (warm == 0)
        _exit(0);
    waitpid(warm, NULL, 0);
    vmstat_read(&before);
    int children_ok = 1;
    for (int round = 0; round < 3; ++round) {
        pid_t child = fork();
        if (child == 0) {
            for (size_t i = 0; i < TOUCHED; ++i)
                if (p[offsets[i]] != (unsigned char)(i + 1))
                    _exit(1);
            for (size_t i = 0; i < TOUCHED; ++i)
                p[offsets[i]] = 0xee; // copy-on-write: the parent keeps its values
            p[RESERVED / 4] = 0xee;   // and a page the parent never touched
            _exit(p[offsets[1]] == 0xee ? 0 : 2);
        }
        int status;
        if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            children_ok = 0;
    }
    vmstat_read(&after); // before the parent's own reads below map page tables of its own
    ok(children_ok, "three forks: each child sees the three pages and writes its own copies");
    int parent_same = 1;
    for (size_t i = 0; i < TOUCHED; ++i)
        parent_same &= p[offsets[i]] == (unsigned char)(i + 1);
    ok(parent_same, "the parent still sees its own values");
    ok(p[RESERVED / 4] == 0, "a page only the child wrote is still zero for the parent");
    long long free_before, free_after;
    if (vmstat_get(&before, "frames_free", &free_before) && vmstat_get(&after, "frames_free", &free_after))
        ok(free_after >= free_before - 1, "every frame the children used came back (%lld -> %lld)", free_before, free_after);
    else
        skip("not Pagoda", "every frame the children used came back");
    ok(munmap(p, RESERVED) == 0, "munmap of the whole 64 TiB");
    return tap_done();
}
