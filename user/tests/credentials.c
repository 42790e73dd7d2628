// credentials — the user and group ids of a process, each rule checked against Linux (the
// test starts as root; each case runs in a forked child, which then drops privileges):
//   root may set anything: setresuid/setresgid and getresuid/getresgid, setgroups (sorted,
//   duplicates kept; getgroups(0) counts, a short buffer is EINVAL); a child of fork keeps
//   every id and group; setuid(-1) is EINVAL;
//   without root: setuid only to the real or saved id (EPERM otherwise) and only the
//   effective id moves; setreuid: real to real or effective, effective to any of the three,
//   the saved id follows a new effective id; setresuid: each to one of the three; -1 keeps;
//   setgroups EPERM; once all three uids are not 0, root cannot come back;
//   setfsuid returns the old fsuid and moves only to one of the ids;
//   execve sets the saved ids to the effective ones, and a set-user-ID / set-group-ID
//   program runs as its file's owner and group;
//   kill (tgkill, tkill too): an ordinary user may not signal root's process (EPERM) but may signal its own,
//   and SIGCONT within its session; kill(0) succeeds if one member of the group could be
//   signalled; kill(-1) does not fail for lack of permission;
//   resource limits: root raises a hard limit, an ordinary user only lowers it (EPERM);
//   prlimit64 on another process needs its real, effective and saved uids (and gids) to be
//   the caller's real ones (EPERM for root's process and for one whose saved uid is 0, even
//   to read); RLIMIT_NPROC stops a user's fork with EAGAIN once it has that many processes,
//   a zombie included, and not a process of the real uid 0; it counts threads too (Linux
//   counts tasks): with a limit of 2 a process makes one thread, a second is EAGAIN.
#define _GNU_SOURCE
#include "child_checks.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>

static int fails_with(long r, int e) { return r == -1 && errno == e; }

static int uids_are(uid_t r, uid_t e, uid_t s)
{
    uid_t a, b, c;
    return getresuid(&a, &b, &c) == 0 && a == r && b == e && c == s;
}

static int gids_are(gid_t r, gid_t e, gid_t s)
{
    gid_t a, b, c;
    return getresgid(&a, &b, &c) == 0 && a == r && b == e && c == s;
}

