// memfd_seals — file sealing (fcntl F_ADD_SEALS / F_GET_SEALS), as on Linux:
//   - a memfd made without MFD_ALLOW_SEALING, and a file of /dev/shm (tmpfs), have
//     F_SEAL_SEAL and refuse more (EPERM); with it, none, and seals add up; F_SEAL_SEAL then
//     refuses even 0; unknown seal bits EINVAL; a descriptor opened read-only EPERM;
//   - F_SEAL_SHRINK: truncating smaller and open's O_TRUNC EPERM, growing works;
//   - F_SEAL_GROW: truncating larger, fallocate past the end (with KEEP_SIZE too) EPERM; a
//     write across the end stops short at the end (page-aligned size), one at it EPERM;
//   - F_SEAL_WRITE: EBUSY while a MAP_SHARED mapping may write (even one mapped PROT_READ
//     from the O_RDWR descriptor), allowed with a MAP_PRIVATE one; then write, PUNCH_HOLE
//     and a shared PROT_WRITE mmap EPERM, mprotect adding PROT_WRITE to a shared one EACCES,
//     MAP_PRIVATE writable still fine, the size may still change;
//   - F_SEAL_FUTURE_WRITE: a writable mapping made before keeps writing, new writes and
//     writable shared mappings EPERM, and so is its MADV_REMOVE (a hole punched);
//   - MFD_NOEXEC_SEAL: mode 0666 and F_SEAL_EXEC, chmod adding x EPERM (other bits fine);
//   - seals belong to the file: a dup and a reopen through /proc/self/fd see them;
//   - a file outside tmpfs (ext2 on Pagoda, whatever the host's disk has) cannot be sealed:
//     EINVAL.
#define _GNU_SOURCE
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#define MFD_ALLOW_SEALING_FLAG 2
#define MFD_NOEXEC_SEAL_FLAG 8
#define TMPFS_MAGIC 0x01021994
#define SIZE 8192

static int memfd(unsigned flags)
{
    int fd = (int)syscall(SYS_memfd_create, "seals", flags);
    if (fd < 0)
        bail("memfd_create(%u): %s", flags, strerror(errno));
    if (ftruncate(fd, SIZE) != 0)
        bail("ftruncate: %s", strerror(errno));
    return fd;
}

static int fails_with(long r, int expected_errno) { return r == -1 && errno == expected_errno; }
static long size_of(int fd)
{
    struct stat st;
    fstat(fd, &st);
    return (long)st.st_size;
}
static int seals(int fd) { return fcntl(fd, F_GET_SEALS); }

