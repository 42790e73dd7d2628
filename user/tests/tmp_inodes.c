// tmp_inodes — creating empty files until a tmpfs has no inode left gives ENOSPC, the
// kernel stays usable, and unlinking every file succeeds and gives the memory back.
// The files are created until creation fails: it must fail with ENOSPC after exactly the
// free inodes statfs() reported; then mkdir, symlink and link fail with ENOSPC too (a hard
// link takes an inode on Linux), while fork + execve and pipes still work. Every unlink then
// succeeds and statfs() shows the inodes free again.
// Where (tmpfs_util.h): a private tmpfs with nr_inodes=2000 on Linux (root), /tmp on Pagoda
// (as many inodes as half of RAM has pages, as on Linux: checked against MemTotal), 2000
// files in a directory of /tmp elsewhere.
// On Pagoda, also (the program first re-executes itself from a copy in /tmp, whose pages
// reclaim can never take, so that it runs on when memory is full): the kernel heap grew with
// the files (kernel_heap_bytes); with the files still there a child fills all user memory
// (reads of /dev/zero until ENOMEM: user allocations stop at the kernel's reserve), and
// meanwhile vfork works and every unlink succeeds — the kernel took frames of its reserve
// (reserve_used) that programs could not (reserve_refused); afterwards kernel_heap_bytes
// and frames_free come back near where they started (the heap gives its free tail back).
// pagoda-options: --mem 64
#include "tmpfs_util.h"

#include "proc_util.h"
#include "tap.h"
#include "vmstat.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

#define BOUNDED_FILES 2000
#define PLAN 16

static char meminfo[8192];
static struct vmstat start, full, filled, after;
static char name[128];
static int unlink_failures, first_unlink_errno;

static char maps[16384];

// Writes every page of this program's private writable mappings but the stack (data, bss,
// heap), and 64 KiB of stack: so that while memory is full it needs no new page.
static void touch_writable_pages(void)
{
    touch_stack();
    if (read_whole_file("/proc/self/maps", maps, sizeof maps) < 0)
        return;
    for (char* line = maps; *line;) {
        unsigned long start, end;
        char perms[8] = "";
        char* next = strchr(line, '\n');
        size_t length = next ? (size_t)(next - line) : strlen(line);
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 && strcmp(perms, "rw-p") == 0
            && !memmem(line, length, "[stack]", 7))
            for (unsigned long page = start; page < end; page += 4096)
                *(volatile char*)page = *(volatile char*)page;
        if (!next)
            break;
        line = next + 1;
    }
}

