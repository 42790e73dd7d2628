// tmpfs_full — filling a tmpfs to its size limit gives ENOSPC, and the system keeps running.
// A child writes one file in 64 KiB pieces until write() fails: it must see ENOSPC (not be
// killed), after exactly the free space statfs() reported; statfs() then shows no free
// space, another file's write gets ENOSPC, a store through a shared mapping into a hole of
// it gets SIGBUS, and fork + execve still work. Unlinking the file gives all the space back.
// Where (tmpfs_util.h): a private 8 MiB tmpfs on Linux (root), /tmp on Pagoda (half of RAM
// by default, as on Linux: checked against MemTotal), a bounded 4 MiB write elsewhere.
// On Pagoda, also: nr_shmem (pages that are the only copy) back to where it was.
// pagoda-options: --mem 128
#include "tmpfs_util.h"

#include "file_util.h"
#include "proc_util.h"
#include "tap.h"
#include "vmstat.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096L
#define CHUNK (64 * 1024)
#define BOUNDED_BYTES (4L << 20)

static char chunk[CHUNK];
static char meminfo[8192];
static struct vmstat before, after;

struct fill_report {
    long written;
    int error; // errno of the write that failed, 0 if the bound was reached
};

// In a child: writes `path` until a write fails or `bound` bytes are written.
static void fill_file(const char* path, long bound, int report_fd)
{
    struct fill_report report = { 0, 0 };
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd < 0)
        report.error = errno;
    while (fd >= 0 && report.written < bound) {
        ssize_t n = write(fd, chunk, CHUNK);
        if (n < 0) {
            report.error = errno;
            break;
        }
        report.written += n;
    }
    if (write(report_fd, &report, sizeof report) != sizeof report)
        _exit(2);
    _exit(0);
}

static long max_long(long a, long b) { return a > b ? a : b; }

