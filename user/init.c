/* The default /init: what a newcomer sees when Pagoda boots with tools/boot. It greets,
 * shows the machine's memory as the kernel counts it, demonstrates demand paging with the
 * kernel's own counters, and powers off by exiting (the kernel shuts down when init ends). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demos/vmstat_field.h"

/* The counters this demo shows, read from /proc/vmstat in one go. */
struct counters {
    long frames_total, frames_free, zero_fill_read, zero_fill_write;
};


/* Uses only read() into a static buffer, so taking a snapshot itself causes no page faults
 * once it has run once. */
static void snapshot(struct counters *out)
{
    static char text[8192];
    int fd = open("/proc/vmstat", O_RDONLY);
    ssize_t n = fd < 0 ? 0 : read(fd, text, sizeof text - 1);
    if (fd >= 0)
        close(fd);
    text[n > 0 ? n : 0] = '\0';
    out->frames_total = vmstat_field(text, "frames_total");
    out->frames_free = vmstat_field(text, "frames_free");
    out->zero_fill_read = vmstat_field(text, "zero_fill_read");
    out->zero_fill_write = vmstat_field(text, "zero_fill_write");
}

// Runs `path` with `argument` (may be null) and waits for it.
static void run(const char *path, const char *argument)
{
    printf("\n==================== %s %s ====================\n\n", path, argument ? argument : "");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char *argv[] = { (char *)path, (char *)argument, NULL };
        char *envp[] = { "HOME=/", NULL };
        execve(path, argv, envp);
        perror(path);
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        printf("(%s ended with status %#x)\n", path, status);
}

// The demos that exist in /bin: copy-on-write fork, vfork, and — when a disk is mounted at
// /mnt (tools/boot attaches a scratch one) — memory-mapped files.
static void run_demos(void)
{
    struct stat s;
    if (stat("/bin/cowdemo", &s) == 0)
        run("/bin/cowdemo", NULL);
    if (stat("/bin/vforkdemo", &s) == 0)
        run("/bin/vforkdemo", NULL);
    if (stat("/bin/mmapdemo", &s) == 0 && stat("/mnt/lost+found", &s) == 0)
        run("/bin/mmapdemo", "/mnt");
}

int main(void)
{
    struct utsname name;
    uname(&name);
    printf("Welcome to %s %s (%s).\n", name.sysname, name.release, name.machine);

    struct counters start, mapped, read_done, written, unmapped;
    snapshot(&start);
    printf("Memory: %ld frames of 4 KiB (%ld MiB), %ld free (%ld MiB).\n", start.frames_total,
        start.frames_total / 256, start.frames_free, start.frames_free / 256);

    /* Demand paging, watched through the kernel's counters. */
    enum { PAGES = 16 };
    snapshot(&start);
    volatile char *memory = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    snapshot(&mapped);
    for (int i = 0; i < PAGES; ++i)
        (void)memory[i * 4096];
    snapshot(&read_done);
    for (int i = 0; i < PAGES; ++i)
        memory[i * 4096] = 1;
    snapshot(&written);
    munmap((void *)memory, PAGES * 4096);
    snapshot(&unmapped);

    printf("\nDemand paging of a %d-page anonymous mapping:\n", PAGES);
    printf("  mmap:              %ld frames taken (nothing is allocated until touched)\n",
        start.frames_free - mapped.frames_free);
    printf("  read every page:   %ld zero-fill read faults, %ld frames taken (all map the one zero frame;\n"
           "                     a frame here is a new page-table page)\n",
        read_done.zero_fill_read - mapped.zero_fill_read, mapped.frames_free - read_done.frames_free);
    printf("  write every page:  %ld zero-fill write faults, %ld frames taken (one fresh frame each)\n",
        written.zero_fill_write - read_done.zero_fill_write, read_done.frames_free - written.frames_free);
    printf("  munmap:            %ld frames given back\n", unmapped.frames_free - written.frames_free);

    run_demos();
    printf("\nAll done: powering off (the kernel shuts down when /init exits).\n");
    return 0;
}
