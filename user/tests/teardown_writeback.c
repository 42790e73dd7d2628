// teardown_writeback — an address space with dirty MAP_SHARED pages of a disk file goes
// away without msync, twice: by execve (the old program's space is replaced) and by exit.
// Dropping the space writes the dirty pages back, which sleeps on the disk — while the
// process is between two address spaces (execve) or half gone (exit). Checked: the new
// program runs and reads every store; the parent reads the exited child's stores; on
// Pagoda each teardown wrote the pages back (nr_written) and left none dirty.
// disk: 16
// args: @DIR@
#include "file_util.h"
#include "vmstat.h"
#include <stdlib.h>

#define PAGES 4
#define SEED 31

static struct vmstat s0, s1;

// Maps the file shared and stores `value` at the start of each page (each becomes dirty).
static void dirty_every_page(const char* path, unsigned char value)
{
    int fd = open(path, O_RDWR);
    volatile unsigned char* p = fd >= 0 ? mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
    if (p == MAP_FAILED)
        bail("cannot map %s (errno=%d)", path, errno);
    close(fd);
    for (int i = 0; i < PAGES; ++i)
        p[i * PAGE] = value;
}

static int file_holds(const char* path, unsigned char value)
{
    int fd = open(path, O_RDONLY);
    int same = fd >= 0;
    for (int i = 0; same && i < PAGES; ++i) {
        unsigned char b = 0;
        same = pread(fd, &b, 1, i * PAGE) == 1 && b == value;
    }
    if (fd >= 0)
        close(fd);
    return same;
}

static void check_written(const char* what, long long written_before, long long dirty_before)
{
    vmstat_read(&s1);
    if (!vmstat_is_pagoda(&s1)) {
        skip("not Pagoda", "%s: the teardown wrote the pages back", what);
        return;
    }
    long long written = vmstat_value(&s1, "nr_written") - written_before;
    long long dirty = vmstat_value(&s1, "nr_dirty") - dirty_before;
    ok(written >= PAGES && dirty <= 0, "%s: the teardown wrote the pages back (nr_written +%lld, nr_dirty %+lld)", what,
        written, dirty);
}

int main(int argc, char** argv)
{
    static char path[512];
    if (argc == 5) { // the program execve started: argv = { self, dir, "exec", written, dirty }
        tap_plan(5);
        file_path(path, sizeof path, argv[1], "teardown");
        ok(1, "execve replaced a program whose space had dirty shared pages");
        ok(file_holds(path, 0xE1), "the new program reads every store of the old one");
        check_written("execve", atoll(argv[3]), atoll(argv[4]));

        vmstat_read(&s0);
        pid_t child = fork();
        if (child == 0) {
            dirty_every_page(path, 0xE2);
            _exit(0);
        }
        int status;
        waitpid(child, &status, 0);
        ok(WIFEXITED(status) && file_holds(path, 0xE2), "a child that stored and exited: the parent reads its stores");
        check_written("exit", vmstat_value(&s0, "nr_written"), vmstat_value(&s0, "nr_dirty"));
        return tap_done();
    }
    file_path(path, sizeof path, disk_dir(argc, argv), "teardown");
    int fd = make_pattern_file(path, PAGES * PAGE, SEED);
    if (fd < 0 || fsync(fd) != 0)
        bail("cannot create the file (errno=%d)", errno);
    close(fd);
    vmstat_read(&s0);
    vmstat_read(&s0);
    char written[32], dirty[32];
    snprintf(written, sizeof written, "%lld", vmstat_value(&s0, "nr_written"));
    snprintf(dirty, sizeof dirty, "%lld", vmstat_value(&s0, "nr_dirty"));
    dirty_every_page(path, 0xE1);
    char* next[] = { argv[0], argv[1], "exec", written, dirty, NULL };
    execv("/proc/self/exe", next);
    bail("execv failed (errno=%d)", errno);
}
