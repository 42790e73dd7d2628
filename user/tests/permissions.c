// permissions — Linux's permission checks on a real disk (ext2 on Pagoda) and on /tmp
// (tmpfs on Pagoda). Root sets files up; a forked child becomes uid 1000, gid 1000, groups
// {2000} and checks, each against Linux:
//   the owner, group (supplementary too) or other bits decide, whichever class matches
//   first (an owner with fewer bits than others gets its own); open O_RDONLY/O_WRONLY/
//   O_RDWR and O_TRUNC (write, even with O_RDONLY) → EACCES; search permission on every
//   directory of a path (open, stat, chdir: EACCES); write permission on a directory to
//   create, unlink, mkdir, rmdir, rename; a sticky directory: only the owner of the entry
//   or of the directory removes it (EPERM); a directory that changes parent needs write on
//   itself; chmod and chown of another's file EPERM, chgrp of an own file only to a group
//   one is in, chmod g+s dropped for a group one is not in; utimensat: "now" needs write
//   permission (EACCES), a given time ownership (EPERM); truncate EACCES; new files
//   belong to uid 1000 and gid 1000, in a set-group-ID directory to its group (a new
//   subdirectory inherits the bit); access() checks the real ids, AT_EACCESS the
//   effective ones; execve of a file without execute permission EACCES — for root too
//   when no x bit is set at all, while root reads and writes a mode-0 file;
//   a write or truncate by anyone but root clears S_ISUID, and S_ISGID with group execute;
//   /dev/null, /dev/zero and /dev/tty are for everyone; O_NOATIME (open, fcntl F_SETFL)
//   only for the file's owner (EPERM).
// disk: 16
// args: @DIR@
#define _GNU_SOURCE
#include "child_checks.h"
#include "file_util.h"

#include <ftw.h>
#include <sys/time.h>

static const gid_t GROUPS[] = { 2000 };
static char base[600]; // the directory of the current round
static char path_buffer[8][700];
static int next_buffer;

static int fails_with(long r, int e) { return r == -1 && errno == e; }

// base/name (a few at a time).
static const char* at(const char* name)
{
    char* out = path_buffer[next_buffer++ % 8];
    snprintf(out, 700, "%s/%s", base, name);
    return out;
}

static void make(const char* name, mode_t mode, uid_t uid, gid_t gid)
{
    const char* path = at(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "data", 4) != 4)
        bail("create %s (errno=%d)", path, errno);
    close(fd);
    if (chown(path, uid, gid) != 0 || chmod(path, mode) != 0)
        bail("chown/chmod %s (errno=%d)", path, errno);
}

static void make_dir(const char* name, mode_t mode, uid_t uid, gid_t gid)
{
    const char* path = at(name);
    if (mkdir(path, 0700) != 0 || chown(path, uid, gid) != 0 || chmod(path, mode) != 0)
        bail("mkdir %s (errno=%d)", path, errno);
}

static int opens(const char* name, int flags)
{
    int fd = open(at(name), flags);
    if (fd >= 0)
        close(fd);
    return fd >= 0;
}

static void as_user(void) { become_user(1000, 1000, 1, GROUPS); }