int main(void)
{
    tap_plan(34);
    char buffer[4 * SIZE];
    memset(buffer, 'x', sizeof buffer);

    // Who may be sealed.
    int fd = memfd(0);
    ok(seals(fd) == F_SEAL_SEAL, "a memfd without MFD_ALLOW_SEALING has F_SEAL_SEAL (%d)", seals(fd));
    ok(fails_with(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM), "and refuses a seal: EPERM");
    close(fd);
    int shm = open("/dev/shm/memfd_seals_test", O_RDWR | O_CREAT | O_TRUNC, 0600);
    unlink("/dev/shm/memfd_seals_test");
    ok(shm >= 0 && seals(shm) == F_SEAL_SEAL && fails_with(fcntl(shm, F_ADD_SEALS, F_SEAL_GROW), EPERM),
        "a /dev/shm file: F_SEAL_SEAL, F_ADD_SEALS EPERM");
    close(shm);

    fd = memfd(MFD_ALLOW_SEALING_FLAG);
    ok(seals(fd) == 0, "with MFD_ALLOW_SEALING: no seals (%d)", seals(fd));
    ok(fails_with(fcntl(fd, F_ADD_SEALS, 0x40), EINVAL), "an unknown seal bit: EINVAL");
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int reader = open(path, O_RDONLY);
    ok(reader >= 0 && fails_with(fcntl(reader, F_ADD_SEALS, F_SEAL_SHRINK), EPERM), "a read-only descriptor: EPERM");
    ok(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0 && seals(reader) == F_SEAL_SHRINK,
        "F_SEAL_SHRINK added; a reopen through /proc/self/fd sees it");
    int dup_fd = dup(fd);
    ok(fcntl(dup_fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0 && seals(fd) == F_SEAL_SHRINK, "adding it again through a dup: no change");

    // F_SEAL_SHRINK.
    ok(fails_with(ftruncate(fd, SIZE / 2), EPERM) && size_of(fd) == SIZE, "F_SEAL_SHRINK: ftruncate smaller EPERM");
    ok(fails_with(open(path, O_RDWR | O_TRUNC), EPERM), "F_SEAL_SHRINK: open with O_TRUNC EPERM");
    ok(ftruncate(fd, SIZE * 2) == 0 && size_of(fd) == SIZE * 2, "F_SEAL_SHRINK: growing works");
    ok(ftruncate(fd, SIZE) == -1, "(shrinking back is refused)");

    // F_SEAL_GROW.
    close(dup_fd);
    close(reader);
    close(fd);
    fd = memfd(MFD_ALLOW_SEALING_FLAG);
    ok(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) == 0, "F_SEAL_GROW added");
    ok(fails_with(ftruncate(fd, SIZE + 1), EPERM), "F_SEAL_GROW: ftruncate larger EPERM");
    ok(fails_with(fallocate(fd, 0, 0, SIZE * 2), EPERM) && fails_with(fallocate(fd, FALLOC_FL_KEEP_SIZE, SIZE, 1), EPERM),
        "F_SEAL_GROW: fallocate past the end EPERM, KEEP_SIZE too");
    ok(fallocate(fd, 0, 0, SIZE) == 0, "F_SEAL_GROW: fallocate inside the file works");
    long written = pwrite(fd, buffer, sizeof buffer, SIZE / 2);
    ok(written == SIZE / 2 && size_of(fd) == SIZE, "F_SEAL_GROW: a write across the end stops at it (%ld bytes)", written);
    ok(fails_with(pwrite(fd, buffer, 1, SIZE), EPERM), "F_SEAL_GROW: a write at the end EPERM");
    ok(ftruncate(fd, SIZE / 2) == 0, "F_SEAL_GROW: shrinking works");
    close(fd);

    // F_SEAL_WRITE.
    fd = memfd(MFD_ALLOW_SEALING_FLAG);
    char* shared = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    ok(shared != MAP_FAILED && fails_with(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY),
        "F_SEAL_WRITE with a PROT_READ MAP_SHARED mapping of the O_RDWR fd: EBUSY");
    munmap(shared, SIZE);
    char* private_map = mmap(NULL, SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
    ok(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == 0 && seals(fd) == F_SEAL_WRITE, "with only a MAP_PRIVATE one: sealed");
    munmap(private_map, SIZE);
    ok(fails_with(write(fd, "data", 4), EPERM) && fails_with(pwrite(fd, "data", 4, 0), EPERM), "F_SEAL_WRITE: write and pwrite EPERM");
    ok(write(fd, "", 0) == 0, "F_SEAL_WRITE: a write of nothing is 0");
    ok(fails_with(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, SIZE), EPERM), "F_SEAL_WRITE: PUNCH_HOLE EPERM");
    ok(mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EPERM,
        "F_SEAL_WRITE: a writable MAP_SHARED mmap EPERM");
    shared = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    ok(shared != MAP_FAILED && fails_with(mprotect(shared, SIZE, PROT_READ | PROT_WRITE), EACCES),
        "F_SEAL_WRITE: a read-only MAP_SHARED mmap works, mprotect adding PROT_WRITE EACCES");
    munmap(shared, SIZE);
    private_map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    ok(private_map != MAP_FAILED && (private_map[0] = 1) == 1, "F_SEAL_WRITE: a writable MAP_PRIVATE mapping works");
    munmap(private_map, SIZE);
    ok(ftruncate(fd, SIZE * 2) == 0 && ftruncate(fd, SIZE / 2) == 0, "F_SEAL_WRITE: the size still changes");
    close(fd);

    // F_SEAL_FUTURE_WRITE.
    fd = memfd(MFD_ALLOW_SEALING_FLAG);
    shared = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ok(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE) == 0, "F_SEAL_FUTURE_WRITE added beside a writable mapping");
    shared[0] = 'y';
    char c = 0;
    ok(pread(fd, &c, 1, 0) == 1 && c == 'y' && fails_with(pwrite(fd, "z", 1, 0), EPERM)
            && mmap(NULL, SIZE, PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EPERM,
        "F_SEAL_FUTURE_WRITE: the old mapping writes; pwrite and a new writable mapping EPERM");
    ok(fails_with(madvise(shared, 4096, MADV_REMOVE), EPERM) && shared[0] == 'y',
        "F_SEAL_FUTURE_WRITE: MADV_REMOVE through the old mapping EPERM, the page kept");
    munmap(shared, SIZE);
    close(fd);

    // MFD_NOEXEC_SEAL.
    fd = (int)syscall(SYS_memfd_create, "noexec", MFD_NOEXEC_SEAL_FLAG);
    struct stat st;
    fstat(fd, &st);
    ok((st.st_mode & 07777) == 0666 && seals(fd) == F_SEAL_EXEC, "MFD_NOEXEC_SEAL: mode 0666, F_SEAL_EXEC (mode %o, seals %d)",
        st.st_mode & 07777, seals(fd));
    ok(fails_with(fchmod(fd, 0755), EPERM) && fchmod(fd, 0600) == 0, "F_SEAL_EXEC: chmod adding x EPERM, others work");
    close(fd);

    // Outside tmpfs: the first of these directories that is not tmpfs and takes a file.
    static const char* const candidates[] = { "./memfd_seals_plain", "/memfd_seals_plain", "/tmp/memfd_seals_plain" };
    int plain = -1;
    for (unsigned i = 0; i < sizeof candidates / sizeof candidates[0] && plain < 0; ++i) {
        plain = open(candidates[i], O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (plain < 0)
            continue;
        unlink(candidates[i]);
        struct statfs fs;
        if (fstatfs(plain, &fs) != 0 || fs.f_type == TMPFS_MAGIC) {
            close(plain);
            plain = -1;
        }
    }
    if (plain >= 0)
        ok(fails_with(fcntl(plain, F_ADD_SEALS, F_SEAL_WRITE), EINVAL) && fails_with(fcntl(plain, F_GET_SEALS), EINVAL),
            "a file outside tmpfs: F_ADD_SEALS and F_GET_SEALS EINVAL");
    else
        skip("no writable directory outside tmpfs", "a file outside tmpfs cannot be sealed");
    close(plain);
    return tap_done();
}
