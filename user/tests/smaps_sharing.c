// smaps_sharing — /proc/self/smaps and smaps_rollup against the frames actually shared:
// 16 written private pages are Private_Dirty, Anonymous and Pss 64 kB; after fork, in the
// child, before any write, all 16 are Shared_Dirty with Pss 32 kB (two page tables map each
// frame); after the child writes 4 of them, those 4 are its own (Private_Dirty 16 kB, Pss
// 16 + 12 * 2 = 40 kB) — and on Pagoda exactly 4 COW copies happened (cow_copy +4); a
// MAP_SHARED file page mapped by parent and child is Shared_Clean in both. smaps_rollup's
// Rss, Pss and Private_Dirty are the sums of smaps' over every mapping.
#include "mem_util.h"
#include "tap.h"
#include "vmstat.h"
#include <sys/wait.h>

static char text[262144];

// The sum of one field of smaps over every mapping, in kB.
static long smaps_total_kb(const char *name)
{
    if (read_whole_file("/proc/self/smaps", text, sizeof text) <= 0)
        return -1;
    long total = 0;
    size_t length = strlen(name);
    for (char *line = text; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, name, length) == 0 && line[length] == ':')
            total += strtol(line + length + 1, NULL, 10);
    return total;
}

// One field of smaps_rollup, in kB; -1 if missing.
static long rollup_kb(const char *name)
{
    if (read_whole_file("/proc/self/smaps_rollup", text, sizeof text) <= 0)
        return -1;
    char key[64];
    snprintf(key, sizeof key, "\n%s:", name);
    char *at = strstr(text, key);
    return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

// The child's checks, reported through its exit status: bit i set = check i failed.
static int child_checks(unsigned char *region, unsigned char *file_page)
{
    int failed = 0;
    if (smaps_kb(region, "Shared_Dirty") != 64 || smaps_kb(region, "Private_Dirty") != 0)
        failed |= 1;
    if (smaps_kb(region, "Pss") != 32)
        failed |= 2;
    struct vmstat before, after;
    vmstat_read(&before);
    vmstat_read(&before);
    for (int i = 0; i < 4; ++i)
        region[i * PAGE] = 2;
    vmstat_read(&after);
    if (smaps_kb(region, "Private_Dirty") != 16 || smaps_kb(region, "Shared_Dirty") != 48)
        failed |= 4;
    if (smaps_kb(region, "Pss") != 40)
        failed |= 8;
    if (vmstat_is_pagoda(&after) && vmstat_delta(&before, &after, "cow_copy") != 4)
        failed |= 16;
    if ((volatile unsigned char)file_page[0] != 'f' || smaps_kb(file_page, "Shared_Clean") != 4)
        failed |= 32;
    return failed;
}

int main(void)
{
    memset(text, 1, sizeof text); // its pages present before anything is counted
    unsigned char *region = map_pages(16);
    for (int i = 0; i < 16; ++i)
        region[i * PAGE] = 1;
    ok(smaps_kb(region, "Private_Dirty") == 64 && smaps_kb(region, "Anonymous") == 64, "16 written pages: Private_Dirty and Anonymous 64 kB (%ld, %ld)",
        smaps_kb(region, "Private_Dirty"), smaps_kb(region, "Anonymous"));
    ok(smaps_kb(region, "Pss") == 64 && smaps_kb(region, "Rss") == 64, "Rss and Pss 64 kB (%ld, %ld)", smaps_kb(region, "Rss"),
        smaps_kb(region, "Pss"));

    char path[] = "/tmp/smaps-sharing-XXXXXX";
    int fd = mkstemp(path);
    unlink(path);
    char page[PAGE];
    memset(page, 'f', sizeof page);
    ok(fd >= 0 && write(fd, page, sizeof page) == (ssize_t)sizeof page && fsync(fd) == 0, "a one-page file, on the disk");
    unsigned char *file_page = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    ok(file_page != MAP_FAILED && file_page[0] == 'f', "mapped MAP_SHARED and read");

    int to_parent[2], to_child[2];
    pipe(to_parent);
    pipe(to_child);
    pid_t child = fork();
    if (child == 0) {
        int failed = child_checks(region, file_page);
        char done = 1;
        write(to_parent[1], &done, 1); // the parent checks its view while we still map the page
        read(to_child[0], &done, 1);
        _exit(failed);
    }
    char done;
    read(to_parent[0], &done, 1);
    ok(smaps_kb(file_page, "Shared_Clean") == 4, "the file page is Shared_Clean in the parent too (%ld kB)",
        smaps_kb(file_page, "Shared_Clean"));
    write(to_child[1], &done, 1);
    int status = 0;
    waitpid(child, &status, 0);
    int failed = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
    ok(!(failed & 1), "child before writing: all 16 pages Shared_Dirty, none private (status %#x)", status);
    ok(!(failed & 2), "child before writing: Pss 32 kB, half of each frame");
    ok(!(failed & 4), "child after writing 4: Private_Dirty 16 kB, Shared_Dirty 48 kB");
    ok(!(failed & 8), "child after writing 4: Pss 40 kB");
    ok(!(failed & 16), "the 4 writes were 4 COW copies (Pagoda's cow_copy; not checked elsewhere)");
    ok(!(failed & 32), "the shared file page is Shared_Clean in the child");

    // Reading the files may fault a page in (a first use of some stack): compare a round
    // whose readings did not move.
    long rss = 0, pss = 0, dirty = 0, rollup_rss = -1, rollup_pss = -1, rollup_dirty = -1;
    for (int round = 0; round < 3 && (rollup_rss != rss || rollup_pss != pss || rollup_dirty != dirty); ++round) {
        rss = smaps_total_kb("Rss"), pss = smaps_total_kb("Pss"), dirty = smaps_total_kb("Private_Dirty");
        rollup_rss = rollup_kb("Rss"), rollup_pss = rollup_kb("Pss"), rollup_dirty = rollup_kb("Private_Dirty");
    }
    ok(rollup_rss == rss && rollup_pss == pss && rollup_dirty == dirty,
        "smaps_rollup sums smaps: Rss %ld/%ld, Pss %ld/%ld, Private_Dirty %ld/%ld", rollup_rss, rss, rollup_pss, pss, rollup_dirty,
        dirty);
    return tap_done();
}