static void classes(void)
{
    as_user();
    ok(opens("own-0400", O_RDONLY) && fails_with(open(at("own-0400"), O_WRONLY), EACCES), "owner bits: read yes, write EACCES");
    ok(fails_with(open(at("own-0066"), O_RDONLY), EACCES), "an owner with fewer bits than others gets its own: EACCES");
    ok(opens("group-0040", O_RDONLY), "the group bits for a supplementary group");
    ok(fails_with(open(at("group-0404"), O_RDONLY), EACCES), "a group member gets the group's bits, not other's: EACCES");
    ok(opens("other-0004", O_RDONLY) && fails_with(open(at("other-0004"), O_RDWR), EACCES), "other bits: O_RDWR needs both");
    ok(fails_with(open(at("other-0004"), O_RDONLY | O_TRUNC), EACCES), "O_RDONLY|O_TRUNC needs write: EACCES");
    ok(opens("other-0002", O_WRONLY) && fails_with(open(at("other-0002"), O_RDONLY), EACCES), "write-only for others");
    ok(fails_with(open(at("closed/file"), O_RDONLY), EACCES), "a directory without search permission: open EACCES");
    struct stat st;
    ok(fails_with(stat(at("closed/file"), &st), EACCES), "stat below it: EACCES");
    ok(fails_with(chdir(at("closed")), EACCES), "chdir into it: EACCES");
    ok(fails_with(access(at("closed/missing"), F_OK), EACCES), "a missing name below it: EACCES, not ENOENT");
    ok(opens("listable", O_RDONLY | O_DIRECTORY) && fails_with(open(at("unlistable"), O_RDONLY | O_DIRECTORY), EACCES),
        "opening a directory needs read permission");
    ok(fails_with(truncate(at("other-0004"), 0), EACCES), "truncate without write permission: EACCES");
    ok(fails_with(open(at("other-0004"), O_RDONLY | O_NOATIME), EPERM) && opens("own-0400", O_RDONLY | O_NOATIME),
        "O_NOATIME on another's readable file: EPERM; on one's own it opens");
    int readable = open(at("other-0004"), O_RDONLY);
    ok(readable >= 0 && fails_with(fcntl(readable, F_SETFL, O_NOATIME), EPERM)
            && !(fcntl(readable, F_GETFL) & O_NOATIME),
        "fcntl F_SETFL O_NOATIME on another's file: EPERM, the flag stays off");
    close(readable);
    int null = open("/dev/null", O_RDWR), zero = open("/dev/zero", O_RDONLY);
    ok(null >= 0 && zero >= 0, "/dev/null and /dev/zero are for everyone (errno=%d)", errno);
    close(null);
    close(zero);
    ok(stat("/dev/tty", &st) == 0 && (st.st_mode & 0777) == 0666, "/dev/tty is mode 0666 (%o)", st.st_mode & 0777);
}

static void directories(void)
{
    as_user();
    ok(fails_with(open(at("locked/new"), O_WRONLY | O_CREAT, 0644), EACCES), "create in a directory without write: EACCES");
    ok(fails_with(mkdir(at("locked/new"), 0755), EACCES), "mkdir there: EACCES");
    ok(fails_with(unlink(at("locked/file")), EACCES), "unlink there: EACCES");
    ok(fails_with(rmdir(at("locked/sub")), EACCES), "rmdir there: EACCES");
    ok(fails_with(rename(at("open/mine"), at("locked/mine")), EACCES), "rename into it: EACCES");
    ok(fails_with(rename(at("locked/file"), at("open/file")), EACCES), "rename out of it: EACCES");
    ok(fails_with(mkdir(at("locked/file"), 0755), EEXIST), "an existing name is EEXIST before EACCES");
    ok(fails_with(unlink(at("sticky/roots")), EPERM), "a sticky directory: another's file is EPERM to unlink");
    ok(fails_with(rename(at("sticky/roots"), at("sticky/x")), EPERM), "and to rename");
    ok(unlink(at("sticky/mine")) == 0, "one's own file in it goes (errno=%d)", errno);
    ok(fails_with(rename(at("open/rootdir"), at("open2/rootdir")), EACCES),
        "moving a directory to another parent needs write on it: EACCES");
    ok(rename(at("open/mine"), at("open2/mine")) == 0, "a file moves between writable directories (errno=%d)", errno);
}

