// runner.c — runs a batch of LTP tests, one after another, and marks where each begins and
// ends. tools/ltp builds it static (musl) and runs the same binary on the host Linux and on
// Pagoda, where it is the first process (/init) and there is no shell:
//
//   ltp-runner BATCHFILE
//
// BATCHFILE has one directive per line (# starts a comment):
//   env NAME=VALUE        set an environment variable for the tests (PATH, LTPROOT, ...)
//   timeout SECONDS       per-test time-out (default 300): SIGTERM, and SIGKILL 10 s later
//   tmpdir DIR            where each test gets its own fresh directory DIR/NAME (default /tmp)
//   test NAME ARGV...     run ARGV (words split at spaces, ARGV[0] looked up in PATH)
//   shell NAME COMMAND    run COMMAND through /bin/sh -c (runtest lines with shell syntax)
//
// For each test it prints, on standard output:
//   <<<ltp-begin NAME pid=PID>>>       (printed by the test's process itself, before exec)
//   ... whatever the test prints (its stdout and stderr are the runner's) ...
//   <<<ltp-end NAME pid=PID status=exit:N|signal:N|timeout seconds=S.SS>>>
// and after the last test <<<ltp-done>>>. Each test runs as a child that makes itself a
// process-group leader, in its directory, with TMPDIR pointing there; a test that outlives its
// time-out is killed with its group. Afterwards every process the test left behind is killed
// (on Linux the runner is a child subreaper, on Pagoda it is init, so orphans come back to it),
// and the directory is removed.
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORDS 64

static int g_timeout_seconds = 300;
static char g_tmpdir[512] = "/tmp";

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

// Prints a line on standard output and pushes it out at once (the test writes to the same place).
static void say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

// --- cleaning up after a test -------------------------------------------------------------

// The pids of our children, read from /proc/<pid>/stat (the ppid is the 2nd field after the
// command name in parentheses). Returns how many were found (at most max).
static int find_children(pid_t* pids, int max)
{
    DIR* proc = opendir("/proc");
    if (!proc)
        return 0;
    int count = 0;
    pid_t self = getpid();
    struct dirent* entry;
    while ((entry = readdir(proc)) && count < max) {
        if (!isdigit((unsigned char)entry->d_name[0]))
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = 0;
        char* after_name = strrchr(buf, ')');
        char state;
        int ppid;
        if (after_name && sscanf(after_name + 1, " %c %d", &state, &ppid) == 2 && ppid == self)
            pids[count++] = atoi(entry->d_name);
    }
    closedir(proc);
    return count;
}

