// mincore — which pages are in memory, as Linux reports it:
//   - untouched anonymous memory is not resident; a written page is, and so is a page only
//     read (it maps the shared zero frame);
//   - a file's pages are resident when its page cache holds them, even in a mapping that
//     never touched them (written with write() first), and not when it does not (a hole
//     made by ftruncate in a memory-only file);
//   - a page dropped by MADV_DONTNEED is not resident any more;
//   - the errnos: an unaligned start EINVAL, a range leaving user space or running into a
//     hole ENOMEM (the vector filled up to the hole), a vector that is not writable EFAULT.
// disk: 16
// args: @DIR@
#include "mem_util.h"

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    unsigned char* p = map_pages(4);
    ok(resident_pages(p, 4) == 0, "untouched anonymous memory is not resident");
    p[0] = 1;
    volatile unsigned char read_only = p[2 * PAGE];
    (void)read_only;
    unsigned char vector[8];
    memset(vector, 0xee, sizeof vector);
    int r = mincore(p, 4 * PAGE, vector);
    ok(r == 0 && vector[0] == 1 && vector[1] == 0 && vector[2] == 1 && vector[3] == 0,
        "written and read pages are resident, the others not (%d %d %d %d)", vector[0], vector[1], vector[2], vector[3]);
    ok(vector[4] == 0xee, "nothing is written past the vector's end");
    madvise(p, PAGE, MADV_DONTNEED);
    ok(resident_pages(p, 1) == 0, "a page dropped by MADV_DONTNEED is not resident");

    char path[512];
    file_path(path, sizeof path, dir, "cached");
    int fd = make_pattern_file(path, 3 * PAGE, 3);
    unsigned char* f = fd >= 0 ? mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    ok(f != MAP_FAILED && resident_pages(f, 3) == 3, "a file's pages written by write() are resident before any touch (%ld)",
        f != MAP_FAILED ? resident_pages(f, 3) : -1);

    char memory_path[64];
    snprintf(memory_path, sizeof memory_path, "/dev/shm/mincore-%d", (int)getpid());
    int memory_fd = open(memory_path, O_CREAT | O_RDWR | O_TRUNC, 0600);
    unlink(memory_path);
    unsigned char* m = memory_fd >= 0 && ftruncate(memory_fd, 2 * PAGE) == 0
        ? mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memory_fd, 0)
        : MAP_FAILED;
    if (!ok(m != MAP_FAILED, "a memory-only file in /dev/shm, mapped (errno=%d)", errno))
        bail("no /dev/shm");
    ok(resident_pages(m, 2) == 0, "a hole in a memory-only file is not resident");
    m[PAGE] = 1;
    ok(resident_pages(m, 2) == 1, "its written page is");

    int e = errno_of(mincore(p + 1, PAGE, vector));
    ok(e == EINVAL, "an unaligned start: EINVAL (errno=%d)", e);
    e = errno_of(mincore((void*)0x7ffffffff000, 2 * PAGE, vector));
    ok(e == ENOMEM, "a range leaving user space: ENOMEM (errno=%d)", e);
    munmap(p + 2 * PAGE, PAGE);
    memset(vector, 0xee, sizeof vector);
    e = errno_of(mincore(p, 4 * PAGE, vector));
    ok(e == ENOMEM && vector[0] == 0 && vector[1] == 0, "a hole: ENOMEM, the vector filled up to it (errno=%d)", e);
    e = errno_of(mincore(p, PAGE, (unsigned char*)free_address(1)));
    ok(e == EFAULT, "an unwritable vector: EFAULT (errno=%d)", e);
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    return tap_done();
}
