// ".." in a path goes up from the directory the path so far names, after its symbolic links
// are followed (Linux's walk), not by dropping the name before it: "link/.." is the parent of
// the link's target; "missing/.." is ENOENT and "file/.." ENOTDIR. zsh's `cd -P ..` in a
// directory reached through a link asks for "$PWD/..". On tmpfs (/tmp).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

static int same_file(const char* a, const char* b)
{
    struct stat x, y;
    if (stat(a, &x) != 0 || stat(b, &y) != 0)
        return 0;
    return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static int fails_with(int r, int expected) { return r == -1 && errno == expected; }

int main(void)
{
    char base[] = "/tmp/dotdot.XXXXXX";
    if (!mkdtemp(base))
        bail("mkdtemp (errno=%d)", errno);
    if (chdir(base) != 0)
        bail("chdir (errno=%d)", errno);
    mkdir("d", 0755);
    mkdir("d/e", 0755);
    mkdir("other", 0755);
    symlink("d/e", "link");
    symlink("../d/e", "other/up_link");
    close(open("file", O_CREAT | O_WRONLY, 0644));
    symlink("file", "file_link");

    ok(same_file("link/..", "d"), "stat link/.. is d, the parent of the link's target");
    ok(same_file("link/../e", "d/e"), "link/../e is d/e");
    ok(same_file("other/up_link/..", "d"), "a link with a relative target: other/up_link/.. is d");
    ok(same_file("d/e/../..", "."), "d/e/../.. is the starting directory");
    ok(same_file("link/../../link/..", "d"), "link/../../link/.. is d again");
    char absolute[256];
    snprintf(absolute, sizeof absolute, "%s/link/..", base);
    ok(same_file(absolute, "d"), "absolute: BASE/link/.. is d");

    int fd = open("link/../created", O_CREAT | O_WRONLY, 0644);
    ok(fd >= 0 && access("d/created", F_OK) == 0, "open(O_CREAT) of link/../created makes d/created (fd=%d)", fd);
    close(fd);
    ok(mkdir("link/../made", 0755) == 0 && access("d/made", F_OK) == 0, "mkdir link/../made makes d/made (errno=%d)", errno);

    errno = 0;
    ok(fails_with(access("missing/..", F_OK), ENOENT), "missing/.. → ENOENT (errno=%d)", errno);
    errno = 0;
    ok(fails_with(access("missing/../d", F_OK), ENOENT), "missing/../d → ENOENT (errno=%d)", errno);
    errno = 0;
    ok(fails_with(access("file/..", F_OK), ENOTDIR), "file/.. → ENOTDIR (errno=%d)", errno);
    errno = 0;
    ok(fails_with(access("file_link/..", F_OK), ENOTDIR), "file_link/.. (a link to a file) → ENOTDIR (errno=%d)", errno);

    int dir = open("link", O_RDONLY | O_DIRECTORY);
    struct stat through_fd, d;
    int r = fstatat(dir, "..", &through_fd, 0);
    stat("d", &d);
    ok(r == 0 && through_fd.st_ino == d.st_ino, "fstatat(fd of d/e opened as link, \"..\") is d (r=%d)", r);
    close(dir);

    ok(chdir("link/..") == 0, "chdir link/.. (errno=%d)", errno);
    char cwd[512];
    char expected[512];
    snprintf(expected, sizeof expected, "%s/d", base);
    ok(getcwd(cwd, sizeof cwd) && strcmp(cwd, expected) == 0, "getcwd is BASE/d (%s)", cwd);
    ok(chdir("../link") == 0 && chdir("..") == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, expected) == 0,
        "chdir link, then .. → BASE/d (%s)", cwd);

    // A removed working directory: ".." still goes up.
    mkdir("gone", 0755);
    chdir("gone");
    rmdir(strcat(strcpy(cwd, expected), "/gone"));
    ok(chdir("..") == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, expected) == 0,
        "chdir .. from a removed working directory → BASE/d (%s)", cwd);

    chdir("/");
    char command[300];
    snprintf(command, sizeof command, "%s", base);
    unlink(strcat(strcpy(absolute, base), "/d/created"));
    rmdir(strcat(strcpy(absolute, base), "/d/made"));
    rmdir(strcat(strcpy(absolute, base), "/d/e"));
    rmdir(strcat(strcpy(absolute, base), "/d"));
    unlink(strcat(strcpy(absolute, base), "/other/up_link"));
    rmdir(strcat(strcpy(absolute, base), "/other"));
    unlink(strcat(strcpy(absolute, base), "/link"));
    unlink(strcat(strcpy(absolute, base), "/file_link"));
    unlink(strcat(strcpy(absolute, base), "/file"));
    ok(rmdir(command) == 0, "everything removed (errno=%d)", errno);
    return tap_done();
}
