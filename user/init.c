/* The default /init: what a newcomer sees when Pagoda boots with tools/boot. It greets,
 * shows the machine's memory as the kernel counts it, demonstrates demand paging with the
 * kernel's own counters, and powers off by exiting (the kernel shuts down when init ends). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

static long vmstat(const char *name)
{
    static char text[8192];
    FILE *f = fopen("/proc/vmstat", "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    size_t length = strlen(name);
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, name, length) == 0 && line[length] == ' ')
            return atol(line + length + 1);
    }
    return -1;
}

int main(void)
{
    struct utsname name;
    uname(&name);
    printf("Welcome to %s %s (%s).\n", name.sysname, name.release, name.machine);

    long total = vmstat("frames_total"), free_frames = vmstat("frames_free");
    printf("Memory: %ld frames of 4 KiB (%ld MiB), %ld free (%ld MiB).\n", total, total / 256, free_frames,
        free_frames / 256);

    /* Demand paging, watched through the kernel's counters. */
    const int pages = 16;
    long zero_reads = vmstat("zero_fill_read"), zero_writes = vmstat("zero_fill_write");
    volatile char *memory = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    long after_map = vmstat("frames_free");
    for (int i = 0; i < pages; ++i)
        (void)memory[i * 4096];
    long after_read = vmstat("frames_free");
    for (int i = 0; i < pages; ++i)
        memory[i * 4096] = 1;
    long after_write = vmstat("frames_free");
    printf("\nDemand paging: mmap of %d pages took %ld frames.\n", pages, free_frames - after_map);
    printf("  reading every page: %ld zero-fill read faults, %ld frames taken (all map the one zero frame)\n",
        vmstat("zero_fill_read") - zero_reads, after_map - after_read);
    printf("  writing every page: %ld zero-fill write faults, %ld frames taken (one fresh frame each)\n",
        vmstat("zero_fill_write") - zero_writes, after_read - after_write);
    munmap((void *)memory, pages * 4096);
    printf("  after munmap: %ld frames free again\n", vmstat("frames_free"));

    printf("\nNothing else to run yet: powering off.\n");
    return 0;
}
