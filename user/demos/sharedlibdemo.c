/* sharedlibdemo — shared libraries are the VM notes' shared code pages, seen in two running
 * processes.
 *
 * Two processes run the same dynamically linked program (by default Debian's /bin/sleep,
 * linked against glibc). The dynamic loader maps libc.so.6 into each: its code read-only
 * and executable, its data writable and private. The notes say pages that cannot be
 * modified are shared between processes: so libc's code pages should be the very same
 * physical frames in both, and its data pages — which the loader writes while relocating —
 * private copy-on-write copies.
 *
 * What we look at:
 *   /proc/<pid>/maps     where each process has libc and ld.so, with each mapping's file
 *                        offset: page N of the file is the same page in both processes,
 *                        wherever ASLR put it
 *   /proc/<pid>/pagemap  the physical frame behind each virtual page (bit 63 present,
 *                        bits 0-54 the frame number)
 *   /proc/<pid>/smaps    the kernel's own sums: Shared_Clean, Private_Dirty, Pss
 *   /proc/vmstat         frames_free before and after the second process starts: what it
 *                        cost (Pagoda's counter; on Linux, MemFree of /proc/meminfo)
 *
 *   sharedlibdemo [PROGRAM]    (PROGRAM must accept one argument, a number of seconds) */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmstat_field.h"

#define PAGE_SIZE 4096
#define MAX_MAPPINGS 16
#define MAX_PAGES 1024

/* One file-backed mapping of a library in one process. */
struct mapping {
    unsigned long start, end, offset;
    char perms[5];
    char library[64];
    uint64_t frames[MAX_PAGES]; /* 0: not present */
};

struct process {
    pid_t pid;
    int count;
    struct mapping mappings[MAX_MAPPINGS];
};

static char text[65536];

static ssize_t read_file(const char *path, char *buffer, size_t capacity)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t used = 0;
    ssize_t n;
    while (used < capacity - 1 && (n = read(fd, buffer + used, capacity - 1 - used)) > 0)
        used += (size_t)n;
    close(fd);
    buffer[used] = '\0';
    return (ssize_t)used;
}

/* Free memory in KiB: Pagoda's frames_free, or Linux's MemFree. */
static long free_kib(void)
{
    if (read_file("/proc/vmstat", text, sizeof text) > 0) {
        long frames = vmstat_field(text, "frames_free");
        if (frames >= 0)
            return frames * 4;
    }
    if (read_file("/proc/meminfo", text, sizeof text) > 0) {
        char *at = strstr(text, "MemFree:");
        if (at)
            return atol(at + 8);
    }
    return -1;
}

/* The mappings of libc and of the dynamic loader in `p`'s /proc/<pid>/maps; 0 if none yet. */
static int find_libraries(struct process *p)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)p->pid);
    if (read_file(path, text, sizeof text) <= 0)
        return 0;
    p->count = 0;
    for (char *line = strtok(text, "\n"); line && p->count < MAX_MAPPINGS; line = strtok(NULL, "\n")) {
        char *file = strchr(line, '/');
        if (!file || !(strstr(file, "/libc.so") || strstr(file, "/ld-linux")))
            continue;
        struct mapping *m = &p->mappings[p->count];
        if (sscanf(line, "%lx-%lx %4s %lx", &m->start, &m->end, m->perms, &m->offset) != 4)
            continue;
        const char *name = strrchr(file, '/') + 1;
        snprintf(m->library, sizeof m->library, "%s", name);
        ++p->count;
    }
    return p->count;
}

static void read_frames(struct process *p)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/pagemap", (int)p->pid);
    int fd = open(path, O_RDONLY);
    for (int i = 0; i < p->count; ++i) {
        struct mapping *m = &p->mappings[i];
        unsigned long pages = (m->end - m->start) / PAGE_SIZE;
        for (unsigned long page = 0; page < pages && page < MAX_PAGES; ++page) {
            uint64_t entry = 0;
            if (fd < 0 || pread(fd, &entry, 8, (off_t)((m->start / PAGE_SIZE + page) * 8)) != 8)
                entry = 0;
            m->frames[page] = (entry >> 63) ? (entry & ((1ULL << 55) - 1)) : 0;
        }
    }
    if (fd >= 0)
        close(fd);
}

/* The same library, permissions and file offset in the other process, or NULL. */
static struct mapping *counterpart(struct process *other, const struct mapping *m)
{
    for (int i = 0; i < other->count; ++i) {
        struct mapping *o = &other->mappings[i];
        if (strcmp(o->library, m->library) == 0 && strcmp(o->perms, m->perms) == 0 && o->offset == m->offset)
            return o;
    }
    return NULL;
}

/* A smaps field (kB) of the mapping that starts at `start` in process `pid`. */
static long smaps_kb(pid_t pid, unsigned long start, const char *field)
{
    char path[64], head[32];
    snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
    static char smaps[262144];
    if (read_file(path, smaps, sizeof smaps) <= 0)
        return -1;
    snprintf(head, sizeof head, "%lx-", start);
    char *at = strstr(smaps, head);
    while (at && at != smaps && at[-1] != '\n')
        at = strstr(at + 1, head);
    if (!at)
        return -1;
    char key[40];
    snprintf(key, sizeof key, "\n%s:", field);
    char *value = strstr(at, key);
    return value ? atol(value + strlen(key)) : -1;
}