static void root_sets_anything(void)
{
    gid_t groups[] = { 30, 10, 20, 10 };
    ok(setgroups(4, groups) == 0, "root: setgroups (errno=%d)", errno);
    gid_t got[8] = { 0 };
    int n = getgroups(8, got);
    ok(n == 4 && got[0] == 10 && got[1] == 10 && got[2] == 20 && got[3] == 30, "getgroups: sorted, duplicates kept (n=%d)",
        n);
    ok(getgroups(0, NULL) == 4, "getgroups(0) counts");
    ok(fails_with(getgroups(1, got), EINVAL), "getgroups with a short buffer: EINVAL (errno=%d)", errno);
    ok(setresgid(100, 101, 102) == 0 && gids_are(100, 101, 102), "root: setresgid 100 101 102");
    ok(getgid() == 100 && getegid() == 101, "getgid, getegid");
    ok(setresuid(200, 201, 202) == 0 && uids_are(200, 201, 202), "root: setresuid 200 201 202");
    ok(getuid() == 200 && geteuid() == 201, "getuid, geteuid");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        gid_t g[8];
        _exit(uids_are(200, 201, 202) && gids_are(100, 101, 102) && getgroups(8, g) == 4 ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a forked child keeps ids and groups");
    ok(fails_with(syscall(SYS_setuid, -1), EINVAL), "setuid(-1): EINVAL (errno=%d)", errno);
}

static void setuid_without_root(void)
{
    ok(setresuid(1000, 1001, 1002) == 0, "setresuid 1000 1001 1002");
    ok(fails_with(setuid(5), EPERM), "setuid to a foreign id: EPERM (errno=%d)", errno);
    ok(setuid(1002) == 0 && uids_are(1000, 1002, 1002), "setuid to the saved id moves only the effective one");
    ok(setuid(1000) == 0 && uids_are(1000, 1000, 1002), "setuid to the real id");
    ok(fails_with(setuid(0), EPERM) && fails_with(seteuid(0), EPERM), "root does not come back (errno=%d)", errno);
    ok(fails_with(setgroups(0, NULL), EPERM), "setgroups without root: EPERM (errno=%d)", errno);
    ok(fails_with(setresuid(-1, 7, -1), EPERM), "setresuid to a foreign id: EPERM (errno=%d)", errno);
    ok(setresuid(1002, -1, 1000) == 0 && uids_are(1002, 1000, 1000), "setresuid among its own ids, -1 keeps");
}

static void setreuid_rules(void)
{
    ok(setresuid(1000, 1001, 1002) == 0, "setresuid 1000 1001 1002");
    ok(fails_with(setreuid(1002, -1), EPERM), "setreuid: the real id cannot become the saved one (errno=%d)", errno);
    ok(setreuid(-1, 1002) == 0 && uids_are(1000, 1002, 1002), "setreuid -1 1002: saved follows (not the old real id)");
    ok(setreuid(-1, 1000) == 0 && uids_are(1000, 1000, 1002), "setreuid -1 1000 (the real id): saved stays");
    ok(setreuid(1000, -1) == 0 && uids_are(1000, 1000, 1000), "setreuid 1000 -1: the real id set, so saved = effective");
    ok(setregid(-1, -1) == 0, "setregid -1 -1 changes nothing");
}

static void setfsuid_rules(void)
{
    ok(setresgid(3000, 3001, 3002) == 0 && setresuid(1000, 1001, 1002) == 0, "drop to 1000/1001/1002");
    ok(setfsuid(-1) == 1001, "setfsuid(-1) reports the fsuid, which follows euid");
    ok(setfsuid(1002) == 1001 && setfsuid(-1) == 1002, "setfsuid to the saved id");
    ok(setfsuid(7) == 1002 && setfsuid(-1) == 1002, "setfsuid to a foreign id changes nothing");
    ok(setfsgid(3000) == 3001 && setfsgid(-1) == 3000, "setfsgid to the real gid");
    ok(seteuid(1000) == 0 && setfsuid(-1) == 1000, "seteuid moves the fsuid with it");
}

static void kill_rules(void)
{
    pid_t root_parent = getppid();
    ok(setresgid(1000, 1000, 1000) == 0 && setresuid(1000, 1000, 1000) == 0, "drop to 1000");
    ok(fails_with(kill(root_parent, 0), EPERM), "kill of root's process: EPERM (errno=%d)", errno);
    ok(fails_with(syscall(SYS_tgkill, root_parent, root_parent, 0), EPERM) && fails_with(syscall(SYS_tkill, root_parent, 0), EPERM),
        "tgkill and tkill of root's thread: EPERM too (errno=%d)", errno);
    ok(kill(root_parent, SIGCONT) == 0, "SIGCONT to a process of the same session (errno=%d)", errno);
    fflush(stdout);
    pid_t own = fork();
    if (own == 0) {
        pause();
        _exit(0);
    }
    ok(own > 0 && kill(own, 0) == 0, "kill of one's own process (errno=%d)", errno);
    ok(kill(0, 0) == 0, "kill(0): root's process in the group does not make it fail (errno=%d)", errno);
    ok(kill(-1, 0) == 0, "kill(-1) (errno=%d)", errno);
    kill(own, SIGKILL);
    waitpid(own, NULL, 0);
}

// A child that sleeps until `*release` (the write end of its pipe) is closed; `ids` >= 0
// makes it setresuid(ids, ids, 0) first. It can be ended by an ordinary user whatever ids
// it has. -1 if the fork fails.
static pid_t sleeper(int ids, int* release)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        bail("pipe (errno=%d)", errno);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        // Only its own pipe: a copy of another sleeper's write end would keep that one alive.
        for (int fd = 3; fd < 64; ++fd)
            if (fd != pipe_fds[0])
                close(fd);
        if (ids >= 0 && (setresgid(ids, ids, ids) != 0 || setresuid(ids, ids, 0) != 0))
            _exit(1);
        char byte;
        read(pipe_fds[0], &byte, 1);
        _exit(0);
    }
    int saved = errno;
    close(pipe_fds[0]);
    *release = pipe_fds[1];
    if (pid < 0)
        close(pipe_fds[1]);
    errno = saved;
    return pid;
}

static void end(pid_t pid, int release)
{
    close(release);
    waitpid(pid, NULL, 0);
}