static long meminfo_kb(const char* key)
{
    const char* p = strstr(meminfo, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int main(int argc, char** argv)
{
    if (argc == 2 && strcmp(argv[1], "exec-child") == 0)
        return 42;
    tap_plan(17);
    memset(chunk, 'x', sizeof chunk);
    vmstat_read(&before);
    vmstat_read(&before);
    int pagoda = vmstat_is_pagoda(&before);
    if (scratch_tmpfs_open("tmpfs_full", "size=8m,nr_inodes=64", pagoda) != 0)
        bail("cannot make a scratch directory (errno=%d)", errno);
    diag("filling %s: %s", scratch_description(), scratch_dir);
    char big[96], other[96];
    scratch_path(big, sizeof big, "big");
    scratch_path(other, sizeof other, "other");

    struct statfs fs = { 0 };
    int r = statfs(scratch_dir, &fs);
    ok(r == 0 && (!scratch_fillable() || (fs.f_type == TMPFS_MAGIC_NUMBER && fs.f_bsize == PAGE)),
        "statfs: a tmpfs with 4 KiB blocks (r=%d errno=%d type=%lx bsize=%ld)", r, errno, (long)fs.f_type, (long)fs.f_bsize);
    long free_before = (long)fs.f_bfree;
    long ram_bytes = 0;
    if (scratch_kind_used == SCRATCH_PAGODA_TMP) {
        if (read_whole_file("/proc/meminfo", meminfo, sizeof meminfo) < 0)
            bail("cannot read /proc/meminfo (errno=%d)", errno);
        ram_bytes = meminfo_kb("MemTotal:") * 1024;
        long half_of_ram = ram_bytes / PAGE / 2;
        ok((long)fs.f_blocks == half_of_ram, "the size is half of RAM (%ld blocks, MemTotal/2 = %ld pages)",
            (long)fs.f_blocks, half_of_ram);
    } else if (scratch_kind_used == SCRATCH_OWN_TMPFS) {
        ok(fs.f_blocks == 2048, "the size is the size= option (%ld blocks)", (long)fs.f_blocks);
    } else {
        skip("not a tmpfs we may fill", "the size is known");
    }
    ok(fs.f_bfree <= fs.f_blocks && (!scratch_fillable() || fs.f_bavail == fs.f_bfree),
        "free <= size, available = free (%ld, %ld, %ld)", (long)fs.f_blocks, (long)fs.f_bfree, (long)fs.f_bavail);

    // The writer runs in a child: if the kernel killed it instead of failing the write, we
    // are still here to say so. In Pagoda's /tmp it may write more than all of RAM (a tmpfs
    // without a limit fills memory); elsewhere 16 MiB more than the free space.
    long bound = scratch_fillable() ? max_long(free_before * PAGE, ram_bytes) + (16L << 20) : BOUNDED_BYTES;
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        bail("pipe (errno=%d)", errno);
    fflush(stdout);
    pid_t writer = fork();
    if (writer == 0)
        fill_file(big, bound, pipe_fds[1]);
    int status = 0;
    waitpid(writer, &status, 0);
    struct fill_report report = { -1, -1 };
    ssize_t got = read(pipe_fds[0], &report, sizeof report);
    const char* how = describe_wait_status(status);
    ok(writer > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && got == sizeof report,
        "the writer was not killed: it exited 0 (%s)", how);
    if (scratch_fillable()) {
        ok(report.error == ENOSPC, "its last write failed with ENOSPC (errno=%d after %ld MiB)", report.error,
            report.written >> 20);
        ok(report.written == free_before * PAGE, "it wrote exactly the free space (%ld bytes, %ld free pages)", report.written,
            free_before);
        r = statfs(scratch_dir, &fs);
        ok(r == 0 && fs.f_bfree == 0 && fs.f_bavail == 0, "statfs: no block free (%ld)", (long)fs.f_bfree);
    } else {
        ok(report.error == 0 && report.written == BOUNDED_BYTES, "it wrote %ld bytes (errno=%d)", report.written, report.error);
        skip("not a tmpfs we may fill", "statfs: exactly the free space was written");
        skip("not a tmpfs we may fill", "statfs: no block free");
    }
    struct stat st;
    r = stat(big, &st);
    ok(r == 0 && st.st_size == report.written && st.st_blocks == report.written / 512,
        "the file: size %ld, %ld blocks of 512 bytes (r=%d)", (long)st.st_size, (long)st.st_blocks, r);

    // Full: creating a file still works (inodes are left), giving it data does not.
    int fd = open(other, O_CREAT | O_RDWR | O_TRUNC, 0600);
    ok(fd >= 0, "a second file can be created (errno=%d)", errno);
    if (scratch_fillable()) {
        errno = 0;
        ssize_t n = write(fd, "y", 1);
        ok(n == -1 && errno == ENOSPC, "writing one byte to it fails with ENOSPC (n=%zd errno=%d)", n, errno);
        // A store into a hole of a shared mapping needs a page that is not there: SIGBUS.
        r = ftruncate(fd, PAGE);
        char* map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        int store = map == MAP_FAILED ? -1 : status_of_child(child_write_byte, map);
        ok(r == 0 && killed_by(store, SIGBUS), "a store through a shared mapping of it is SIGBUS (status %x)", store);
        if (map != MAP_FAILED)
            munmap(map, PAGE);
    } else {
        skip("not a tmpfs we may fill", "writing one byte to it fails with ENOSPC");
        skip("not a tmpfs we may fill", "a store through a shared mapping of it is SIGBUS");
    }

    // The system still runs programs.
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char* child_argv[] = { argv[0], "exec-child", NULL };
        execv("/proc/self/exe", child_argv);
        _exit(127);
    }
    status = 0;
    waitpid(child, &status, 0);
    how = describe_wait_status(status);
    ok(child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 42, "fork + execve while full (%s)", how);

    // Unlinking gives everything back.
    r = unlink(big);
    ok(r == 0, "unlink the big file (errno=%d)", errno);
    r = statfs(scratch_dir, &fs);
    if (scratch_fillable())
        ok(r == 0 && (long)fs.f_bfree == free_before, "statfs: the free space is back (%ld, was %ld)", (long)fs.f_bfree,
            free_before);
    else
        skip("not a tmpfs we may fill", "statfs: the free space is back");
    ssize_t n = pwrite(fd, chunk, CHUNK, 0);
    ok(n == CHUNK, "the second file takes data again (n=%zd errno=%d)", n, errno);
    close(fd);
    r = unlink(other);
    int closed = scratch_tmpfs_close();
    ok(r == 0 && closed == 0, "clean up (unlink %d, directory %d, errno=%d)", r, closed, errno);

    vmstat_read(&after);
    if (pagoda)
        ok(vmstat_delta(&before, &after, "nr_shmem") == 0, "nr_shmem back to where it was (%lld)",
            vmstat_delta(&before, &after, "nr_shmem"));
    else
        skip("not Pagoda", "nr_shmem back to where it was");
    return tap_done();
}
