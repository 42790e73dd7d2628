// text_sharing — two processes running the same program share its text frames.
// The parent reads, from /proc/self/pagemap (one 64-bit entry per page: bits 0-54 the
// frame number, bit 63 present), the entry of the page holding main() and of a page of
// its own written .data; it then posix_spawns a copy of itself (/proc/self/exe, argument
// "report") which writes its own two entries to a pipe.
//   - everywhere: the spawned copy runs and reports, and the main() page is present in both;
//   - when frame numbers are visible (Pagoda; Linux as root — as non-root Linux shows 0,
//     and the checks are skipped): the main() page is the same frame in both processes,
//     and the written .data pages are different frames (each process has its own copy).
#include "proc_util.h"
#include "tap.h"

#include <inttypes.h>
#include <spawn.h>
#include <stdint.h>

#define PAGE 4096
#define PRESENT (1ull << 63)
#define PFN_MASK ((1ull << 55) - 1)

extern char** environ;
static volatile unsigned char data_page[2 * PAGE] __attribute__((aligned(PAGE))) = { 1 };

static uint64_t pagemap_entry(const volatile void* address)
{
    int fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0)
        return 0;
    uint64_t entry = 0;
    off_t offset = (off_t)((uintptr_t)address / PAGE) * 8;
    if (pread(fd, &entry, sizeof entry, offset) != (ssize_t)sizeof entry)
        entry = 0;
    close(fd);
    return entry;
}

int main(int argc, char** argv)
{
    volatile unsigned char touch = *(volatile unsigned char*)(uintptr_t)main; // main's page is present
    (void)touch;
    data_page[0] = (unsigned char)getpid(); // a private, written data page
    if (argc >= 2 && strcmp(argv[1], "report") == 0) {
        printf("%" PRIx64 " %" PRIx64 "\n", pagemap_entry((const void*)(uintptr_t)main), pagemap_entry(data_page));
        return 0;
    }
    tap_plan(6);
    uint64_t text = pagemap_entry((const void*)(uintptr_t)main);
    uint64_t data = pagemap_entry(data_page);
    ok((text & PRESENT) != 0, "pagemap: the page of main() is present in the parent (entry %#" PRIx64 ")", text);

    int pfd[2];
    if (pipe(pfd))
        bail("pipe failed (errno=%d)", errno);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pfd[1], 1);
    posix_spawn_file_actions_addclose(&actions, pfd[0]);
    char* child_argv[] = { argv[0], "report", NULL };
    pid_t pid = -1;
    int r = posix_spawn(&pid, "/proc/self/exe", &actions, NULL, child_argv, environ);
    close(pfd[1]);
    char line[128] = { 0 };
    ssize_t n = r == 0 ? read_full(pfd[0], line, sizeof line - 1) : -1;
    close(pfd[0]);
    int status = -1;
    pid_t w = r == 0 ? waitpid(pid, &status, 0) : -1;
    unsigned long long child_text = 0, child_data = 0;
    int fields = n > 0 ? sscanf(line, "%llx %llx", &child_text, &child_data) : 0;
    ok(r == 0 && w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 && fields == 2,
        "posix_spawn of /proc/self/exe reports its pagemap entries (r=%d, %s, \"%.40s\")", r, describe_wait_status(status),
        line);
    ok((child_text & PRESENT) != 0, "the page of main() is present in the spawned copy (entry %#llx)", child_text);

    uint64_t pfn = text & PFN_MASK, child_pfn = child_text & PFN_MASK;
    if (pfn != 0 && (data & PFN_MASK) != 0) {
        ok(pfn == child_pfn, "main() is in the same frame in both processes (%#" PRIx64 " vs %#llx)", pfn,
            (unsigned long long)child_pfn);
        ok((child_data & PRESENT) != 0 && (child_data & PFN_MASK) != 0, "the spawned copy's written .data page is present (%#llx)",
            child_data);
        ok((data & PFN_MASK) != (child_data & PFN_MASK),
            "the written .data pages are different frames (%#llx vs %#llx)", (unsigned long long)(data & PFN_MASK),
            child_data & PFN_MASK);
    } else {
        const char* why = "frame numbers hidden (not root)";
        skip(why, "main() is in the same frame in both processes");
        skip(why, "the spawned copy's written .data page is present");
        skip(why, "the written .data pages are different frames");
    }
    return tap_done();
}
