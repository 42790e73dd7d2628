// command_names — a thread's command name (Linux's comm) as prctl, exec and /proc show it:
// PR_SET_NAME cuts a long name at 15 bytes and PR_GET_NAME reads it back; /proc/self/comm,
// the (name) of /proc/self/stat and Name: of status agree; a new thread starts with its
// creator's name and renames only itself (/proc/self/task/TID/comm); fork copies the name;
// exec names the process after the file it was called by (a link's name, not its target's);
// PR_GET/SET_DUMPABLE; an unknown option is EINVAL, a bad name pointer EFAULT; reboot
// without privilege is EPERM.
// link: -lpthread
#define _GNU_SOURCE
#include "proc_util.h"
#include "tap.h"
#include <errno.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char text[4096];

// The first line of a /proc file, without its newline; "" if unreadable.
static const char *first_line(const char *path)
{
    if (read_whole_file(path, text, sizeof text) <= 0)
        return "";
    text[strcspn(text, "\n")] = '\0';
    return text;
}

// The name in parentheses of a /proc stat file.
static const char *stat_name(const char *path)
{
    static char name[64];
    name[0] = '\0';
    if (read_whole_file(path, text, sizeof text) > 0) {
        char *open = strchr(text, '('), *close = strrchr(text, ')');
        if (open && close && close > open && close - open - 1 < (long)sizeof name) {
            memcpy(name, open + 1, (size_t)(close - open - 1));
            name[close - open - 1] = '\0';
        }
    }
    return name;
}

static pid_t thread_id(void) { return (pid_t)syscall(SYS_gettid); }

static pthread_barrier_t renamed, checked;
static char thread_initial_name[32];

static void *rename_self(void *unused)
{
    (void)unused;
    prctl(PR_GET_NAME, thread_initial_name);
    prctl(PR_SET_NAME, "worker");
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", thread_id());
    ok(strcmp(first_line(path), "worker") == 0, "the thread's task/TID/comm shows its own name (%s)", text);
    pthread_barrier_wait(&renamed);
    pthread_barrier_wait(&checked);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--print-name") == 0) {
        char name[16] = "";
        prctl(PR_GET_NAME, name);
        printf("%s\n", name);
        return 0;
    }

    char name[16];
    ok(prctl(PR_SET_NAME, "a-name-longer-than-fifteen") == 0, "PR_SET_NAME takes a long name");
    memset(name, 'x', sizeof name);
    ok(prctl(PR_GET_NAME, name) == 0 && strcmp(name, "a-name-longer-t") == 0, "PR_GET_NAME: cut at 15 bytes (%.16s)", name);
    ok(strcmp(first_line("/proc/self/comm"), "a-name-longer-t") == 0, "/proc/self/comm agrees (%s)", text);
    ok(strcmp(stat_name("/proc/self/stat"), "a-name-longer-t") == 0, "so does /proc/self/stat");
    first_line("/proc/self/status");
    ok(strcmp(text, "Name:\ta-name-longer-t") == 0, "so does status (%s)", text);

    prctl(PR_SET_NAME, "main");
    pthread_barrier_init(&renamed, NULL, 2);
    pthread_barrier_init(&checked, NULL, 2);
    pthread_t thread;
    pthread_create(&thread, NULL, rename_self, NULL);
    pthread_barrier_wait(&renamed);
    ok(strcmp(thread_initial_name, "main") == 0, "a new thread starts with its creator's name (%s)", thread_initial_name);
    ok(strcmp(first_line("/proc/self/comm"), "main") == 0, "its rename leaves the process's name (%s)", text);
    pthread_barrier_wait(&checked);
    pthread_join(thread, NULL);

    int pipe_ends[2];
    pipe(pipe_ends);
    pid_t child = fork();
    if (child == 0) {
        prctl(PR_GET_NAME, name);
        write(pipe_ends[1], name, strlen(name));
        _exit(0);
    }
    close(pipe_ends[1]);
    ssize_t got = read(pipe_ends[0], name, sizeof name - 1);
    name[got > 0 ? got : 0] = '\0';
    waitpid(child, NULL, 0);
    close(pipe_ends[0]);
    ok(strcmp(name, "main") == 0, "fork copies the name (%s)", name);

    // exec through a link named differently from its target: the name is the link's.
    char self[256], link_path[] = "/tmp/command-names-link";
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    unlink(link_path);
    ok(symlink(self, link_path) == 0, "a link to this program");
    int out[2];
    pipe(out);
    child = fork();
    if (child == 0) {
        dup2(out[1], 1);
        execl(link_path, link_path, "--print-name", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    got = read(out[0], text, sizeof text - 1);
    text[got > 0 ? got : 0] = '\0';
    int status = 0;
    waitpid(child, &status, 0);
    unlink(link_path);
    ok(strcmp(text, "command-names-l\n") == 0, "exec names the process after the link it was called by (%s)", text);

    ok(prctl(PR_GET_DUMPABLE) == 1, "a process is dumpable");
    ok(prctl(PR_SET_DUMPABLE, 0) == 0 && prctl(PR_GET_DUMPABLE) == 0, "PR_SET_DUMPABLE 0");
    errno = 0;
    ok(prctl(PR_SET_DUMPABLE, 2) == -1 && errno == EINVAL, "PR_SET_DUMPABLE 2: EINVAL (errno %d)", errno);
    prctl(PR_SET_DUMPABLE, 1);
    errno = 0;
    ok(prctl(0x7fff0000) == -1 && errno == EINVAL, "an unknown option: EINVAL (errno %d)", errno);
    errno = 0;
    ok(prctl(PR_SET_NAME, (char *)8) == -1 && errno == EFAULT, "PR_SET_NAME with a bad pointer: EFAULT (errno %d)", errno);

    // Without privilege reboot is EPERM: checked in a child that drops root (when root).
    child = fork();
    if (child == 0) {
        if (getuid() == 0 && setuid(65534) != 0)
            _exit(2);
        errno = 0;
        long r = syscall(SYS_reboot, 0xfee1dead, 672274793, RB_POWER_OFF, NULL);
        _exit(r == -1 && errno == EPERM ? 0 : 1);
    }
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "reboot without privilege: EPERM (status %#x)", status);
    return tap_done();
}
