// memfd — memfd_create makes an anonymous file, as on Linux:
//   - a regular file (mode 0777, no links) of size 0 that ftruncate sizes, opened
//     O_RDWR; MFD_CLOEXEC sets FD_CLOEXEC; /proc/self/maps names its mappings
//     "/memfd:NAME (deleted)";
//   - write() and a MAP_SHARED mapping are the same pages (stores through one are read
//     through the other, and a second mapping sees them too; on Pagoda both mappings use
//     one frame), a fork child's stores reach the parent, MAP_PRIVATE copies on write;
//   - its blocks (st_blocks) are the pages written; MADV_REMOVE punches them out (zeros
//     again), and on Pagoda the page-cache pages come and go with them (nr_file_pages);
//   - closed, it lives on in its mappings; on Pagoda its pages go with the last of them;
//   - each call makes a file of its own; a name of 250 bytes or an unknown flag is EINVAL,
//     a bad name pointer EFAULT.
#define _GNU_SOURCE
#include "mem_util.h"

#include <sys/stat.h>

static long memfd(const char* name, unsigned flags) { return syscall(SYS_memfd_create, name, flags); }

static unsigned char* target;

static void child_stores(void* unused)
{
    (void)unused;
    target[PAGE + 100] = 0x42; // page 1, which write() already filled
}

int main(void)
{
    int fd = (int)memfd("pagoda", 0);
    if (!ok(fd >= 0, "memfd_create(\"pagoda\", 0) (errno=%d)", errno))
        bail("no memfd");
    struct stat st;
    fstat(fd, &st);
    ok(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0777 && st.st_nlink == 0 && st.st_size == 0,
        "a regular file, mode 0777, no links, empty (mode %o nlink %lu size %lld)", st.st_mode, (unsigned long)st.st_nlink,
        (long long)st.st_size);
    ok((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR && fcntl(fd, F_GETFD) == 0, "open O_RDWR, not close-on-exec");
    int other = (int)memfd("other", 1); // MFD_CLOEXEC
    ok(other >= 0 && fcntl(other, F_GETFD) == FD_CLOEXEC, "MFD_CLOEXEC sets FD_CLOEXEC");
    ok(ftruncate(fd, 4 * PAGE) == 0 && fstat(fd, &st) == 0 && st.st_size == 4 * PAGE && st.st_blocks == 0,
        "ftruncate sizes it, with no blocks yet (blocks %lld)", (long long)st.st_blocks);

    static struct vmstat before, written, removed;
    vmstat_read(&written); // warm the reader up
    vmstat_read(&before);
    char message[] = "through write()";
    ok(pwrite(fd, message, sizeof message, PAGE) == (ssize_t)sizeof message, "pwrite into page 1");
    unsigned char* shared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!ok(shared != MAP_FAILED, "MAP_SHARED of it (errno=%d)", errno))
        bail("no mapping");
    ok(memcmp(shared + PAGE, message, sizeof message) == 0, "the mapping reads what write() wrote");
    shared[3 * PAGE] = 0x33;
    char back = 0;
    ok(pread(fd, &back, 1, 3 * PAGE) == 1 && back == 0x33, "read() reads what the mapping stored");
    unsigned char* second = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    ok(second != MAP_FAILED && second[3 * PAGE] == 0x33, "a second mapping sees the same bytes");
    if (frame_of(shared + 3 * PAGE))
        ok(frame_of(second + 3 * PAGE) == frame_of(shared + 3 * PAGE), "both mappings use one frame");
    else
        skip("pagemap hides frame numbers", "both mappings use one frame");
    vmstat_read(&written);
    fstat(fd, &st);
    ok(st.st_blocks == 2 * PAGE / 512, "its blocks are the two pages written (blocks %lld)", (long long)st.st_blocks);
    ok(maps_names(shared, "/memfd:pagoda (deleted)"), "/proc/self/maps names it /memfd:pagoda (deleted)");

    target = shared;
    int status = status_of_child(child_stores, NULL);
    ok(status == 0 && shared[PAGE + 100] == 0x42, "a fork child's store through the mapping reaches the parent");
    unsigned char* private_copy = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    ok(private_copy != MAP_FAILED && private_copy[3 * PAGE] == 0x33, "MAP_PRIVATE reads the file");
    private_copy[3 * PAGE] = 0x99;
    ok(shared[3 * PAGE] == 0x33, "and its stores stay private (copy on write)");
    munmap(private_copy, 4 * PAGE);

    ok(madvise(shared + 3 * PAGE, PAGE, MADV_REMOVE) == 0, "MADV_REMOVE of page 3 (errno=%d)", errno);
    vmstat_read(&removed);
    fstat(fd, &st);
    ok(second[3 * PAGE] == 0 && st.st_blocks == PAGE / 512, "punches it out: zeros, one block left (blocks %lld)",
        (long long)st.st_blocks);
    if (vmstat_is_pagoda(&before)) {
        long long grown = vmstat_delta(&before, &written, "nr_file_pages");
        long long shrunk = vmstat_delta(&written, &removed, "nr_file_pages");
        ok(grown == 2 && shrunk == -1, "its pages are page-cache pages: two came, one went (nr_file_pages %+lld, %+lld)", grown,
            shrunk);
    } else {
        skip("not Pagoda", "its pages are page-cache pages");
    }
    struct stat other_st;
    fstat(other, &other_st);
    ok(st.st_ino != other_st.st_ino && other_st.st_size == 0, "each call makes a file of its own");

    close(fd);
    ok(memcmp(second + PAGE, message, sizeof message) == 0, "closed, it lives on in its mappings");
    static struct vmstat gone;
    munmap(second, 4 * PAGE);
    munmap(shared, 4 * PAGE);
    vmstat_read(&gone);
    if (vmstat_is_pagoda(&before))
        ok(vmstat_delta(&removed, &gone, "nr_file_pages") == -1, "unmapped too, its last page goes (nr_file_pages %+lld)",
            vmstat_delta(&removed, &gone, "nr_file_pages"));
    else
        skip("not Pagoda", "unmapped too, its last page goes");
    char long_name[300];
    memset(long_name, 'n', sizeof long_name);
    long_name[249] = 0;
    int longest = (int)memfd(long_name, 0);
    ok(longest >= 0, "a name of 249 bytes is taken (errno=%d)", errno);
    long_name[249] = 'n';
    long_name[250] = 0;
    int e = errno_of(memfd(long_name, 0));
    ok(e == EINVAL, "a name of 250 bytes is EINVAL (errno=%d)", e);
    e = errno_of(memfd("x", 0x100));
    ok(e == EINVAL, "an unknown flag is EINVAL (errno=%d)", e);
    e = errno_of(memfd((const char*)8, 0));
    ok(e == EFAULT, "a bad name pointer is EFAULT (errno=%d)", e);
    return tap_done();
}