static void attributes(void)
{
    as_user();
    ok(fails_with(chmod(at("other-0004"), 0777), EPERM), "chmod of another's file: EPERM");
    ok(chmod(at("own-0400"), 0600) == 0, "chmod of one's own (errno=%d)", errno);
    ok(fails_with(chown(at("own-0400"), 1001, -1), EPERM), "giving a file away: EPERM");
    ok(chown(at("own-0400"), 1000, -1) == 0, "chown to oneself (errno=%d)", errno);
    ok(chown(at("own-0400"), -1, 2000) == 0, "chgrp to a group one is in (errno=%d)", errno);
    ok(fails_with(chown(at("own-0400"), -1, 3000), EPERM), "chgrp to another group: EPERM");
    ok(chown(at("other-0004"), -1, -1) == 0, "chown -1 -1 of another's plain file changes nothing: 0 (errno=%d)", errno);
    ok(fails_with(chown(at("prog-suid"), -1, -1), EPERM), "of another's set-user-ID file (a mode change): EPERM");
    struct stat st;
    ok(chown(at("own-0400"), -1, 1000) == 0 && chmod(at("own-0400"), 02755) == 0 && stat(at("own-0400"), &st) == 0
            && (st.st_mode & 07777) == 02755,
        "chmod g+s for one's own group keeps it (mode %o)", st.st_mode & 07777);
    ok(chown(at("own-0400"), -1, 2000) == 0 && chmod(at("own-0400"), 02755) == 0 && stat(at("own-0400"), &st) == 0
            && (st.st_mode & 07777) == 02755,
        "and for a supplementary group (mode %o)", st.st_mode & 07777);
    ok(chmod(at("own-3000"), 02755) == 0 && stat(at("own-3000"), &st) == 0 && (st.st_mode & 07777) == 0755,
        "chmod g+s for a group one is not in drops it (mode %o)", st.st_mode & 07777);
    ok(utimensat(AT_FDCWD, at("other-0002"), NULL, 0) == 0, "utimensat now with write permission (errno=%d)", errno);
    ok(fails_with(utimensat(AT_FDCWD, at("other-0004"), NULL, 0), EACCES), "utimensat now without: EACCES");
    struct timespec given[2] = { { 1000, 0 }, { 1000, 0 } };
    ok(fails_with(utimensat(AT_FDCWD, at("other-0002"), given, 0), EPERM), "a given time on another's file: EPERM");
    ok(utimensat(AT_FDCWD, at("own-0066"), given, 0) == 0, "a given time on one's own file (errno=%d)", errno);
}

static mode_t mode_of(const char* name)
{
    struct stat st;
    return stat(at(name), &st) == 0 ? st.st_mode & 07777 : 0;
}

static int write_one(const char* name)
{
    int fd = open(at(name), O_WRONLY);
    int r = fd >= 0 && write(fd, "x", 1) == 1;
    close(fd);
    return r;
}

static void writes_clear_set_id(void)
{
    as_user();
    ok(write_one("suid-own") && mode_of("suid-own") == 0755, "a write clears S_ISUID and S_ISGID with g+x (mode %o)",
        mode_of("suid-own"));
    ok(write_one("sgid-lock") && mode_of("sgid-lock") == 02745, "S_ISGID without g+x stays (mode %o)", mode_of("sgid-lock"));
    ok(truncate(at("suid-trunc"), 0) == 0 && mode_of("suid-trunc") == 0755, "truncate clears S_ISUID (mode %o)",
        mode_of("suid-trunc"));
}

static void new_files(void)
{
    as_user();
    struct stat st;
    int fd = open(at("open/created"), O_WRONLY | O_CREAT, 0644);
    ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000, "a new file is the creator's (%d:%d)",
        (int)st.st_uid, (int)st.st_gid);
    close(fd);
    fd = open(at("open/created-0444"), O_RDWR | O_CREAT, 0444);
    ok(fd >= 0, "a file created read-only opens for writing anyway (errno=%d)", errno);
    close(fd);
    fd = open(at("setgid/created"), O_WRONLY | O_CREAT, 0644);
    ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == 1000 && st.st_gid == 3000,
        "in a set-group-ID directory, the directory's group (%d:%d)", (int)st.st_uid, (int)st.st_gid);
    close(fd);
    ok(mkdir(at("setgid/sub"), 0755) == 0 && stat(at("setgid/sub"), &st) == 0 && st.st_gid == 3000 && (st.st_mode & 02000),
        "a new subdirectory there inherits group and S_ISGID (mode %o)", st.st_mode & 07777);
}

static void access_and_exec(void)
{
    // Real uid 1000, effective 0: access() asks about the real one.
    if (setgroups(1, GROUPS) != 0 || setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 0, 0) != 0)
        bail("setresuid 1000 0 0 (errno=%d)", errno);
    ok(fails_with(access(at("root-0600"), R_OK), EACCES), "access checks the real uid: EACCES");
    ok(faccessat(AT_FDCWD, at("root-0600"), R_OK, AT_EACCESS) == 0, "AT_EACCESS the effective one (errno=%d)", errno);
    ok(access(at("other-0004"), R_OK) == 0 && fails_with(access(at("other-0004"), W_OK), EACCES), "R_OK yes, W_OK EACCES");
    ok(fails_with(access(at("closed/file"), F_OK), EACCES), "the walk uses the real ids too");
    ok(faccessat(AT_FDCWD, at("closed/file"), F_OK, AT_EACCESS) == 0, "and with AT_EACCESS the effective ones");
    if (setresuid(1000, 1000, 1000) != 0)
        bail("setresuid 1000 (errno=%d)", errno);
    char* argv[] = { "x", NULL };
    ok(fails_with(execv(at("prog-0700"), argv), EACCES), "execve of another's 0700 program: EACCES");
}