// Reaps every child that has already ended.
static void reap_zombies(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

// Kills what a test left behind: its process group, then every remaining child of ours (and so,
// as they get re-parented to us, their children), until none is left or we give up.
static void kill_leftovers(pid_t group)
{
    kill(-group, SIGKILL);
    for (int round = 0; round < 50; ++round) {
        reap_zombies();
        pid_t pids[256];
        int n = find_children(pids, 256);
        if (n == 0)
            return;
        for (int i = 0; i < n; ++i)
            kill(pids[i], SIGKILL);
        sleep_ms(20);
    }
    say("ltp-runner: could not get rid of every leftover process\n");
}

static int remove_entry(const char* path, const struct stat* st, int type, struct FTW* ftw)
{
    (void)st, (void)type, (void)ftw;
    if (remove(path) != 0 && errno != ENOENT)
        say("ltp-runner: cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

// Unmounts what a test killed before its cleanup left mounted under its directory (LTP's
// device tests mount one there), the last mounted first, so that its files can go.
static void unmount_under(const char* path)
{
    char points[16][1024];
    int count = 0;
    FILE* mounts = fopen("/proc/mounts", "r");
    if (!mounts)
        return;
    char line[2048], where[1024];
    size_t length = strlen(path);
    while (count < 16 && fgets(line, sizeof line, mounts))
        if (sscanf(line, "%*s %1023s", where) == 1 && strncmp(where, path, length) == 0 && where[length] == '/')
            snprintf(points[count++], sizeof points[0], "%s", where);
    fclose(mounts);
    while (count > 0)
        if (umount2(points[--count], 0) != 0)
            say("ltp-runner: cannot unmount %s: %s\n", points[count], strerror(errno));
}

static void remove_tree(const char* path)
{
    unmount_under(path);
    if (access(path, F_OK) == 0)
        nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

// --- running one test ---------------------------------------------------------------------

// The child: a fresh process group, the test's directory, default signal handling, exec.
static void exec_test(const char* name, char* const argv[], const char* dir)
{
    say("<<<ltp-begin %s pid=%d>>>\n", name, (int)getpid());
    setpgid(0, 0);
    if (chdir(dir) != 0) {
        printf("ltp-runner: chdir %s: %s\n", dir, strerror(errno));
        _exit(127);
    }
    setenv("TMPDIR", dir, 1);
    for (int sig = 1; sig < 32; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(argv[0], argv);
    printf("ltp-runner: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static void run_test(const char* name, char* const argv[])
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", g_tmpdir, name);
    remove_tree(dir);
    if (mkdir(dir, 0777) != 0 || chmod(dir, 0777) != 0)
        say("ltp-runner: cannot make %s: %s\n", dir, strerror(errno));

    fflush(stdout);
    double start = now_seconds();
    pid_t child = fork();
    if (child < 0) {
        say("<<<ltp-begin %s pid=0>>>\nltp-runner: fork: %s\n", name, strerror(errno));
        say("<<<ltp-end %s pid=0 status=exit:127 seconds=0>>>\n", name);
        return;
    }
    if (child == 0)
        exec_test(name, argv, dir);

    // Poll rather than block, so that the time-out needs no timer signal and orphans that
    // come back to us are reaped on the way.
    int status = 0, timed_out = 0;
    for (;;) {
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == child)
            break;
        if (pid > 0)
            continue;
        if (pid < 0 && errno == ECHILD) { // cannot happen: the child is ours until reaped
            status = 127 << 8;
            break;
        }
        // At the time-out, SIGTERM first: LTP's library then kills its test process and
        // cleans up (unmounts, releases loop devices); SIGKILL if it has not ended 10 s later.
        double elapsed = now_seconds() - start;
        if (!timed_out && elapsed > g_timeout_seconds) {
            timed_out = 1;
            kill(child, SIGTERM);
        }
        if (timed_out == 1 && elapsed > g_timeout_seconds + 10) {
            timed_out = 2;
            kill(-child, SIGKILL);
            kill(child, SIGKILL);
        }
        sleep_ms(10);
    }
    double seconds = now_seconds() - start;
    kill_leftovers(child);
    remove_tree(dir);

    char result[32];
    if (timed_out)
        snprintf(result, sizeof result, "timeout");
    else if (WIFSIGNALED(status))
        snprintf(result, sizeof result, "signal:%d", WTERMSIG(status));
    else
        snprintf(result, sizeof result, "exit:%d", WEXITSTATUS(status));
    say("\n<<<ltp-end %s pid=%d status=%s seconds=%.2f>>>\n", name, (int)child, result, seconds);
}

// --- the batch file -------------------------------------------------------------------------

// Splits line at runs of spaces into at most MAX_WORDS words (in place); returns the count.
static int split_words(char* line, char* words[])
{
    int n = 0;
    for (char* p = strtok(line, " \t"); p && n < MAX_WORDS; p = strtok(NULL, " \t"))
        words[n++] = p;
    words[n] = NULL;
    return n;
}

static void run_directive(char* line)
{
    char* rest = line + strcspn(line, " \t");
    if (*rest)
        *rest++ = 0;
    rest += strspn(rest, " \t");

    if (strcmp(line, "env") == 0) {
        putenv(strdup(rest));
    } else if (strcmp(line, "timeout") == 0) {
        g_timeout_seconds = atoi(rest);
    } else if (strcmp(line, "tmpdir") == 0) {
        snprintf(g_tmpdir, sizeof g_tmpdir, "%s", rest);
    } else if (strcmp(line, "test") == 0) {
        char* words[MAX_WORDS + 1];
        if (split_words(rest, words) >= 2)
            run_test(words[0], words + 1);
    } else if (strcmp(line, "shell") == 0) {
        char* name = rest;
        char* command = rest + strcspn(rest, " \t");
        if (*command)
            *command++ = 0;
        char* argv[] = { "/bin/sh", "-c", command, NULL };
        run_test(name, argv);
    } else {
        say("ltp-runner: unknown directive '%s'\n", line);
    }
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BATCHFILE\n", argv[0]);
        return 2;
    }
    FILE* batch = fopen(argv[1], "r");
    if (!batch) {
        fprintf(stderr, "ltp-runner: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    // On Linux, orphans of the tests come to us instead of the host's init (on Pagoda we are
    // init already, and prctl is not needed).
    if (getpid() != 1)
        prctl(PR_SET_CHILD_SUBREAPER, 1);
    // Our own process group, so that nothing a test signals reaches the caller. (On Pagoda it
    // also makes the kernel report a missing setpgid at our pid, not at the first test's.)
    setpgid(0, 0);

    char line[8192];
    while (fgets(line, sizeof line, batch)) {
        line[strcspn(line, "\r\n")] = 0;
        char* start = line + strspn(line, " \t");
        if (*start && *start != '#')
            run_directive(start);
    }
    fclose(batch);
    sync();
    say("<<<ltp-done>>>\n");
    return 0;
}