static long meminfo_kb(const char* key)
{
    const char* p = strstr(meminfo, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void file_name(long i)
{
    char base[16];
    snprintf(base, sizeof base, "f%06ld", i);
    scratch_path(name, sizeof name, base);
}

static void unlink_all(long count)
{
    for (long i = 0; i < count; ++i) {
        file_name(i);
        if (unlink(name) != 0 && unlink_failures++ == 0)
            first_unlink_errno = errno;
    }
}

static int exec_child(char* self)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char* child_argv[] = { self, "exec-child", NULL };
        execv("/proc/self/exe", child_argv);
        _exit(127);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

// The memory holder, run as "PROGRAM hold FD": takes every user frame it can get (reading
// /dev/zero into fresh pages until the kernel says ENOMEM), reports the errno on FD and
// waits to be killed.
static int hold_memory(const char* fd_text)
{
    int report = atoi(fd_text), forever[2];
    if (pipe(forever) != 0 || read_whole_file("/proc/meminfo", meminfo, sizeof meminfo) < 0)
        return 1;
    size_t bytes = (size_t)meminfo_kb("MemTotal:") * 1024;
    int zero = open("/dev/zero", O_RDONLY);
    char* p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t got = 0;
    int error = 0;
    while (zero >= 0 && p != MAP_FAILED && got < bytes) {
        ssize_t n = read(zero, p + got, bytes - got);
        if (n <= 0) {
            error = n < 0 ? errno : 0;
            break;
        }
        got += (size_t)n;
    }
    if (write(report, &error, sizeof error) != sizeof error)
        return 1;
    for (;;) // until killed: a pipe nobody writes (a read that SIGKILL ends)
        (void)read(forever[0], &error, sizeof error);
}

// Starts the holder with vfork + execve, so that this process's pages stay its own (a fork
// would make them copy-on-write, and the next store would need a frame).
static pid_t start_memory_holder(char* self, int* ready_fd)
{
    int ready[2];
    if (pipe(ready) != 0)
        return -1;
    static char fd_text[16];
    snprintf(fd_text, sizeof fd_text, "%d", ready[1]);
    char* holder_argv[] = { self, "hold", fd_text, NULL };
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        execv(self, holder_argv);
        _exit(127);
    }
    close(ready[1]);
    *ready_fd = ready[0];
    return pid;
}

int main(int argc, char** argv)
{
    if (argc == 2 && strcmp(argv[1], "exec-child") == 0)
        return 42;
    if (argc == 3 && strcmp(argv[1], "hold") == 0)
        return hold_memory(argv[2]);
    vmstat_read(&start);
    vmstat_read(&start);
    int pagoda = vmstat_is_pagoda(&start);
    static char copy[] = "/tmp/tmp_inodes.exe";
    if (pagoda && !(argc == 2 && strcmp(argv[1], "from-tmp") == 0)) {
        // Run from tmpfs: those pages are never reclaimed, so memory pressure cannot take our text.
        if (copy_file("/proc/self/exe", copy, 0755, NULL) < 0)
            bail("copy /proc/self/exe to %s (errno=%d)", copy, errno);
        char* again[] = { copy, "from-tmp", NULL };
        execv(copy, again);
        bail("execv %s (errno=%d)", copy, errno);
    }
    tap_plan(PLAN);
    if (scratch_tmpfs_open("tmp_inodes", "size=64m,nr_inodes=2000", pagoda) != 0)
        bail("cannot make a scratch directory (errno=%d)", errno);
    diag("filling %s with files: %s", scratch_description(), scratch_dir);

    struct statfs fs = { 0 };
    int r = statfs(scratch_dir, &fs);
    long free_inodes = (long)fs.f_ffree;
    ok(r == 0 && (!scratch_fillable() || (fs.f_type == TMPFS_MAGIC_NUMBER && fs.f_ffree > 0 && fs.f_ffree <= fs.f_files)),
        "statfs: a tmpfs, free inodes %ld of %ld (r=%d errno=%d)", (long)fs.f_ffree, (long)fs.f_files, r, errno);
    if (scratch_kind_used == SCRATCH_PAGODA_TMP) {
        if (read_whole_file("/proc/meminfo", meminfo, sizeof meminfo) < 0)
            bail("cannot read /proc/meminfo (errno=%d)", errno);
        long half_of_ram_pages = meminfo_kb("MemTotal:") / 4 / 2;
        ok((long)fs.f_files == half_of_ram_pages, "as many inodes as half of RAM has pages (%ld, %ld)", (long)fs.f_files,
            half_of_ram_pages);
    } else if (scratch_kind_used == SCRATCH_OWN_TMPFS) {
        ok(fs.f_files == 2000, "the nr_inodes= option (%ld)", (long)fs.f_files);
    } else {
        skip("not a tmpfs we may fill", "the inode limit is known");
    }

    long bound = scratch_fillable() ? free_inodes + 16 : BOUNDED_FILES;
    long created = 0;
    int create_errno = 0;
    for (; created < bound; ++created) {
        file_name(created);
        int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0600);
        if (fd < 0) {
            create_errno = errno;
            break;
        }
        close(fd);
    }
    vmstat_read(&filled);
    if (scratch_fillable()) {
        ok(create_errno == ENOSPC && created == free_inodes, "%ld files created, then ENOSPC (errno=%d, %ld were free)", created,
            create_errno, free_inodes);
        r = statfs(scratch_dir, &fs);
        ok(r == 0 && fs.f_ffree == 0, "statfs: no inode free (%ld)", (long)fs.f_ffree);
        char other[128];
        scratch_path(other, sizeof other, "more");
        errno = 0;
        int made_directory = mkdir(other, 0700), mkdir_errno = errno;
        errno = 0;
        int made_symlink = symlink("f000000", other), symlink_errno = errno;
        file_name(0);
        errno = 0;
        int made_link = link(name, other), link_errno = errno;
        ok(made_directory == -1 && mkdir_errno == ENOSPC && made_symlink == -1 && symlink_errno == ENOSPC && made_link == -1
                && link_errno == ENOSPC,
            "mkdir, symlink and link fail with ENOSPC (errno %d, %d, %d)", mkdir_errno, symlink_errno, link_errno);
    } else {
        ok(created == BOUNDED_FILES, "%ld files created (errno=%d)", created, create_errno);
        skip("not a tmpfs we may fill", "statfs: no inode free");
        skip("not a tmpfs we may fill", "mkdir, symlink and link fail with ENOSPC");
    }
    int status = exec_child(argv[0]);
    int pipe_fds[2];
    char byte = 0;
    int piped = pipe(pipe_fds) == 0 && write(pipe_fds[1], "p", 1) == 1 && read(pipe_fds[0], &byte, 1) == 1 && byte == 'p';
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 42 && piped, "with the files there, fork + execve (%s) and a pipe work",
        describe_wait_status(status));
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    if (pagoda) {
        long long grew = vmstat_delta(&start, &filled, "kernel_heap_bytes");
        ok(grew >= created * 256, "the kernel heap grew with the files: %lld bytes for %ld files", grew, created);
    } else {
        skip("not Pagoda", "the kernel heap grew with the files");
    }

    // Pagoda: with the files still there, fill user memory; the kernel must go on working.
    pid_t holder = -1;
    int holder_error = 0;
    if (pagoda) {
        if (read_whole_file("/proc/meminfo", meminfo, sizeof meminfo) < 0)
            bail("cannot read /proc/meminfo (errno=%d)", errno);
        int ready;
        touch_writable_pages();
        holder = start_memory_holder(copy, &ready);
        if (holder < 0 || read(ready, &holder_error, sizeof holder_error) != sizeof holder_error)
            bail("the memory holder did not start (errno=%d)", errno);
        close(ready);
        vmstat_read(&full);
    }
    // While memory is full nothing here may need a new user page: the buffers are touched,
    // and nothing is printed until the holder is gone.
    fflush(stdout);
    pid_t vforked = vfork();
    if (vforked == 0)
        _exit(7);
    int vfork_status = -1;
    waitpid(vforked, &vfork_status, 0);
    unlink_all(created);
    r = statfs(scratch_dir, &fs);
    if (holder > 0) {
        vmstat_read(&after);
        kill(holder, SIGKILL);
        waitpid(holder, NULL, 0);
    }
    if (pagoda) {
        ok(holder_error == ENOMEM, "a child took all user memory it could get: its read failed with ENOMEM (errno=%d)",
            holder_error);
        ok(vmstat_delta(&start, &full, "reserve_refused") > 0 && vmstat_delta(&full, &after, "reserve_used") > 0,
            "meanwhile the kernel used its reserve (reserve_refused +%lld, then reserve_used +%lld)",
            vmstat_delta(&start, &full, "reserve_refused"), vmstat_delta(&full, &after, "reserve_used"));
    } else {
        skip("not Pagoda", "a child took all user memory it could get");
        skip("not Pagoda", "meanwhile the kernel used its reserve");
    }
    ok(WIFEXITED(vfork_status) && WEXITSTATUS(vfork_status) == 7, "vfork works (%s)", describe_wait_status(vfork_status));
    ok(unlink_failures == 0, "every unlink succeeded (%d failed, the first with errno %d)", unlink_failures,
        first_unlink_errno);
    if (scratch_fillable())
        ok(r == 0 && (long)fs.f_ffree == free_inodes, "statfs: the inodes are free again (%ld, were %ld)", (long)fs.f_ffree,
            free_inodes);
    else
        skip("not a tmpfs we may fill", "statfs: the inodes are free again");
    status = exec_child(argv[0]);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 42, "fork + execve after (%s)", describe_wait_status(status));

    vmstat_read(&after);
    if (pagoda) {
        long long heap = vmstat_delta(&start, &after, "kernel_heap_bytes");
        long long mapped = vmstat_delta(&start, &after, "kernel_heap_mapped");
        long long frames = vmstat_delta(&start, &after, "frames_free");
        ok(heap < 64 * 1024, "kernel_heap_bytes back near the start (%+lld bytes)", heap);
        ok(mapped <= (1 << 20) && frames >= -(1 << 20) / 4096 - 64,
            "the heap gave its frames back: kernel_heap_mapped %+lld bytes, frames_free %+lld", mapped, frames);
    } else {
        skip("not Pagoda", "kernel_heap_bytes back near the start");
        skip("not Pagoda", "the heap gave its frames back");
    }
    ok(scratch_tmpfs_close() == 0 && (!pagoda || unlink(copy) == 0), "clean up (errno=%d)", errno);
    return tap_done();
}