static pid_t start(const char *program)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(program, program, "60", (char *)NULL);
        perror(program);
        _exit(127);
    }
    return pid;
}

/* Waits (up to 10 s) until the loader has mapped libc into `p`. */
static int wait_for_libraries(struct process *p)
{
    for (int tries = 0; tries < 1000; ++tries) {
        int status;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid)
            return 0;
        if (find_libraries(p) >= 2) {
            struct timespec settle = { 0, 50 * 1000 * 1000 }; /* the loader finishes relocating */
            nanosleep(&settle, NULL);
            find_libraries(p);
            return 1;
        }
        struct timespec tick = { 0, 10 * 1000 * 1000 };
        nanosleep(&tick, NULL);
    }
    return 0;
}

/* What a mapping holds, from its permissions and whether its pages were copied. */
static const char *kind_of(const char *perms, unsigned long both, unsigned long same)
{
    if (perms[2] == 'x')
        return "code";
    if (perms[1] == 'w')
        return "data (written by the loader)";
    if (both > 0 && same < both)
        return "relocated, then read-only";
    return "read-only data";
}

int main(int argc, char **argv)
{
    const char *program = argc > 1 ? argv[1] : "/bin/sleep";
    static struct process one, two;
    printf("Two processes run %s, which is dynamically linked: the loader maps libc into each.\n\n", program);
    fflush(stdout);

    one.pid = start(program);
    if (!wait_for_libraries(&one)) {
        printf("%s did not map libc (is it dynamically linked, with its libraries here?)\n", program);
        kill(one.pid, SIGKILL);
        return 1;
    }
    long free_before = free_kib();
    two.pid = start(program);
    if (!wait_for_libraries(&two)) {
        printf("the second %s did not map libc\n", program);
        kill(one.pid, SIGKILL);
        kill(two.pid, SIGKILL);
        return 1;
    }
    long free_after = free_kib();
    read_frames(&one);
    read_frames(&two);

    printf("Process 1 is pid %d, process 2 is pid %d. Their libraries, page by page (a page is\n"
           "matched by its offset in the file, since the two may map it at different addresses):\n\n",
        (int)one.pid, (int)two.pid);
    printf("  %-24s %-5s %-30s %8s %8s %12s\n", "library", "perms", "what", "pages", "in both", "same frame");
    long shared_pages = 0, private_pages = 0;
    for (int i = 0; i < one.count; ++i) {
        struct mapping *m = &one.mappings[i], *o = counterpart(&two, m);
        unsigned long pages = (m->end - m->start) / PAGE_SIZE, both = 0, same = 0;
        for (unsigned long page = 0; o && page < pages && page < MAX_PAGES; ++page) {
            if (m->frames[page] && o->frames[page]) {
                ++both;
                same += m->frames[page] == o->frames[page];
            }
        }
        printf("  %-24s %-5s %-30s %8lu %8lu %12lu\n", m->library, m->perms, kind_of(m->perms, both, same), pages, both, same);
        private_pages += (long)(both - same);
        shared_pages += (long)same;
    }

    for (int i = 0; i < one.count; ++i) {
        struct mapping *m = &one.mappings[i], *o = counterpart(&two, m);
        if (!o || m->perms[2] != 'x' || strstr(m->library, "libc") == NULL)
            continue;
        printf("\nlibc's first code pages, frame by frame:\n");
        for (int page = 0, shown = 0; page < MAX_PAGES && shown < 4 && m->start + (unsigned long)page * PAGE_SIZE < m->end; ++page) {
            if (!m->frames[page] || !o->frames[page])
                continue;
            printf("  page %3d of the mapping: process 1 frame %#8llx, process 2 frame %#8llx  %s\n", page,
                (unsigned long long)m->frames[page], (unsigned long long)o->frames[page],
                m->frames[page] == o->frames[page] ? "the SAME frame" : "different frames");
            ++shown;
        }
        printf("  smaps of process 2's libc code: Rss %ld kB, Shared_Clean %ld kB, Private %ld kB, Pss %ld kB\n",
            smaps_kb(two.pid, o->start, "Rss"), smaps_kb(two.pid, o->start, "Shared_Clean"),
            smaps_kb(two.pid, o->start, "Private_Clean") + smaps_kb(two.pid, o->start, "Private_Dirty"),
            smaps_kb(two.pid, o->start, "Pss"));
    }
    for (int i = 0; i < two.count; ++i) {
        struct mapping *m = &two.mappings[i];
        if (m->perms[1] == 'w' && strstr(m->library, "libc"))
            printf("  smaps of process 2's libc data: Rss %ld kB, Private_Dirty %ld kB (its own copies)\n",
                smaps_kb(two.pid, m->start, "Rss"), smaps_kb(two.pid, m->start, "Private_Dirty"));
    }

    printf("\nIn short: %ld library pages are the same frames in both processes (code and\n"
           "read-only data, mapped from the page cache), %ld are private copies (pages the loader\n"
           "wrote while relocating: copy-on-write gave each process its own). Free memory went\n"
           "down by %ld KiB when process 2 started: its stack, data and page tables, not a\n"
           "second copy of libc.\n",
        shared_pages, private_pages, free_before >= 0 && free_after >= 0 ? free_before - free_after : -1);
    kill(one.pid, SIGKILL);
    kill(two.pid, SIGKILL);
    waitpid(one.pid, NULL, 0);
    waitpid(two.pid, NULL, 0);
    return shared_pages > 0 ? 0 : 1;
}
