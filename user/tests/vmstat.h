// vmstat.h — read Linux-style /proc/vmstat ("name value" per line) for mechanism checks.
//
// Pagoda's /proc/vmstat has, besides pgfault and nr_free_pages, its own counters:
// zero_fill_read, zero_fill_write, cow_copy, cow_reuse, file_fault, frames_total,
// frames_free. Tests check behaviour on every platform and, only when those Pagoda keys
// are present, also the mechanism (e.g. "exactly 16384 zero-fill write faults").
// Elsewhere (the host Linux, or /proc/vmstat unreadable) they report "# SKIP not Pagoda".
//
// The reader uses no heap and a fixed static buffer, so calling it between two snapshots
// disturbs the counters as little as possible; call vmstat_read() once before measuring
// so that its buffer and stack pages are already faulted in.
#ifndef PAGODA_TESTS_VMSTAT_H
#define PAGODA_TESTS_VMSTAT_H

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#ifndef VMSTAT_PATH
#define VMSTAT_PATH "/proc/vmstat" // -DVMSTAT_PATH=... to try a test against a canned file
#endif
#define VMSTAT_MAX_KEYS 256
#define VMSTAT_NAME_LEN 48

struct vmstat {
    int count; // number of keys read; 0 if /proc/vmstat could not be read
    char name[VMSTAT_MAX_KEYS][VMSTAT_NAME_LEN];
    long long value[VMSTAT_MAX_KEYS];
};

static char vmstat_buffer[16384];

// Fill *s from /proc/vmstat. Returns the number of keys read (0 on failure).
static inline int vmstat_read(struct vmstat* s)
{
    s->count = 0;
    int fd = open(VMSTAT_PATH, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, vmstat_buffer + used, sizeof vmstat_buffer - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
        if (used == sizeof vmstat_buffer - 1)
            break;
    }
    close(fd);
    vmstat_buffer[used] = '\0';

    char* p = vmstat_buffer;
    while (*p && s->count < VMSTAT_MAX_KEYS) {
        char* line_end = strchr(p, '\n');
        if (!line_end)
            line_end = p + strlen(p);
        char* space = memchr(p, ' ', (size_t)(line_end - p));
        if (space && space > p && (size_t)(space - p) < VMSTAT_NAME_LEN) {
            char* q = space;
            while (q < line_end && *q == ' ')
                ++q;
            int negative = 0;
            if (q < line_end && *q == '-') {
                negative = 1;
                ++q;
            }
            if (q < line_end && *q >= '0' && *q <= '9') {
                long long v = 0;
                while (q < line_end && *q >= '0' && *q <= '9')
                    v = v * 10 + (*q++ - '0');
                memcpy(s->name[s->count], p, (size_t)(space - p));
                s->name[s->count][space - p] = '\0';
                s->value[s->count] = negative ? -v : v;
                ++s->count;
            }
        }
        p = *line_end ? line_end + 1 : line_end;
    }
    return s->count;
}

// Store the value of key in *out; returns 1 if the key is present, 0 if not.
static inline int vmstat_get(const struct vmstat* s, const char* key, long long* out)
{
    for (int i = 0; i < s->count; ++i) {
        if (strcmp(s->name[i], key) == 0) {
            *out = s->value[i];
            return 1;
        }
    }
    return 0;
}

// The value of key, or -1 if absent.
static inline long long vmstat_value(const struct vmstat* s, const char* key)
{
    long long v;
    return vmstat_get(s, key, &v) ? v : -1;
}

// Does this snapshot carry Pagoda's own counters (so mechanism checks apply)?
static inline int vmstat_is_pagoda(const struct vmstat* s)
{
    static const char* const keys[] = { "zero_fill_read", "zero_fill_write", "cow_copy", "cow_reuse",
        "file_fault", "frames_total", "frames_free" };
    long long v;
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; ++i) {
        if (!vmstat_get(s, keys[i], &v))
            return 0;
    }
    return 1;
}

// after - before for key; meaningful only when both snapshots have it (vmstat_is_pagoda).
static inline long long vmstat_delta(const struct vmstat* before, const struct vmstat* after, const char* key)
{
    return vmstat_value(after, key) - vmstat_value(before, key);
}

#endif
