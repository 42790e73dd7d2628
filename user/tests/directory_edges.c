// directory_edges — directories under change, on tmpfs (/tmp) and on a disk (ext2):
//   - rm -r's loop: getdents64 a directory of 300 files, unlinking each entry as it is
//     listed: one pass must list (and so remove) every file — a position that shifts when
//     earlier entries go would skip some;
//   - names ending in "." or "..": mkdir gives EEXIST once the directory exists (ENOENT
//     before), rmdir EINVAL for ".", ENOTEMPTY for "..", unlink EISDIR;
//   - a working directory removed under a process takes no new names (ENOENT).
// disk: 16
// args: @DIR@
#include "file_util.h"
#include <dirent.h>
#include <sys/syscall.h>

#define FILES 300

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

// Fills `dir` with FILES files, then lists it once with a small buffer (many getdents64
// calls), unlinking each file as it comes. Returns how many were removed.
static int remove_while_listing(const char* dir)
{
    char path[800];
    mkdir(dir, 0777);
    for (int i = 0; i < FILES; ++i) {
        snprintf(path, sizeof path, "%s/file-%03d", dir, i);
        close(open(path, O_WRONLY | O_CREAT, 0644));
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    char buffer[512];
    long n;
    int removed = 0;
    while ((n = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0)
        for (long offset = 0; offset < n;) {
            struct linux_dirent64* entry = (struct linux_dirent64*)(buffer + offset);
            offset += entry->d_reclen;
            if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..") && unlinkat(fd, entry->d_name, 0) == 0)
                ++removed;
        }
    close(fd);
    return removed;
}

static void check_dots(const char* base, const char* where)
{
    char d[600], path[700];
    snprintf(d, sizeof d, "%s/dots", base);
    mkdir(d, 0777);
    snprintf(path, sizeof path, "%s/missing/.", d);
    errno = 0;
    ok(mkdir(path, 0777) == -1 && errno == ENOENT, "%s: mkdir(\"missing/.\") → ENOENT (errno %d)", where, errno);
    snprintf(path, sizeof path, "%s/.", d);
    errno = 0;
    ok(mkdir(path, 0777) == -1 && errno == EEXIST, "%s: mkdir(\"dir/.\") → EEXIST (errno %d)", where, errno);
    snprintf(path, sizeof path, "%s/e", d);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/e/.", d);
    errno = 0;
    ok(rmdir(path) == -1 && errno == EINVAL, "%s: rmdir(\"e/.\") → EINVAL (errno %d)", where, errno);
    snprintf(path, sizeof path, "%s/e/..", d);
    errno = 0;
    ok(rmdir(path) == -1 && errno == ENOTEMPTY, "%s: rmdir(\"e/..\") → ENOTEMPTY (errno %d)", where, errno);
    snprintf(path, sizeof path, "%s/e/.", d);
    errno = 0;
    ok(unlink(path) == -1 && errno == EISDIR, "%s: unlink(\"e/.\") → EISDIR (errno %d)", where, errno);
    snprintf(path, sizeof path, "%s/e", d);
    ok(rmdir(path) == 0 && rmdir(d) == 0, "%s: e and its parent are still there and removable", where);
}

static void check_removed_cwd(const char* base, const char* where)
{
    char d[600];
    snprintf(d, sizeof d, "%s/gone", base);
    mkdir(d, 0777);
    pid_t child = fork();
    if (child == 0) {
        if (chdir(d) != 0 || rmdir(d) != 0)
            _exit(10);
        int made = mkdir("x", 0777) == 0 || errno != ENOENT;
        int created = open("f", O_WRONLY | O_CREAT, 0644) >= 0 || errno != ENOENT;
        _exit(made ? 11 : created ? 12 : 0);
    }
    int status;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: in a removed working directory mkdir and O_CREAT → ENOENT (exit %d)",
        where, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char** argv)
{
    tap_plan(16);
    const char* disk = disk_dir(argc, argv);
    char dir[600];
    snprintf(dir, sizeof dir, "/tmp/directory_edges.%d", (int)getpid());
    mkdir(dir, 0777);
    const char* bases[2] = { dir, disk };
    const char* names[2] = { "tmpfs", "disk" };
    for (int i = 0; i < 2; ++i) {
        char listed[700];
        snprintf(listed, sizeof listed, "%s/many", bases[i]);
        int removed = remove_while_listing(listed);
        ok(removed == FILES && rmdir(listed) == 0, "%s: one pass of getdents64 + unlink removes all %d files (%d)", names[i], FILES,
            removed);
        check_dots(bases[i], names[i]);
        check_removed_cwd(bases[i], names[i]);
    }
    rmdir(dir);
    return tap_done();
}
