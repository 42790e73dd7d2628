// fs_ops — the file-system system calls on a real disk (ext2 on virtio-blk on Pagoda), each
// result checked against what Linux does:
//   open: O_CREAT, O_EXCL (EEXIST), O_TRUNC, O_APPEND (even after lseek 0), O_CLOEXEC,
//         O_DIRECTORY (ENOTDIR on a file); the umask applied to created modes;
//   read/write/pread/pwrite/readv/writev, lseek SEEK_SET/CUR/END, a write past EOF leaves a
//         hole that reads as zeros;
//   dup/dup2/dup3 (shared offset, FD_CLOEXEC), fcntl F_GETFD/F_SETFD/F_GETFL/F_SETFL/
//         F_DUPFD_CLOEXEC; fsync, fdatasync, sync;
//   ftruncate (shrink, grow with zeros), truncate by path;
//   mkdir/mkdirat (EEXIST), rmdir (ENOTEMPTY, ENOTDIR), unlink/unlinkat (EISDIR, AT_REMOVEDIR);
//   rename/renameat: a file over a file replaces it, a directory moves with its contents,
//         a file over a directory → EISDIR, a directory over a file → ENOTDIR;
//   link (st_nlink 2, same inode), symlink + readlink, lstat vs stat;
//   getdents64 of a directory of 300 files with a small buffer: every name once, d_type;
//   getcwd/chdir/fchdir and a relative open; stat/fstat/lstat/newfstatat/statx fields
//         (mode, size, nlink, st_blocks plausible, inode stable across rename);
//   access/faccessat: F_OK, ENOENT, X_OK on a 0644 file → EACCES (R_OK/W_OK only as root);
//   an 8 MiB file written with 1 KiB pwrite()s in scattered order (with 4 KiB blocks it
//         needs the indirect and the double-indirect block), read back and compared.
// disk: 32
// args: @DIR@
#define _GNU_SOURCE
#include "file_util.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static const char* dir;
static char p1[600], p2[600], p3[600];

static char* at(char* out, const char* name) { return file_path(out, 600, dir, name); }

// r == -1 with errno e? (for the description: "r=.. errno=..")
static int fails_with(long r, int e) { return r == -1 && errno == e; }

