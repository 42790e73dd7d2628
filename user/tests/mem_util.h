// mem_util.h — helpers for the memory-call tests (mremap, mlock, mincore, madvise, memfd,
// SysV shm): which physical frame backs a page (/proc/self/pagemap), how many pages of a
// range are resident (mincore), a kB field of /proc/self/status or of one mapping in
// /proc/self/smaps, and raw system calls for the errno checks (libc wrappers filter some
// arguments before the kernel sees them). Header-only, static.
#ifndef PAGODA_TESTS_MEM_UTIL_H
#define PAGODA_TESTS_MEM_UTIL_H

#include "file_util.h"
#include "vmstat.h"

#include <inttypes.h>
#include <stdint.h>
#include <sys/syscall.h>

// The page frame number backing the page at `address`, or 0 if it is not present (or
// pagemap hides frame numbers, as Linux does without CAP_SYS_ADMIN).
static inline uint64_t frame_of(const volatile void* address)
{
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    uint64_t entry = 0;
    off_t offset = (off_t)((uintptr_t)address / PAGE * sizeof entry);
    ssize_t n = pread(fd, &entry, sizeof entry, offset);
    close(fd);
    if (n != (ssize_t)sizeof entry || !(entry >> 63))
        return 0;
    return entry & ((UINT64_C(1) << 55) - 1);
}

// How many of the `pages` pages from `address` mincore reports resident; -1 on error.
static inline long resident_pages(void* address, size_t pages)
{
    static unsigned char vector[4096];
    if (pages > sizeof vector || mincore(address, pages * PAGE, vector) != 0)
        return -1;
    long count = 0;
    for (size_t i = 0; i < pages; ++i)
        count += vector[i] & 1;
    return count;
}

// The value of "Name:   N kB" in /proc/self/status, or -1.
static inline long status_kb(const char* name)
{
    static char text[8192];
    if (read_whole_file("/proc/self/status", text, sizeof text) < 0)
        return -1;
    size_t length = strlen(name);
    for (char* line = text; *line;) {
        if (strncmp(line, name, length) == 0 && line[length] == ':')
            return strtol(line + length + 1, NULL, 10);
        char* next = strchr(line, '\n');
        if (!next)
            break;
        line = next + 1;
    }
    return -1;
}

// The value of "Name:   N kB" in the /proc/self/smaps entry of the mapping starting at
// `start`, or -1. (An entry is its "start-end ..." line, then "Field:" lines, whose names
// begin with a capital letter, unlike the hex digits of the next entry's line.)
static inline long smaps_kb(const void* start, const char* name)
{
    static char text[65536];
    if (read_whole_file("/proc/self/smaps", text, sizeof text) < 0)
        return -1;
    char head[32];
    snprintf(head, sizeof head, "%" PRIxPTR "-", (uintptr_t)start);
    size_t length = strlen(name);
    char* line = text;
    while (line && strncmp(line, head, strlen(head)) != 0)
        line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL;
    while (line && (line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) && *line >= 'A' && *line <= 'Z')
        if (strncmp(line, name, length) == 0 && line[length] == ':')
            return strtol(line + length + 1, NULL, 10);
    return -1;
}

// Whether /proc/self/maps has a line for `start` that ends with `name`.
static inline int maps_names(const void* start, const char* name)
{
    static char text[65536];
    if (read_whole_file("/proc/self/maps", text, sizeof text) < 0)
        return 0;
    char head[32];
    snprintf(head, sizeof head, "%" PRIxPTR "-", (uintptr_t)start);
    for (char* line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, head, strlen(head)) != 0)
            continue;
        char* end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        size_t name_length = strlen(name);
        return length >= name_length && memcmp(line + length - name_length, name, name_length) == 0;
    }
    return 0;
}

// An anonymous private read-write mapping of `pages` pages (bails out if mmap fails).
static inline unsigned char* map_pages(size_t pages)
{
    void* p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        bail("mmap of %zu pages failed (errno=%d)", pages, errno);
    return p;
}

// `pages` free pages of address space: mapped, then unmapped, so nothing is there.
static inline unsigned char* free_address(size_t pages)
{
    unsigned char* p = map_pages(pages);
    munmap(p, pages * PAGE);
    return p;
}

// The errno of a raw system call that should fail (0 if it succeeded).
static inline int errno_of(long result) { return result == -1 ? errno : 0; }

#endif
