// chown — chown, fchown, lchown and fchownat as root, on a real disk (ext2 on Pagoda) and on
// /tmp (tmpfs on Pagoda), each result checked against Linux:
//   the new uid and gid are stored and read back by stat, fstat and lstat; -1 keeps either;
//   ctime moves (not before the call); chown of a file clears set-user-ID always and
//   set-group-ID when group-execute is set (a set-group-ID without g+x stays), even for
//   chown(-1, -1); a directory keeps both bits;
//   chown follows a symbolic link, lchown and AT_SYMLINK_NOFOLLOW change the link itself;
//   fchown, fchownat(fd, "", AT_EMPTY_PATH) change an open file, fchownat(AT_FDCWD, "",
//   AT_EMPTY_PATH) the current directory; errors: unknown flags (EINVAL), "" without
//   AT_EMPTY_PATH and a missing file (ENOENT), a file as a directory (ENOTDIR), a bad
//   pointer (EFAULT), a bad descriptor (EBADF).
// disk: 16
// args: @DIR@
#define _GNU_SOURCE
#include "file_util.h"

#include <time.h>

static int fails_with(long r, int e) { return r == -1 && errno == e; }

static int owner_is(const char* path, uid_t uid, gid_t gid)
{
    struct stat st;
    return lstat(path, &st) == 0 && st.st_uid == uid && st.st_gid == gid;
}

static mode_t mode_of(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_mode & 07777 : 0;
}

static void make_file(const char* path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        bail("create %s (errno=%d)", path, errno);
    close(fd);
    if (chmod(path, mode) != 0)
        bail("chmod %s (errno=%d)", path, errno);
}

static void check_in(const char* dir, const char* where)
{
    char file[600], link[600], sub[600], bits[600];
    snprintf(file, sizeof file, "%s/chown-file", dir);
    snprintf(link, sizeof link, "%s/chown-link", dir);
    snprintf(sub, sizeof sub, "%s/chown-dir", dir);
    snprintf(bits, sizeof bits, "%s/chown-bits", dir);
    unlink(file);
    unlink(link);
    unlink(bits);
    rmdir(sub);
    make_file(file, 0644);

    time_t before = time(NULL);
    ok(chown(file, 1000, 2000) == 0 && owner_is(file, 1000, 2000), "%s: chown 1000:2000 is stored (errno=%d)", where, errno);
    struct stat st;
    ok(stat(file, &st) == 0 && st.st_ctime >= before, "%s: ctime moved (ctime=%ld before=%ld)", where, (long)st.st_ctime,
        (long)before);
    ok(chown(file, -1, 3000) == 0 && owner_is(file, 1000, 3000), "%s: chown -1:3000 keeps the uid", where);
    ok(chown(file, 4000, -1) == 0 && owner_is(file, 4000, 3000), "%s: chown 4000:-1 keeps the gid", where);
    ok(chown(file, -1, -1) == 0 && owner_is(file, 4000, 3000), "%s: chown -1:-1 changes nothing", where);

    int fd = open(file, O_RDONLY);
    ok(fchown(fd, 5, 6) == 0 && fstat(fd, &st) == 0 && st.st_uid == 5 && st.st_gid == 6, "%s: fchown (errno=%d)", where,
        errno);
    ok(fchownat(fd, "", 7, 8, AT_EMPTY_PATH) == 0 && owner_is(file, 7, 8), "%s: fchownat(fd, \"\", AT_EMPTY_PATH)", where);
    close(fd);

    // Set-user-ID and set-group-ID after a chown.
    make_file(bits, 06755);
    ok(chown(bits, 0, 0) == 0 && mode_of(bits) == 0755, "%s: chown clears S_ISUID and S_ISGID with g+x (mode %o)", where,
        mode_of(bits));
    make_file(bits, 06745);
    ok(chown(bits, -1, -1) == 0 && mode_of(bits) == 02745,
        "%s: chown -1:-1 clears S_ISUID, keeps S_ISGID without g+x (mode %o)", where, mode_of(bits));
    ok(mkdir(sub, 0755) == 0 && chmod(sub, 06755) == 0 && chown(sub, 9, 9) == 0 && mode_of(sub) == 06755
            && owner_is(sub, 9, 9),
        "%s: a directory keeps S_ISUID and S_ISGID (mode %o)", where, mode_of(sub));

    // Symbolic links.
    ok(symlink("chown-file", link) == 0, "%s: symlink (errno=%d)", where, errno);
    ok(lchown(link, 11, 12) == 0 && owner_is(link, 11, 12) && owner_is(file, 7, 8), "%s: lchown changes the link only",
        where);
    ok(chown(link, 13, 14) == 0 && owner_is(file, 13, 14) && owner_is(link, 11, 12), "%s: chown follows the link", where);
    ok(fchownat(AT_FDCWD, link, 15, 16, AT_SYMLINK_NOFOLLOW) == 0 && owner_is(link, 15, 16) && owner_is(file, 13, 14),
        "%s: fchownat AT_SYMLINK_NOFOLLOW", where);

    unlink(link);
    unlink(bits);
    unlink(file);
    rmdir(sub);
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    check_in(dir, "disk");
    char tmp[] = "/tmp/chown-XXXXXX";
    if (!mkdtemp(tmp))
        bail("mkdtemp (errno=%d)", errno);
    check_in(tmp, "tmp");

    // The current directory through AT_EMPTY_PATH.
    char cwd[600];
    if (!getcwd(cwd, sizeof cwd) || chdir(tmp) != 0)
        bail("chdir %s (errno=%d)", tmp, errno);
    ok(fchownat(AT_FDCWD, "", 21, 22, AT_EMPTY_PATH) == 0 && owner_is(".", 21, 22),
        "fchownat(AT_FDCWD, \"\", AT_EMPTY_PATH) changes the current directory (errno=%d)", errno);
    if (chdir(cwd) != 0)
        bail("chdir back (errno=%d)", errno);

    char file[600];
    snprintf(file, sizeof file, "%s/f", tmp);
    make_file(file, 0644);
    ok(fails_with(fchownat(AT_FDCWD, file, 1, 1, 0x8000), EINVAL), "fchownat with an unknown flag: EINVAL (errno=%d)",
        errno);
    ok(fails_with(chown("", 1, 1), ENOENT), "chown(\"\"): ENOENT (errno=%d)", errno);
    ok(fails_with(fchownat(AT_FDCWD, "", 1, 1, 0), ENOENT), "fchownat \"\" without AT_EMPTY_PATH: ENOENT (errno=%d)",
        errno);
    ok(fails_with(chown("/tmp/does-not-exist-chown", 1, 1), ENOENT), "chown of a missing file: ENOENT (errno=%d)", errno);
    char below[700];
    snprintf(below, sizeof below, "%s/x", file);
    ok(fails_with(chown(below, 1, 1), ENOTDIR), "chown below a file: ENOTDIR (errno=%d)", errno);
    ok(fails_with(chown((char*)1, 1, 1), EFAULT), "chown of a bad pointer: EFAULT (errno=%d)", errno);
    ok(fails_with(fchown(999, 1, 1), EBADF), "fchown of a closed descriptor: EBADF (errno=%d)", errno);
    unlink(file);
    rmdir(tmp);
    return tap_done();
}