static off_t size_of(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

static mode_t mode_of(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_mode : 0;
}

static int make_file(const char* path, const char* text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int r = write_all(fd, text, strlen(text));
    close(fd);
    return r;
}

static int file_is(const char* path, const char* text)
{
    char buf[256];
    ssize_t n = read_whole_file(path, buf, sizeof buf);
    return n == (ssize_t)strlen(text) && memcmp(buf, text, (size_t)n) == 0;
}

// statx: raw system call with Linux's struct (musl may have no wrapper).
struct statx_ts {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct statx_buf {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad1;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};
#define STATX_BASIC_STATS_MASK 0x7ffu

static void test_open_rw(void)
{
    at(p1, "a");
    unlink(p1);
    int fd = open(p1, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    ok(fd >= 0, "open O_CREAT|O_EXCL of a new file (fd=%d errno=%d)", fd, errno);
    struct stat st;
    ok(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644 && st.st_size == 0 && st.st_nlink == 1,
        "fstat: regular, mode 0666 & ~umask 022 = 0644 (got %o), size 0, nlink 1", st.st_mode & 07777);
    int fd2 = open(p1, O_RDWR | O_CREAT | O_EXCL, 0666);
    ok(fails_with(fd2, EEXIST), "O_CREAT|O_EXCL of an existing file → EEXIST (r=%d errno=%d)", fd2, errno);
    fd2 = open(p1, O_RDWR | O_CREAT, 0600);
    ok(fd2 >= 0 && mode_of(p1) == (S_IFREG | 0644), "O_CREAT without O_EXCL opens the existing file, mode unchanged (fd=%d mode=%o)", fd2, mode_of(p1));
    close(fd2);

    ssize_t n = write(fd, "hello world", 11);
    off_t cur = lseek(fd, 0, SEEK_CUR);
    ok(n == 11 && cur == 11, "write 11 bytes → 11, offset 11 (n=%zd cur=%lld)", n, (long long)cur);
    char buf[64] = { 0 };
    off_t s = lseek(fd, 6, SEEK_SET);
    n = read(fd, buf, 5);
    ok(s == 6 && n == 5 && memcmp(buf, "world", 5) == 0, "lseek SEEK_SET 6, read 5 → \"world\" (s=%lld n=%zd)", (long long)s, n);
    n = read(fd, buf, sizeof buf);
    ok(n == 0, "read at EOF → 0 (n=%zd)", n);
    s = lseek(fd, -5, SEEK_END);
    off_t c = lseek(fd, 2, SEEK_CUR);
    ok(s == 6 && c == 8, "lseek SEEK_END -5 → 6, SEEK_CUR +2 → 8 (%lld, %lld)", (long long)s, (long long)c);
    off_t bad = lseek(fd, -100, SEEK_SET);
    ok(fails_with(bad, EINVAL), "lseek to a negative offset → EINVAL (r=%lld errno=%d)", (long long)bad, errno);

    memset(buf, 0, sizeof buf);
    n = pread(fd, buf, 5, 0);
    cur = lseek(fd, 0, SEEK_CUR);
    ok(n == 5 && memcmp(buf, "hello", 5) == 0 && cur == 8, "pread 5 at 0 → \"hello\", file offset stays 8 (n=%zd cur=%lld)", n, (long long)cur);
    n = pwrite(fd, "HELLO", 5, 0);
    memset(buf, 0, sizeof buf);
    ssize_t m = pread(fd, buf, 11, 0);
    cur = lseek(fd, 0, SEEK_CUR);
    ok(n == 5 && m == 11 && memcmp(buf, "HELLO world", 11) == 0 && cur == 8, "pwrite 5 at 0, pread 11 → \"HELLO world\", offset still 8 (\"%s\")", buf);

    struct iovec w[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
    lseek(fd, 11, SEEK_SET);
    n = writev(fd, w, 3);
    char x[4] = { 0 }, y[16] = { 0 };
    struct iovec r[2] = { { x, 3 }, { y, sizeof y } };
    lseek(fd, 8, SEEK_SET);
    m = readv(fd, r, 2);
    ok(n == 8 && m == 11 && memcmp(x, "rld", 3) == 0 && memcmp(y, "abcdefgh", 8) == 0, "writev 3+0+5 → 8; readv 3+16 from 8 → 11 (\"%s\" \"%s\")", x, y);

    // Past EOF: a write 10000 bytes beyond the end leaves a hole reading as zeros.
    s = lseek(fd, 10000, SEEK_END);
    n = write(fd, "Z", 1);
    ok(s == 10019 && n == 1 && fstat(fd, &st) == 0 && st.st_size == 10020, "lseek SEEK_END +10000, write 1 → size 10020 (s=%lld size=%lld)", (long long)s, (long long)st.st_size);
    static unsigned char hole[10000];
    memset(hole, 0xee, sizeof hole);
    n = pread(fd, hole, sizeof hole, 19);
    ok(n == 10000 && all_zero(hole, sizeof hole), "the 10000-byte hole reads as zeros (n=%zd)", n);
    ok(st.st_blocks > 0 && st.st_blocks * 512 <= 4 * 4096 && st.st_blocks % 8 == 0, "st_blocks plausible for 2 data blocks of 4 KiB and a hole (st_blocks=%lld)", (long long)st.st_blocks);

    ok(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync return 0");
    close(fd);

    // O_APPEND: every write goes to the end, even after lseek 0.
    fd = open(p1, O_WRONLY | O_APPEND);
    s = lseek(fd, 0, SEEK_SET);
    n = write(fd, "tail", 4);
    cur = lseek(fd, 0, SEEK_CUR);
    char end[5] = { 0 };
    int rd = open(p1, O_RDONLY);
    m = pread(rd, end, 4, 10020);
    ok(s == 0 && n == 4 && cur == 10024 && m == 4 && memcmp(end, "tail", 4) == 0 && size_of(p1) == 10024,
        "O_APPEND after lseek 0: the write lands at the end (cur=%lld size=%lld \"%s\")", (long long)cur, (long long)size_of(p1), end);
    int fl = fcntl(fd, F_GETFL);
    ok(fl >= 0 && (fl & O_APPEND) && (fl & O_ACCMODE) == O_WRONLY, "F_GETFL shows O_WRONLY|O_APPEND (%#x)", fl);
    close(fd);
    close(rd);

    // O_TRUNC.
    fd = open(p1, O_RDWR | O_TRUNC);
    ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC empties the file (size %lld)", (long long)st.st_size);
    n = read(fd, buf, sizeof buf);
    ok(n == 0, "and read → 0 (n=%zd)", n);
    close(fd);
}

static void test_fcntl_dup(void)
{
    at(p1, "b");
    int fd = open(p1, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ok(fcntl(fd, F_GETFD) == FD_CLOEXEC, "O_CLOEXEC → F_GETFD = FD_CLOEXEC (%d)", fcntl(fd, F_GETFD));
    int r = fcntl(fd, F_SETFD, 0);
    ok(r == 0 && fcntl(fd, F_GETFD) == 0, "F_SETFD 0 clears it (r=%d now %d)", r, fcntl(fd, F_GETFD));
    int fl = fcntl(fd, F_GETFL);
    ok((fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND), "F_GETFL: O_RDWR, no O_APPEND (%#x)", fl);
    r = fcntl(fd, F_SETFL, fl | O_APPEND);
    fl = fcntl(fd, F_GETFL);
    ok(r == 0 && (fl & O_APPEND) && (fl & O_ACCMODE) == O_RDWR, "F_SETFL O_APPEND is kept, access mode unchanged (%#x)", fl);
    write(fd, "0123456789", 10);
    lseek(fd, 0, SEEK_SET);
    write(fd, "ab", 2);
    ok(size_of(p1) == 12, "with O_APPEND set by F_SETFL a write after lseek 0 appends (size %lld)", (long long)size_of(p1));
    fcntl(fd, F_SETFL, fl & ~O_APPEND);
    fl = fcntl(fd, F_GETFL);
    ok(!(fl & O_APPEND), "F_SETFL without O_APPEND clears it (%#x)", fl);

    int d = dup(fd);
    off_t a = lseek(fd, 3, SEEK_SET);
    off_t b = lseek(d, 0, SEEK_CUR);
    ok(d > fd && a == 3 && b == 3 && fcntl(d, F_GETFD) == 0, "dup: new fd %d shares the offset (3 → %lld), no FD_CLOEXEC", d, (long long)b);
    char c = 0;
    ssize_t n = read(d, &c, 1);
    ok(n == 1 && c == '3' && lseek(fd, 0, SEEK_CUR) == 4, "a read on the dup moves the original's offset too (c=%c)", c);
    int d2 = dup2(fd, 50);
    ok(d2 == 50 && lseek(50, 0, SEEK_CUR) == 4, "dup2(fd, 50) → 50, same offset (r=%d)", d2);
    r = dup2(fd, fd);
    ok(r == fd, "dup2(fd, fd) → fd (r=%d)", r);
    int d3 = dup3(fd, 51, O_CLOEXEC);
    ok(d3 == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC, "dup3(fd, 51, O_CLOEXEC) → 51 with FD_CLOEXEC (r=%d)", d3);
    r = dup3(fd, fd, 0);
    ok(fails_with(r, EINVAL), "dup3(fd, fd) → EINVAL (r=%d errno=%d)", r, errno);
    int d4 = fcntl(fd, F_DUPFD_CLOEXEC, 60);
    ok(d4 >= 60 && fcntl(d4, F_GETFD) == FD_CLOEXEC && lseek(d4, 0, SEEK_CUR) == 4, "F_DUPFD_CLOEXEC 60 → %d (≥ 60) with FD_CLOEXEC, same file", d4);
    int d5 = fcntl(fd, F_DUPFD, 60);
    ok(d5 > 60 && fcntl(d5, F_GETFD) == 0, "F_DUPFD 60 → the next free one ≥ 60 (%d), no FD_CLOEXEC", d5);
    close(50);
    r = fcntl(50, F_GETFD);
    ok(fails_with(r, EBADF), "F_GETFD on a closed fd → EBADF (r=%d errno=%d)", r, errno);
    close(51);
    close(d4);
    close(d5);
    close(d);
    close(fd);

    // O_DIRECTORY.
    fd = open(p1, O_RDONLY | O_DIRECTORY);
    ok(fails_with(fd, ENOTDIR), "O_DIRECTORY on a file → ENOTDIR (r=%d errno=%d)", fd, errno);
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    ok(fd >= 0, "O_DIRECTORY on the directory works (fd=%d errno=%d)", fd, errno);
    close(fd);
}

static void test_truncate(void)
{
    at(p1, "t");
    int fd = open(p1, O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "abcdefghij", 10);
    int r = ftruncate(fd, 3);
    char buf[16] = { 0 };
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    ok(r == 0 && size_of(p1) == 3 && n == 3 && memcmp(buf, "abc", 3) == 0, "ftruncate to 3: size 3, reads \"abc\" (r=%d n=%zd)", r, n);
    r = ftruncate(fd, 10000);
    static unsigned char big[10000];
    memset(big, 0xee, sizeof big);
    n = pread(fd, big, sizeof big, 0);
    ok(r == 0 && size_of(p1) == 10000 && n == 10000 && memcmp(big, "abc", 3) == 0 && all_zero(big + 3, sizeof big - 3),
        "ftruncate to 10000: the old bytes stay, 3..9999 read as zeros (r=%d n=%zd)", r, n);
    r = truncate(p1, 5);
    ok(r == 0 && size_of(p1) == 5, "truncate(path, 5) → size 5 (r=%d size=%lld)", r, (long long)size_of(p1));
    r = ftruncate(fd, -1);
    ok(fails_with(r, EINVAL), "ftruncate to -1 → EINVAL (r=%d errno=%d)", r, errno);
    close(fd);
    fd = open(p1, O_RDONLY);
    r = ftruncate(fd, 0);
    ok(r == -1 && (errno == EINVAL || errno == EBADF), "ftruncate of an O_RDONLY fd fails (EINVAL on Linux) (r=%d errno=%d)", r, errno);
    close(fd);
    r = truncate(dir, 0);
    ok(fails_with(r, EISDIR), "truncate of a directory → EISDIR (r=%d errno=%d)", r, errno);
    unlink(p1);
}

static void test_dirs(void)
{
    at(p1, "d1");
    int r = mkdir(p1, 0777);
    ok(r == 0 && mode_of(p1) == (S_IFDIR | 0755), "mkdir 0777 → a directory, mode 0755 under umask 022 (r=%d mode=%o)", r, mode_of(p1));
    struct stat st;
    ok(stat(p1, &st) == 0 && st.st_nlink == 2 && st.st_size > 0, "a new directory has nlink 2 and a size (%lu, %lld)", (unsigned long)st.st_nlink, (long long)st.st_size);
    r = mkdir(p1, 0777);
    ok(fails_with(r, EEXIST), "mkdir of an existing directory → EEXIST (r=%d errno=%d)", r, errno);
    struct stat parent0, parent1;
    stat(dir, &parent0);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    r = mkdirat(dfd, "d2", 0700);
    at(p2, "d2");
    stat(dir, &parent1);
    ok(r == 0 && mode_of(p2) == (S_IFDIR | 0700), "mkdirat(dirfd, \"d2\", 0700) (r=%d mode=%o)", r, mode_of(p2));
    ok(parent1.st_nlink == parent0.st_nlink + 1, "the parent's nlink went up by one (%lu → %lu)", (unsigned long)parent0.st_nlink, (unsigned long)parent1.st_nlink);
    r = mkdirat(dfd, "d2", 0700);
    ok(fails_with(r, EEXIST), "mkdirat again → EEXIST (r=%d errno=%d)", r, errno);
    at(p3, "a/x");
    r = mkdir(p3, 0755);
    ok(fails_with(r, ENOTDIR), "mkdir under a file → ENOTDIR (r=%d errno=%d)", r, errno);
    at(p3, "missing/x");
    r = mkdir(p3, 0755);
    ok(fails_with(r, ENOENT), "mkdir under a missing directory → ENOENT (r=%d errno=%d)", r, errno);

    // rmdir.
    at(p3, "d1/inner");
    make_file(p3, "x");
    r = rmdir(p1);
    ok(fails_with(r, ENOTEMPTY), "rmdir of a non-empty directory → ENOTEMPTY (r=%d errno=%d)", r, errno);
    r = rmdir(p3);
    ok(fails_with(r, ENOTDIR), "rmdir of a file → ENOTDIR (r=%d errno=%d)", r, errno);
    r = unlink(p1);
    ok(r == -1 && (errno == EISDIR || errno == EPERM), "unlink of a directory → EISDIR (r=%d errno=%d)", r, errno);
    r = unlinkat(dfd, "d1/inner", 0);
    ok(r == 0 && access(p3, F_OK) == -1 && errno == ENOENT, "unlinkat(dirfd, \"d1/inner\", 0) removes the file (r=%d)", r);
    r = unlinkat(dfd, "d1", AT_REMOVEDIR);
    ok(r == 0 && access(p1, F_OK) == -1 && errno == ENOENT, "unlinkat(dirfd, \"d1\", AT_REMOVEDIR) removes the now empty directory (r=%d)", r);
    r = rmdir(p2);
    ok(r == 0 && stat(p2, &st) == -1 && errno == ENOENT, "rmdir of an empty directory; stat → ENOENT (r=%d)", r);
    r = rmdir(p2);
    ok(fails_with(r, ENOENT), "rmdir again → ENOENT (r=%d errno=%d)", r, errno);
    r = unlink(p2);
    ok(fails_with(r, ENOENT), "unlink of a missing name → ENOENT (r=%d errno=%d)", r, errno);
    close(dfd);
}

static void test_rename_link(void)
{
    at(p1, "r1");
    at(p2, "r2");
    make_file(p1, "first");
    make_file(p2, "second");
    struct stat s1, s2;
    stat(p1, &s1);
    int r = rename(p1, p2);
    ok(r == 0 && access(p1, F_OK) == -1 && file_is(p2, "first") && stat(p2, &s2) == 0 && s2.st_ino == s1.st_ino,
        "rename a file over a file: the target now is the source (same inode %lu), the old name is gone (r=%d)", (unsigned long)s1.st_ino, r);

    at(p1, "mv_from");
    at(p3, "mv_to");
    mkdir(p1, 0755);
    mkdir(p3, 0755);
    char sub[700], moved[700], inner[800];
    snprintf(sub, sizeof sub, "%s/sub", p1);
    mkdir(sub, 0755);
    snprintf(inner, sizeof inner, "%s/file", sub);
    make_file(inner, "inside");
    struct stat before, after;
    stat(sub, &before);
    int from = open(p1, O_RDONLY | O_DIRECTORY), to = open(p3, O_RDONLY | O_DIRECTORY);
    struct stat fromst0, tost0, fromst1, tost1;
    fstat(from, &fromst0);
    fstat(to, &tost0);
    r = renameat(from, "sub", to, "sub");
    snprintf(moved, sizeof moved, "%s/sub/file", p3);
    char movedsub[700];
    snprintf(movedsub, sizeof movedsub, "%s/sub", p3);
    ok(r == 0 && access(sub, F_OK) == -1 && file_is(moved, "inside") && stat(movedsub, &after) == 0 && after.st_ino == before.st_ino,
        "renameat moves a directory with its file into another directory (r=%d errno=%d)", r, errno);
    fstat(from, &fromst1);
    fstat(to, &tost1);
    ok(fromst1.st_nlink == fromst0.st_nlink - 1 && tost1.st_nlink == tost0.st_nlink + 1,
        "the old parent's nlink went down, the new one's up (%lu→%lu, %lu→%lu)", (unsigned long)fromst0.st_nlink,
        (unsigned long)fromst1.st_nlink, (unsigned long)tost0.st_nlink, (unsigned long)tost1.st_nlink);
    char dotdot[800];
    snprintf(dotdot, sizeof dotdot, "%s/..", movedsub);
    struct stat dd;
    ok(stat(dotdot, &dd) == 0 && dd.st_ino == tost1.st_ino, "its \"..\" is the new parent (ino %lu, want %lu)", (unsigned long)dd.st_ino, (unsigned long)tost1.st_ino);

    r = rename(p2, p3);
    ok(fails_with(r, EISDIR), "rename a file over a directory → EISDIR (r=%d errno=%d)", r, errno);
    r = rename(p1, p2);
    ok(fails_with(r, ENOTDIR), "rename a directory over a file → ENOTDIR (r=%d errno=%d)", r, errno);
    r = rename(p1, p3);
    ok(r == -1 && (errno == ENOTEMPTY || errno == EEXIST), "rename an empty directory over a non-empty one → ENOTEMPTY (r=%d errno=%d)", r, errno);
    char into_self[800];
    snprintf(into_self, sizeof into_self, "%s/sub/self", p3);
    r = rename(p3, into_self);
    ok(fails_with(r, EINVAL), "rename a directory into its own subdirectory → EINVAL (r=%d errno=%d)", r, errno);
    char emptydir[700];
    at(emptydir, "mv_empty");
    mkdir(emptydir, 0755);
    r = rename(p1, emptydir);
    ok(r == 0 && access(p1, F_OK) == -1, "rename a directory over an empty directory replaces it (r=%d errno=%d)", r, errno);
    r = rename(p2, p2);
    ok(r == 0 && file_is(p2, "first"), "rename of a file onto itself does nothing (r=%d)", r);
    close(from);
    close(to);

    // link.
    at(p1, "l1");
    at(p3, "l2");
    make_file(p1, "linked");
    r = link(p1, p3);
    stat(p1, &s1);
    stat(p3, &s2);
    ok(r == 0 && s1.st_nlink == 2 && s2.st_ino == s1.st_ino && file_is(p3, "linked"), "link: both names, one inode, st_nlink 2 (r=%d nlink=%lu)", r, (unsigned long)s1.st_nlink);
    r = link(p1, p3);
    ok(fails_with(r, EEXIST), "link onto an existing name → EEXIST (r=%d errno=%d)", r, errno);
    r = link(dir, p2);
    ok(r == -1 && (errno == EPERM || errno == EEXIST), "link of a directory → EPERM (r=%d errno=%d)", r, errno);
    unlink(p1);
    ok(stat(p3, &s2) == 0 && s2.st_nlink == 1 && file_is(p3, "linked"), "unlink one name: the other keeps the data, nlink 1 (%lu)", (unsigned long)s2.st_nlink);

    // symlink.
    at(p1, "sym");
    r = symlink("l2", p1);
    char target[64] = { 0 };
    ssize_t n = readlink(p1, target, sizeof target);
    ok(r == 0 && n == 2 && memcmp(target, "l2", 2) == 0, "symlink \"l2\"; readlink → \"l2\", length 2 (r=%d n=%zd)", r, n);
    struct stat ls, ss;
    lstat(p1, &ls);
    stat(p1, &ss);
    ok(S_ISLNK(ls.st_mode) && ls.st_size == 2 && ls.st_ino != s2.st_ino, "lstat: a symbolic link of size 2 with its own inode (mode %o)", ls.st_mode);
    ok(S_ISREG(ss.st_mode) && ss.st_ino == s2.st_ino && ss.st_size == 6, "stat follows it to the file (ino %lu, size %lld)", (unsigned long)ss.st_ino, (long long)ss.st_size);
    ok(file_is(p1, "linked"), "open through the link reads the file");
    struct stat fs;
    r = fstatat(AT_FDCWD, p1, &fs, AT_SYMLINK_NOFOLLOW);
    ok(r == 0 && S_ISLNK(fs.st_mode) && fs.st_ino == ls.st_ino, "newfstatat AT_SYMLINK_NOFOLLOW sees the link (mode %o)", fs.st_mode);
    n = readlink(p3, target, sizeof target);
    ok(fails_with(n, EINVAL), "readlink of a regular file → EINVAL (r=%zd errno=%d)", n, errno);
    char longname[700];
    at(longname, "sym_long");
    static char longtarget[300];
    memset(longtarget, 'q', sizeof longtarget - 1);
    r = symlink(longtarget, longname);
    static char longback[400];
    n = readlink(longname, longback, sizeof longback);
    ok(r == 0 && n == 299 && memcmp(longback, longtarget, 299) == 0, "a 299-byte symlink target (stored in a block) reads back (r=%d n=%zd)", r, n);
    r = symlink("x", p1);
    ok(fails_with(r, EEXIST), "symlink onto an existing name → EEXIST (r=%d errno=%d)", r, errno);
    at(p2, "dangling");
    symlink("nowhere", p2);
    r = stat(p2, &ss);
    ok(fails_with(r, ENOENT) && lstat(p2, &ls) == 0 && S_ISLNK(ls.st_mode), "a dangling link: stat → ENOENT, lstat works (r=%d errno=%d)", r, errno);
    r = unlink(p1);
    ok(r == 0 && lstat(p1, &ls) == -1 && stat(p3, &ss) == 0, "unlink of a symlink removes the link, not the file (r=%d)", r);
    unlink(p2);
    unlink(longname);
}

static void test_getdents(void)
{
    enum { N = 300 };
    at(p1, "many");
    mkdir(p1, 0755);
    int made = 0;
    for (int i = 0; i < N; ++i) {
        char name[700];
        snprintf(name, sizeof name, "%s/file_with_a_longer_name_%03d", p1, i);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd >= 0) {
            ++made;
            close(fd);
        }
    }
    char subdir[700];
    snprintf(subdir, sizeof subdir, "%s/subdir", p1);
    mkdir(subdir, 0755);
    char link_path[700];
    snprintf(link_path, sizeof link_path, "%s/link", p1);
    symlink("file_with_a_longer_name_000", link_path);
    ok(made == N, "made %d files in one directory (%d)", N, made);

    static unsigned char seen[N];
    memset(seen, 0, sizeof seen);
    int dots = 0, dotdot = 0, sub = 0, lnk = 0, others = 0, bad_type = 0, dup = 0, calls = 0;
    int fd = open(p1, O_RDONLY | O_DIRECTORY);
    static char buf[1024]; // small: forces many calls
    long r;
    while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        ++calls;
        for (long off = 0; off < r;) {
            struct dirent64* d = (struct dirent64*)(buf + off);
            const char* name = d->d_name;
            int n = -1;
            if (strcmp(name, ".") == 0) {
                ++dots;
                bad_type += d->d_type != DT_DIR;
            } else if (strcmp(name, "..") == 0) {
                ++dotdot;
                bad_type += d->d_type != DT_DIR;
            } else if (strcmp(name, "subdir") == 0) {
                ++sub;
                bad_type += d->d_type != DT_DIR;
            } else if (strcmp(name, "link") == 0) {
                ++lnk;
                bad_type += d->d_type != DT_LNK;
            } else if (sscanf(name, "file_with_a_longer_name_%d", &n) == 1 && n >= 0 && n < N) {
                char expect[64];
                snprintf(expect, sizeof expect, "file_with_a_longer_name_%03d", n);
                if (strcmp(expect, name) != 0)
                    ++others;
                else if (seen[n]++)
                    ++dup;
                bad_type += d->d_type != DT_REG;
            } else {
                ++others;
            }
            if (d->d_reclen == 0)
                break;
            off += d->d_reclen;
        }
    }
    int missing = 0;
    for (int i = 0; i < N; ++i)
        missing += !seen[i];
    ok(r == 0 && calls > 1, "getdents64 with a 1 KiB buffer ends with 0 after %d calls (last r=%ld errno=%d)", calls, r, errno);
    ok(missing == 0 && dup == 0 && others == 0, "every one of the %d names exactly once, no others (missing %d, duplicated %d, unknown %d)", N, missing, dup, others);
    ok(dots == 1 && dotdot == 1 && sub == 1 && lnk == 1, "\".\", \"..\", \"subdir\", \"link\" once each (%d %d %d %d)", dots, dotdot, sub, lnk);
    ok(bad_type == 0, "d_type: DT_DIR for . .. subdir, DT_LNK for the link, DT_REG for files (%d wrong)", bad_type);
    lseek(fd, 0, SEEK_SET);
    r = syscall(SYS_getdents64, fd, buf, sizeof buf);
    ok(r > 0, "after lseek 0 the listing starts again (r=%ld)", r);
    r = syscall(SYS_getdents64, fd, buf, 8);
    ok(fails_with(r, EINVAL), "getdents64 with an 8-byte buffer → EINVAL (r=%ld errno=%d)", r, errno);
    close(fd);
    int f = open(link_path, O_RDONLY);
    r = syscall(SYS_getdents64, f, buf, sizeof buf);
    ok(fails_with(r, ENOTDIR), "getdents64 on a file → ENOTDIR (r=%ld errno=%d)", r, errno);
    close(f);

    // Remove them all again (and check that the directory then is empty).
    int removed = 0;
    for (int i = 0; i < N; ++i) {
        char name[700];
        snprintf(name, sizeof name, "%s/file_with_a_longer_name_%03d", p1, i);
        removed += unlink(name) == 0;
    }
    unlink(link_path);
    rmdir(subdir);
    int rr = rmdir(p1);
    ok(removed == N && rr == 0, "unlink all %d files, then rmdir works (%d removed, rmdir r=%d errno=%d)", N, removed, rr, errno);
}

static void test_cwd(void)
{
    char saved[600];
    char* g = getcwd(saved, sizeof saved);
    ok(g == saved && saved[0] == '/', "getcwd → an absolute path (\"%s\")", g ? saved : "(null)");
    at(p1, "cwd_dir");
    mkdir(p1, 0755);
    int r = chdir(p1);
    char now[600] = { 0 };
    g = getcwd(now, sizeof now);
    size_t len = g ? strlen(now) : 0;
    struct stat a, b;
    stat(".", &a);
    stat(p1, &b);
    ok(r == 0 && g && len >= 8 && strcmp(now + len - 8, "/cwd_dir") == 0 && a.st_ino == b.st_ino,
        "chdir into it: getcwd ends in /cwd_dir (\"%s\"), \".\" is that directory", now);
    int fd = open("relative", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write(fd, "rel", 3);
    close(fd);
    char abs[700];
    snprintf(abs, sizeof abs, "%s/relative", p1);
    ok(file_is(abs, "rel"), "a relative open creates the file in the new cwd");
    char small[4];
    g = getcwd(small, sizeof small);
    ok(g == NULL && errno == ERANGE, "getcwd with a 4-byte buffer → ERANGE (errno=%d)", errno);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    r = fchdir(dfd);
    stat(".", &a);
    stat(dir, &b);
    ok(r == 0 && a.st_ino == b.st_ino && access("cwd_dir/relative", F_OK) == 0, "fchdir to the test directory; relative paths follow (r=%d)", r);
    int ffd = open(abs, O_RDONLY);
    r = fchdir(ffd);
    ok(fails_with(r, ENOTDIR), "fchdir to a file → ENOTDIR (r=%d errno=%d)", r, errno);
    r = chdir(abs);
    ok(fails_with(r, ENOTDIR), "chdir to a file → ENOTDIR (r=%d errno=%d)", r, errno);
    close(ffd);
    close(dfd);
    unlink(abs);
    rmdir(p1);
    chdir(saved);
}

static void test_stat_access(void)
{
    at(p1, "st");
    static char data[10000];
    memset(data, 'd', sizeof data);
    int fd = open(p1, O_RDWR | O_CREAT | O_TRUNC, 0640);
    write_all(fd, data, sizeof data);
    fsync(fd);
    struct stat s, f, l, n;
    int r1 = stat(p1, &s), r2 = fstat(fd, &f), r3 = lstat(p1, &l), r4 = fstatat(AT_FDCWD, p1, &n, 0);
    ok(r1 == 0 && r2 == 0 && r3 == 0 && r4 == 0, "stat, fstat, lstat, newfstatat succeed");
    ok(s.st_mode == (S_IFREG | 0640) && s.st_size == 10000 && s.st_nlink == 1, "mode %o (want 100640), size %lld, nlink %lu", s.st_mode, (long long)s.st_size, (unsigned long)s.st_nlink);
    ok(s.st_blocks >= 24 && s.st_blocks <= 32, "st_blocks %lld: three 4 KiB blocks = 24 sectors", (long long)s.st_blocks);
    ok(f.st_ino == s.st_ino && l.st_ino == s.st_ino && n.st_ino == s.st_ino && f.st_dev == s.st_dev && f.st_size == s.st_size && n.st_mode == s.st_mode,
        "all four agree on inode %lu, device, size and mode", (unsigned long)s.st_ino);
    ok(s.st_uid == geteuid() && s.st_gid == getegid(), "owner is the creating user (uid %u gid %u)", s.st_uid, s.st_gid);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    struct stat e;
    int r = fstatat(fd, "", &e, AT_EMPTY_PATH);
    ok(r == 0 && e.st_ino == s.st_ino, "newfstatat(fd, \"\", AT_EMPTY_PATH) = fstat (r=%d)", r);
    r = fstatat(dfd, "st", &e, 0);
    ok(r == 0 && e.st_ino == s.st_ino, "newfstatat(dirfd, \"st\") is relative to dirfd (r=%d errno=%d)", r, errno);

    struct statx_buf x;
    memset(&x, 0, sizeof x);
    r = (int)syscall(SYS_statx, dfd, "st", 0, STATX_BASIC_STATS_MASK, &x);
    ok(r == 0 && (x.stx_mask & 0x7ffu) == 0x7ffu && x.stx_ino == s.st_ino && x.stx_size == 10000 && x.stx_mode == s.st_mode
            && x.stx_nlink == 1 && x.stx_blocks == (uint64_t)s.st_blocks,
        "statx(dirfd, \"st\", STATX_BASIC_STATS): mask %#x, ino, size, mode, nlink, blocks as stat (r=%d errno=%d)", x.stx_mask, r, errno);
    ok(x.stx_mtime.tv_sec == s.st_mtim.tv_sec && x.stx_blksize > 0, "statx mtime = stat mtime (%lld), blksize %u", (long long)x.stx_mtime.tv_sec, x.stx_blksize);
    struct stat missing;
    r = stat("/this/does/not/exist", &missing);
    ok(fails_with(r, ENOENT), "stat of a missing path → ENOENT (r=%d errno=%d)", r, errno);
    at(p2, "st/below");
    r = stat(p2, &missing);
    ok(fails_with(r, ENOTDIR), "stat of file/below → ENOTDIR (r=%d errno=%d)", r, errno);

    // The inode number is stable: across a close, and across a rename.
    close(fd);
    at(p2, "st_renamed");
    rename(p1, p2);
    ok(stat(p2, &e) == 0 && e.st_ino == s.st_ino, "after a rename the inode number is the same (%lu)", (unsigned long)e.st_ino);

    // access / faccessat.
    ok(access(p2, F_OK) == 0, "access F_OK of an existing file");
    r = access(p1, F_OK);
    ok(fails_with(r, ENOENT), "access F_OK of a missing file → ENOENT (r=%d errno=%d)", r, errno);
    r = access(p2, X_OK);
    ok(fails_with(r, EACCES), "access X_OK of a 0640 file → EACCES (even for root) (r=%d errno=%d)", r, errno);
    if (geteuid() == 0)
        ok(access(p2, R_OK | W_OK) == 0, "as root access R_OK|W_OK works");
    else
        ok(access(p2, R_OK | W_OK) == 0, "the owner may read and write a 0640 file");
    chmod(p2, 0750);
    ok(access(p2, X_OK) == 0 && mode_of(p2) == (S_IFREG | 0750), "after chmod 0750, X_OK works (mode %o)", mode_of(p2));
    r = faccessat(dfd, "st_renamed", F_OK, 0);
    ok(r == 0, "faccessat(dirfd, \"st_renamed\", F_OK) (r=%d errno=%d)", r, errno);
    r = faccessat(dfd, "nope", F_OK, 0);
    ok(fails_with(r, ENOENT), "faccessat of a missing name → ENOENT (r=%d errno=%d)", r, errno);
    ok(access(dir, X_OK) == 0, "X_OK of a directory (search permission) works");

    // umask.
    mode_t old = umask(077);
    at(p3, "umask_file");
    fd = open(p3, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    close(fd);
    char d[700];
    at(d, "umask_dir");
    mkdir(d, 0777);
    mode_t back = umask(old);
    ok(old == 022 && back == 077, "umask returns the previous mask (%o, %o)", old, back);
    ok(mode_of(p3) == (S_IFREG | 0600) && mode_of(d) == (S_IFDIR | 0700), "under umask 077: file 0666 → 0600 (%o), directory 0777 → 0700 (%o)", mode_of(p3), mode_of(d));
    unlink(p3);
    rmdir(d);
    unlink(p2);
    close(dfd);
    sync();
    ok(access(dir, F_OK) == 0, "sync() returns and the file system is still there");
}

// 8 MiB in 1 KiB pwrite()s in a scattered order: block 1036 and beyond need the double-
// indirect block (12 direct + 1024 indirect 4 KiB blocks = 4 MiB + 48 KiB).
static void test_big_file(void)
{
    enum { CHUNK = 1024, CHUNKS = 8192, SEED = 41 };
    at(p1, "big");
    int fd = open(p1, O_RDWR | O_CREAT | O_TRUNC, 0644);
    static unsigned char chunk[CHUNK];
    int bad_writes = 0;
    for (unsigned i = 0; i < CHUNKS; ++i) {
        unsigned k = (i * 4099u + 1234u) % CHUNKS; // 4099 is odd: every chunk exactly once
        size_t off = (size_t)k * CHUNK;
        for (size_t j = 0; j < CHUNK; ++j)
            chunk[j] = pattern_byte(SEED, off + j);
        if (pwrite(fd, chunk, CHUNK, (off_t)off) != CHUNK)
            ++bad_writes;
    }
    ok(bad_writes == 0, "8192 pwrite()s of 1 KiB at scattered offsets (%d failed)", bad_writes);
    ok(fsync(fd) == 0, "fsync of the 8 MiB file");
    close(fd);
    struct stat st;
    stat(p1, &st);
    ok(st.st_size == 8 << 20, "size 8 MiB (%lld)", (long long)st.st_size);
    ok(st.st_blocks >= 16384 && st.st_blocks <= 16384 + 8 * 8, "st_blocks %lld: 16384 data sectors plus a few indirect blocks", (long long)st.st_blocks);
    fd = open(p1, O_RDONLY);
    static unsigned char buf[65536];
    long first_bad = -1;
    size_t total = 0;
    for (;;) {
        ssize_t n = read_full(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        long bad = pattern_mismatch(buf, (size_t)n, SEED, total);
        if (bad >= 0 && first_bad < 0)
            first_bad = (long)total + bad;
        total += (size_t)n;
    }
    close(fd);
    ok(total == 8u << 20 && first_bad < 0, "read back: %zu bytes, every byte right (first wrong at %ld)", total, first_bad);
    unsigned char b[CHUNK];
    fd = open(p1, O_RDONLY);
    ssize_t n = pread(fd, b, CHUNK, (4 << 20) + 48 * 1024);
    ok(n == CHUNK && pattern_mismatch(b, CHUNK, SEED, (4 << 20) + 48 * 1024) < 0, "the first double-indirect block (offset 4 MiB + 48 KiB) holds its data (n=%zd)", n);
    close(fd);
    ok(unlink(p1) == 0 && access(p1, F_OK) == -1, "unlink the big file");
}

int main(int argc, char** argv)
{
    dir = disk_dir(argc, argv);
    umask(022);
    test_open_rw();
    test_fcntl_dup();
    test_truncate();
    test_dirs();
    test_rename_link();
    test_getdents();
    test_cwd();
    test_stat_access();
    test_big_file();
    return tap_done();
}