static void root_rules(void)
{
    ok(write_one("suid-root") && mode_of("suid-root") == 06777, "root's write keeps the bits (mode %o)", mode_of("suid-root"));
    ok(opens("root-0000", O_RDWR), "root reads and writes a mode-0 file");
    char* argv[] = { "x", NULL };
    ok(fails_with(execv(at("prog-0644"), argv), EACCES), "root cannot execute a file with no x bit: EACCES");
    ok(access(at("prog-0644"), X_OK) == -1 && errno == EACCES, "access X_OK agrees");
    ok(access(at("prog-0700"), X_OK) == 0 && access(at("root-0000"), R_OK | W_OK) == 0, "root: X_OK with an x bit, R/W always");
}

static int remove_one(const char* path, const struct stat* st, int kind, struct FTW* walk)
{
    (void)st, (void)kind, (void)walk;
    return remove(path) == 0 ? 0 : -1;
}

static void round_in(const char* dir, const char* where)
{
    snprintf(base, sizeof base, "%s/perm-%d", dir, (int)getpid());
    if (mkdir(base, 0755) != 0)
        bail("mkdir %s (errno=%d)", base, errno);
    diag("%s: %s", where, base);
    make("own-0400", 0400, 1000, 1000);
    make("own-0066", 0066, 1000, 1000);
    make("prog-suid", 04755, 0, 0);
    make("suid-own", 06755, 1000, 1000);
    make("sgid-lock", 02745, 1000, 1000);
    make("suid-trunc", 04755, 1000, 1000);
    make("suid-root", 06777, 1000, 1000);
    make("own-3000", 0755, 1000, 3000);
    make("group-0040", 0040, 0, 2000);
    make("group-0404", 0404, 0, 2000);
    make("other-0004", 0004, 0, 0);
    make("other-0002", 0002, 0, 0);
    make("root-0600", 0600, 0, 0);
    make("root-0000", 0000, 0, 0);
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    if (copy_file(self, at("prog-0700"), 0700, NULL) < 0 || copy_file(self, at("prog-0644"), 0644, NULL) < 0)
        bail("copy %s (errno=%d)", self, errno);
    make_dir("closed", 0700, 0, 0);
    make("closed/file", 0644, 0, 0);
    make_dir("listable", 0755, 0, 0);
    make_dir("unlistable", 0311, 0, 0);
    make_dir("locked", 0755, 0, 0);
    make("locked/file", 0666, 1000, 1000);
    make_dir("locked/sub", 0777, 1000, 1000);
    make_dir("sticky", 01777, 0, 0);
    make("sticky/roots", 0666, 0, 0);
    make("sticky/mine", 0644, 1000, 1000);
    make_dir("open", 0777, 0, 0);
    make_dir("open2", 0777, 0, 0);
    make("open/mine", 0644, 1000, 1000);
    make_dir("open/rootdir", 0755, 0, 0);
    make_dir("setgid", 02777, 0, 3000);

    checks_in_child(where, classes);
    checks_in_child(where, directories);
    checks_in_child(where, attributes);
    checks_in_child(where, new_files);
    checks_in_child(where, access_and_exec);
    checks_in_child(where, writes_clear_set_id);
    root_rules();
    ok(nftw(base, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0, "%s: everything removed again (errno=%d)", where, errno);
}

int main(int argc, char** argv)
{
    const char* dir = disk_dir(argc, argv);
    if (geteuid() != 0)
        bail("must start as root (euid %d)", (int)geteuid());
    if (chmod(dir, 0755) != 0)
        bail("chmod %s (errno=%d)", dir, errno);
    round_in(dir, "disk");
    round_in("/tmp", "tmp");
    return tap_done();
}