static void limit_rules(void)
{
    struct rlimit now, got;
    getrlimit(RLIMIT_NOFILE, &now);
    rlim_t hard = now.rlim_max;
    struct rlimit lower = { 64, hard - 10 }, back = { 64, hard };
    ok(setrlimit(RLIMIT_NOFILE, &lower) == 0, "root lowers RLIMIT_NOFILE's hard limit (errno=%d)", errno);
    errno = 0;
    int raised = setrlimit(RLIMIT_NOFILE, &back);
    if (has_sys_resource())
        ok(raised == 0, "and with CAP_SYS_RESOURCE (euid 0) raises it again (errno=%d)", errno);
    else
        ok(raised == -1 && errno == EPERM, "and without CAP_SYS_RESOURCE may not raise it (errno=%d)", errno);
    setrlimit(RLIMIT_NOFILE, &lower);
    int release_roots, release_half, release_own;
    pid_t roots = sleeper(-1, &release_roots), half = sleeper(1000, &release_half);
    ok(setresgid(1000, 1000, 1000) == 0 && setresuid(1000, 1000, 1000) == 0, "drop to 1000");
    struct rlimit lowest = { 64, hard - 20 };
    ok(setrlimit(RLIMIT_NOFILE, &lowest) == 0, "an ordinary user lowers the hard limit (errno=%d)", errno);
    ok(fails_with(setrlimit(RLIMIT_NOFILE, &lower), EPERM), "but cannot raise it again: EPERM (errno=%d)", errno);
    ok(fails_with(prlimit(roots, RLIMIT_NOFILE, NULL, &got), EPERM), "prlimit64 reading root's process: EPERM (errno=%d)",
        errno);
    // `half` may not have changed its ids yet; until it has, it is root's process: EPERM too.
    ok(fails_with(prlimit(half, RLIMIT_NOFILE, NULL, &got), EPERM),
        "prlimit64 on a process of uid 1000 with saved uid 0: EPERM (errno=%d)", errno);
    pid_t own = sleeper(-1, &release_own);
    struct rlimit own_limit = { 64, hard - 30 };
    ok(prlimit(own, RLIMIT_NOFILE, &own_limit, NULL) == 0 && prlimit(own, RLIMIT_NOFILE, NULL, &got) == 0
            && got.rlim_max == hard - 30,
        "prlimit64 on one's own process sets and reads (errno=%d)", errno);
    ok(fails_with(prlimit(own, RLIMIT_NOFILE, &lowest, NULL), EPERM), "but may not raise its hard limit (errno=%d)",
        errno);
    end(own, release_own);
    end(roots, release_roots);
    end(half, release_half);
}

// Waits (without reaping) until /proc/<pid>/stat shows the process as a zombie.
static int becomes_zombie(pid_t pid)
{
    char path[64], stat[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int tries = 0; tries < 100000; ++tries) {
        ssize_t n = read_whole_file(path, stat, sizeof stat);
        const char* state = n > 0 ? strrchr(stat, ')') : NULL;
        if (state && state[1] == ' ' && state[2] == 'Z')
            return 1;
        usleep(1000);
    }
    return 0;
}

// RLIMIT_NPROC as uid 4242 (a uid nothing else on the machine runs as): a limit of 2 is
// this process and one child.
static void process_limit(void)
{
    struct rlimit one = { 1, 2 };
    int release;
    ok(setrlimit(RLIMIT_NPROC, &one) == 0, "root sets RLIMIT_NPROC to 1 (hard 2) (errno=%d)", errno);
    pid_t child = sleeper(-1, &release);
    ok(child > 0, "and still forks: the real uid 0 is exempt (errno=%d)", errno);
    if (child > 0)
        end(child, release);
    ok(setresgid(4242, 4242, 4242) == 0 && setresuid(4242, 4242, 4242) == 0, "drop to 4242");
    struct rlimit two = { 2, 2 };
    ok(setrlimit(RLIMIT_NPROC, &two) == 0, "RLIMIT_NPROC 2: this process and one more (errno=%d)", errno);
    child = sleeper(-1, &release);
    ok(child > 0, "the first child forks (errno=%d)", errno);
    if (child < 0)
        return;
    int release_second;
    ok(fails_with(sleeper(-1, &release_second), EAGAIN), "a second fork: EAGAIN (errno=%d)", errno);
    close(release);
    ok(becomes_zombie(child), "the child is a zombie, not reaped");
    ok(fails_with(sleeper(-1, &release_second), EAGAIN), "a zombie still counts: EAGAIN (errno=%d)", errno);
    waitpid(child, NULL, 0);
    child = sleeper(-1, &release);
    ok(child > 0, "once it is reaped, a fork works again (errno=%d)", errno);
    if (child > 0)
        end(child, release);
}

