// unlink_space — removing a file gives its blocks back at once, on a real disk (ext2 on
// Pagoda), as Linux does when nothing holds the file open:
//   statfs's free blocks drop by the size of a 6 MiB file and come back after unlink (the
//   VFS looks the entry up first, for its permission checks: the inode cache must not keep
//   the unlinked inode alive), and after a rename over it; twice 6 MiB fit in a 16 MiB disk
//   one after the other; a file still open keeps its blocks until it is closed. The counts
//   are checked only on a disk of this test's own (Pagoda's 16 MiB image): on the host the
//   directory is on a shared file system whose free count moves with everyone's writes.
// disk: 16
// args: @DIR@
#define _GNU_SOURCE
#include "file_util.h"

#include <sys/statfs.h>

static const size_t SIZE = 6 << 20;

static long free_blocks(const char* dir)
{
    struct statfs st;
    return statfs(dir, &st) == 0 ? (long)st.f_bfree : -1;
}

static int own_disk; // the disk is this test's alone: its free count means something

// A check of free counts: made on a disk of our own, skipped on a shared one.
static void count_check(int cond, const char* what, long value)
{
    if (own_disk)
        ok(cond, "%s (%ld free)", what, value);
    else
        skip("a shared disk", "%s", what);
}

static int write_file(const char* path)
{
    int fd = make_pattern_file(path, SIZE, 3);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    char a[600], b[600];
    file_path(a, sizeof a, dir, "space-a");
    file_path(b, sizeof b, dir, "space-b");
    long blocks = (long)(SIZE / 4096);
    struct statfs disk;
    own_disk = statfs(dir, &disk) == 0 && (long long)disk.f_blocks * disk.f_bsize <= 64ll << 20;

    long before = free_blocks(dir);
    ok(write_file(a) == 0, "write 6 MiB (errno=%d)", errno);
    long written = free_blocks(dir);
    count_check(before - written >= blocks, "its blocks are in use", written);
    ok(unlink(a) == 0, "unlink (errno=%d)", errno);
    long after = free_blocks(dir);
    count_check(after >= before - 2, "unlink gave them back at once", after);

    ok(write_file(a) == 0 && write_file(b) == 0, "two 6 MiB files (errno=%d)", errno);
    ok(rename(b, a) == 0, "rename one over the other (errno=%d)", errno);
    long renamed = free_blocks(dir);
    count_check(renamed >= written, "the replaced file's blocks came back", renamed);
    ok(unlink(a) == 0 && write_file(b) == 0 && unlink(b) == 0, "6 MiB again fits (errno=%d)", errno);

    ok(write_file(a) == 0, "write 6 MiB once more");
    int fd = open(a, O_RDONLY);
    ok(fd >= 0 && unlink(a) == 0, "unlink it while open (errno=%d)", errno);
    long open_after = free_blocks(dir);
    count_check(before - open_after >= blocks, "an open file keeps its blocks", open_after);
    close(fd);
    long closed = free_blocks(dir);
    count_check(closed >= before - 2, "closing it frees them", closed);
    return tap_done();
}
