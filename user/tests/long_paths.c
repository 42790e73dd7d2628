// long_paths — paths as long as Linux allows (PATH_MAX 4096, NAME_MAX 255):
//   - a name of 255 bytes can be created and opened, 256 → ENAMETOOLONG;
//   - a directory 3000+ bytes deep: chdir into it, getcwd returns the whole path (and ERANGE
//     for a buffer one byte short), a relative open works there;
//   - a program run from that directory by its full path: /proc/self/exe names it whole;
//   - a path of 4096 bytes or more → ENAMETOOLONG.
#include "proc_util.h"
#include "tap.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char base[64] = "/tmp/long_paths";
static char deep[PATH_MAX + 512];

static void names(void)
{
    char name[512];
    memset(name, 'n', 255);
    name[255] = '\0';
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", base, name);
    int fd = open(path, O_CREAT | O_WRONLY, 0600);
    ok(fd >= 0, "a 255-byte name can be created (errno=%d)", errno);
    close(fd);
    ok(unlink(path) == 0, "and removed");
    strcat(path, "x");
    errno = 0;
    ok(open(path, O_CREAT | O_WRONLY, 0600) == -1 && errno == ENAMETOOLONG, "a 256-byte name: ENAMETOOLONG (errno=%d)", errno);
}

// Builds base/ddd.../ddd... with 200-byte components until the path is over 3000 bytes.
static int make_deep(void)
{
    strcpy(deep, base);
    char component[201];
    memset(component, 'd', 200);
    component[200] = '\0';
    while (strlen(deep) < 3000) {
        strcat(deep, "/");
        strcat(deep, component);
        if (mkdir(deep, 0700) != 0)
            return -1;
    }
    return 0;
}

static void deep_directory(void)
{
    if (!ok(make_deep() == 0, "make a directory %zu bytes deep (errno=%d)", strlen(deep), errno))
        return;
    ok(chdir(deep) == 0, "chdir into it (errno=%d)", errno);
    char cwd[PATH_MAX];
    ok(getcwd(cwd, sizeof cwd) && strcmp(cwd, deep) == 0, "getcwd returns the whole path (%zu bytes)", strlen(cwd));
    errno = 0;
    ok(getcwd(cwd, strlen(deep)) == NULL && errno == ERANGE, "getcwd into a buffer one byte short: ERANGE (errno=%d)", errno);
    int fd = open("here", O_CREAT | O_RDWR, 0600);
    ok(fd >= 0 && write(fd, "x", 1) == 1, "a relative open works there (errno=%d)", errno);
    close(fd);
    char full[PATH_MAX + 64];
    snprintf(full, sizeof full, "%s/here", deep);
    struct stat st;
    ok(stat(full, &st) == 0 && st.st_size == 1, "and the file is where the full path says (errno=%d)", errno);
    unlink(full);
    chdir("/");
}

static void exe_path(char const* self)
{
    char program[PATH_MAX + 64];
    snprintf(program, sizeof program, "%s/prog", deep);
    if (!ok(copy_file(self, program, 0700, NULL) > 0, "copy this program there (errno=%d)", errno))
        return;
    int fds[2];
    pipe(fds);
    pid_t child = fork();
    if (child == 0) {
        dup2(fds[1], 1);
        execl(program, program, "print-exe", (char*)NULL);
        _exit(127);
    }
    close(fds[1]);
    char seen[PATH_MAX + 64] = { 0 };
    ssize_t total = 0, n;
    while ((n = read(fds[0], seen + total, sizeof seen - 1 - total)) > 0)
        total += n;
    close(fds[0]);
    waitpid(child, NULL, 0);
    ok(strcmp(seen, program) == 0, "/proc/self/exe of a program run from there names it whole (%zd bytes)", total);
    unlink(program);
}

static void too_long(void)
{
    char path[PATH_MAX + 16];
    strcpy(path, "/tmp");
    while (strlen(path) < PATH_MAX + 4)
        strcat(path, "/.");
    errno = 0;
    struct stat st;
    ok(stat(path, &st) == -1 && errno == ENAMETOOLONG, "a path of %zu bytes: ENAMETOOLONG (errno=%d)", strlen(path), errno);
}

static void remove_deep(void)
{
    while (strlen(deep) > strlen(base)) {
        rmdir(deep);
        *strrchr(deep, '/') = '\0';
    }
    rmdir(base);
}

int main(int argc, char** argv)
{
    if (argc == 2 && strcmp(argv[1], "print-exe") == 0) {
        char exe[PATH_MAX + 64];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe);
        if (n > 0)
            fwrite(exe, 1, (size_t)n, stdout);
        return 0;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        bail("readlink /proc/self/exe (errno=%d)", errno);
    self[n] = '\0';
    snprintf(base, sizeof base, "/tmp/long_paths.%d", (int)getpid());
    if (mkdir(base, 0700) != 0)
        bail("mkdir %s (errno=%d)", base, errno);
    names();
    deep_directory();
    exe_path(self);
    too_long();
    remove_deep();
    return tap_done();
}