static void* wait_for_release(void* pipe_read_end)
{
    char byte;
    read((int)(long)pipe_read_end, &byte, 1);
    return NULL;
}

// RLIMIT_NPROC counts threads, as Linux counts tasks: as uid 4243, a limit of 2 is this
// thread and one more.
static void thread_limit(void)
{
    ok(setresgid(4243, 4243, 4243) == 0 && setresuid(4243, 4243, 4243) == 0, "drop to 4243");
    struct rlimit two = { 2, 2 };
    ok(setrlimit(RLIMIT_NPROC, &two) == 0, "RLIMIT_NPROC 2 (errno=%d)", errno);
    int fds[2];
    if (pipe(fds) != 0)
        bail("pipe (errno=%d)", errno);
    pthread_t first, second;
    int r = pthread_create(&first, NULL, wait_for_release, (void*)(long)fds[0]);
    ok(r == 0, "the first thread starts (r=%d)", r);
    if (r != 0)
        return;
    r = pthread_create(&second, NULL, wait_for_release, (void*)(long)fds[0]);
    ok(r == EAGAIN, "a second thread: EAGAIN, the limit counts threads (r=%d)", r);
    if (r == 0) {
        close(fds[1]);
        pthread_join(second, NULL);
    }
    close(fds[1]);
    pthread_join(first, NULL);
}

static const char* self;

// execve of this program with "ids": the new program reports its ids as its exit status.
static int ids_after_exec(const char* program, int want_r, int want_e, int want_s)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char r[16], e[16], s[16];
        snprintf(r, sizeof r, "%d", want_r);
        snprintf(e, sizeof e, "%d", want_e);
        snprintf(s, sizeof s, "%d", want_s);
        char* argv[] = { (char*)program, "ids", r, e, s, NULL };
        execv(program, argv);
        _exit(99);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static void exec_rules(void)
{
    ok(setresuid(0, 1000, 0) == 0, "setresuid 0 1000 0");
    ok(ids_after_exec(self, 0, 1000, 1000) == 0, "execve sets the saved uid to the effective one");
    ok(setresuid(0, 0, 0) == 0, "back to root (the real and saved ids were 0)");

    char copy[64];
    snprintf(copy, sizeof copy, "/tmp/credentials-setuid-%d", (int)getpid());
    ok(copy_file(self, copy, 0755, NULL) > 0 && chown(copy, 1234, 4321) == 0 && chmod(copy, 06755) == 0,
        "a set-user-ID, set-group-ID copy owned by 1234:4321 (errno=%d)", errno);
    ok(ids_after_exec(copy, 0, 1234, 1234) == 0, "it runs with euid 1234 (saved too), the real uid stays");
    unlink(copy);
}

int main(int argc, char** argv)
{
    if (argc == 5 && strcmp(argv[1], "ids") == 0) {
        uid_t r, e, s;
        getresuid(&r, &e, &s);
        return (int)r == atoi(argv[2]) && (int)e == atoi(argv[3]) && (int)s == atoi(argv[4]) ? 0 : 1;
    }
    static char program[512];
    ssize_t n = readlink("/proc/self/exe", program, sizeof program - 1);
    if (n <= 0)
        bail("readlink /proc/self/exe (errno=%d)", errno);
    program[n] = '\0';
    self = program;
    if (geteuid() != 0)
        bail("must start as root (euid %d)", (int)geteuid());
    checks_in_child("root", root_sets_anything);
    checks_in_child("setuid", setuid_without_root);
    checks_in_child("setreuid", setreuid_rules);
    checks_in_child("setfsuid", setfsuid_rules);
    checks_in_child("exec", exec_rules);
    checks_in_child("kill", kill_rules);
    checks_in_child("limits", limit_rules);
    checks_in_child("RLIMIT_NPROC", process_limit);
    checks_in_child("RLIMIT_NPROC threads", thread_limit);
    return tap_done();
}
