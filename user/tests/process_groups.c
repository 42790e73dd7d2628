// process_groups — process groups and sessions as a shell uses them for jobs:
//   - getpgrp() == getpgid(0) == getpgid(getpid()); getsid(0) == getsid(getpid()); a fork
//     child inherits both; getpgid/getsid of a pid that does not exist → ESRCH;
//   - setpgid(0, 0) in a child makes it a group leader; the parent sees it; the parent may
//     also move its child (setpgid(child, child), as shells do from both sides); joining an
//     existing group of the same session works;
//   - errors: pgid < 0 → EINVAL; a pid that is neither the caller nor its child → ESRCH; a
//     child that has run execve → EACCES; a group that does not exist → EPERM; a child in
//     another session → EPERM; setsid() by a group leader → EPERM;
//   - setsid() in a fresh child: a new session and group whose id is its pid;
//   - kill(-pgid, sig) reaches exactly that group, kill(0, sig) exactly the caller's group,
//     kill(-pgid) of a group that does not exist → ESRCH;
//   - waitpid(0, ...) and waitpid(-pgid, ...) wait only for children of that group.
// The program also serves as the exec'd child: "process_groups wait FD" blocks reading FD.
#include "proc_util.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char self_path[4096];

// A child that sleeps until the parent writes to (or closes) its pipe, then exits `code`.
static pid_t sleeper(int* release_fd, int code)
{
    int fds[2];
    if (pipe(fds) != 0)
        bail("pipe (errno=%d)", errno);
    pid_t child = fork();
    if (child == 0) {
        close(fds[1]);
        char byte;
        (void)read(fds[0], &byte, 1);
        _exit(code);
    }
    close(fds[0]);
    *release_fd = fds[1];
    return child;
}

static int reap(pid_t child)
{
    int status = -1;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

static void release_and_reap(pid_t child, int fd)
{
    close(fd);
    reap(child);
}

static void queries(void)
{
    pid_t self = getpid();
    ok(getpgrp() == getpgid(0) && getpgid(0) == getpgid(self), "getpgrp() == getpgid(0) == getpgid(getpid()) (%d)", getpgrp());
    ok(getsid(0) == getsid(self) && getsid(0) >= 0, "getsid(0) == getsid(getpid()) (%d)", getsid(0));
    int fd;
    pid_t child = sleeper(&fd, 0);
    ok(getpgid(child) == getpgrp() && getsid(child) == getsid(0), "a fork child inherits the group and the session");
    release_and_reap(child, fd);
    errno = 0;
    ok(getpgid(child) == -1 && errno == ESRCH, "getpgid of a reaped child: ESRCH (errno=%d)", errno);
    errno = 0;
    ok(getsid(child) == -1 && errno == ESRCH, "getsid of a reaped child: ESRCH (errno=%d)", errno);
}

static void setpgid_basics(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        bail("pipe");
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        int r = setpgid(0, 0);
        char answer = (r == 0 && getpgrp() == getpid()) ? 'y' : 'n';
        (void)write(fds[1], &answer, 1);
        pause();
        _exit(0);
    }
    close(fds[1]);
    char answer = 0;
    (void)read(fds[0], &answer, 1);
    close(fds[0]);
    ok(answer == 'y', "setpgid(0, 0) in a child: it leads its own group");
    ok(getpgid(child) == child, "the parent sees the child's group (%d)", getpgid(child));
    ok(setpgid(child, child) == 0, "setpgid(child, child) from the parent too, as shells do (errno=%d)", errno);

    int fd2;
    pid_t second = sleeper(&fd2, 0);
    ok(setpgid(second, child) == 0 && getpgid(second) == child, "a second child joins that group (errno=%d)", errno);
    errno = 0;
    ok(setpgid(second, -1) == -1 && errno == EINVAL, "pgid < 0: EINVAL (errno=%d)", errno);
    errno = 0;
    ok(setpgid(second, 999999) == -1 && errno == EPERM, "a group that does not exist: EPERM (errno=%d)", errno);
    ok(setpgid(second, 0) == 0 && getpgid(second) == second, "setpgid(child, 0): its own group again");
    kill(child, SIGKILL);
    reap(child);
    release_and_reap(second, fd2);

    // A grandchild is not our child.
    int report[2], go[2];
    if (pipe(report) != 0 || pipe(go) != 0)
        bail("pipe");
    pid_t middle = fork();
    if (middle == 0) {
        int fd;
        pid_t grandchild = sleeper(&fd, 0);
        (void)write(report[1], &grandchild, sizeof grandchild);
        char byte;
        (void)read(go[0], &byte, 1);
        release_and_reap(grandchild, fd);
        _exit(0);
    }
    pid_t grandchild = 0;
    (void)read(report[0], &grandchild, sizeof grandchild);
    errno = 0;
    int r = setpgid(grandchild, 0);
    ok(grandchild > 0 && r == -1 && errno == ESRCH, "a grandchild is not our child: ESRCH (r=%d errno=%d)", r, errno);
    (void)write(go[1], "x", 1);
    close(report[0]);
    close(report[1]);
    close(go[0]);
    close(go[1]);
    reap(middle);
}

static void setpgid_after_exec(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        bail("pipe");
    int ready[2];
    if (pipe(ready) != 0)
        bail("pipe");
    pid_t child = fork();
    if (child == 0) {
        close(fds[1]);
        close(ready[0]);
        char fd_text[16], ready_text[16];
        snprintf(fd_text, sizeof fd_text, "%d", fds[0]);
        snprintf(ready_text, sizeof ready_text, "%d", ready[1]);
        execl(self_path, self_path, "wait", fd_text, ready_text, (char*)NULL);
        _exit(127);
    }
    close(fds[0]);
    close(ready[1]);
    char byte = 0;
    ssize_t n = read(ready[0], &byte, 1); // the new program runs
    close(ready[0]);
    errno = 0;
    int r = setpgid(child, child);
    ok(n == 1 && r == -1 && errno == EACCES, "setpgid of a child that has run execve: EACCES (r=%d errno=%d)", r, errno);
    release_and_reap(child, fds[1]);
}

static void sessions(void)
{
    int report[2];
    if (pipe(report) != 0)
        bail("pipe");
    pid_t child = fork();
    if (child == 0) {
        close(report[0]);
        int results[4];
        errno = 0;
        results[0] = setsid();
        results[1] = getsid(0);
        results[2] = getpgrp();
        errno = 0;
        results[3] = setsid() == -1 ? errno : 0; // now a group leader
        (void)write(report[1], results, sizeof results);
        pause();
        _exit(0);
    }
    close(report[1]);
    int results[4] = { 0 };
    ssize_t n = read(report[0], results, sizeof results);
    close(report[0]);
    ok(n == (ssize_t)sizeof results && results[0] == child, "setsid() in a fresh child returns its pid (%d)", results[0]);
    ok(results[1] == child && results[2] == child, "it leads the new session and the new group (sid %d, pgid %d)", results[1],
        results[2]);
    ok(results[3] == EPERM, "setsid() again, as a group leader: EPERM (errno=%d)", results[3]);
    ok(getsid(child) == child, "the parent sees the child's session (%d)", getsid(child));
    errno = 0;
    ok(setpgid(child, getpgrp()) == -1 && errno == EPERM, "setpgid of a child in another session: EPERM (errno=%d)", errno);

    int fd;
    pid_t other = sleeper(&fd, 0);
    errno = 0;
    ok(setpgid(other, child) == -1 && errno == EPERM, "joining a group of another session: EPERM (errno=%d)", errno);
    release_and_reap(other, fd);
    kill(child, SIGKILL);
    reap(child);
}

// Three children: two in group A (led by the first), one in its own group B.
static void kill_groups(void)
{
    int fa1, fa2, fb;
    pid_t a1 = sleeper(&fa1, 0), a2 = sleeper(&fa2, 0), b = sleeper(&fb, 0);
    if (setpgid(a1, a1) != 0 || setpgid(a2, a1) != 0 || setpgid(b, b) != 0)
        bail("setpgid for the kill test (errno=%d)", errno);
    ok(kill(-a1, SIGTERM) == 0, "kill(-pgid, SIGTERM) (errno=%d)", errno);
    int s1 = reap(a1), s2 = reap(a2);
    ok(WIFSIGNALED(s1) && WTERMSIG(s1) == SIGTERM && WIFSIGNALED(s2) && WTERMSIG(s2) == SIGTERM,
        "both members of the group died of SIGTERM (%s, ...)", describe_wait_status(s1));
    ok(kill(b, 0) == 0, "the process of the other group lives");
    close(fa1);
    close(fa2);
    errno = 0;
    ok(kill(-a1, SIGTERM) == -1 && errno == ESRCH, "kill(-pgid) of a group with nobody left: ESRCH (errno=%d)", errno);
    release_and_reap(b, fb);
    int sb = reap(b);
    (void)sb;
}

// In a child leading its own group: kill(0) reaches it and its children, not the parent.
static void kill_own_group(void)
{
    pid_t leader = fork();
    if (leader == 0) {
        setpgid(0, 0);
        int fd;
        pid_t member = sleeper(&fd, 0);
        int fd2;
        pid_t outsider = sleeper(&fd2, 0);
        setpgid(outsider, outsider);
        signal(SIGUSR1, SIG_IGN); // the leader survives its own kill(0)
        if (kill(0, SIGUSR1) != 0)
            _exit(10);
        int status = reap(member);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGUSR1)
            _exit(11);
        if (kill(outsider, 0) != 0)
            _exit(12);
        kill(outsider, SIGKILL);
        reap(outsider);
        _exit(0);
    }
    int status = reap(leader);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "kill(0, SIGUSR1) reaches the caller's group (its member dies), not another group (%s)", describe_wait_status(status));
}

static void wait_by_group(void)
{
    int fa, fb;
    pid_t a = sleeper(&fa, 3), b = sleeper(&fb, 4);
    setpgid(a, a);
    close(fb); // b exits first, but is not in group a
    int status = -1;
    usleep(50000);
    errno = 0;
    pid_t r = waitpid(-a, &status, WNOHANG);
    ok(r == 0, "waitpid(-pgid, WNOHANG) ignores a dead child of another group (r=%d errno=%d)", r, errno);
    close(fa);
    r = waitpid(-a, &status, 0);
    ok(r == a && WIFEXITED(status) && WEXITSTATUS(status) == 3, "waitpid(-pgid) reaps the group's child (r=%d)", r);
    r = waitpid(0, &status, 0);
    ok(r == b && WEXITSTATUS(status) == 4, "waitpid(0) reaps the child of our own group (r=%d)", r);
}

int main(int argc, char** argv)
{
    if (argc == 4 && strcmp(argv[1], "wait") == 0) {
        char byte;
        (void)write(atoi(argv[3]), "r", 1);
        (void)read(atoi(argv[2]), &byte, 1);
        return 0;
    }
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (n <= 0)
        bail("readlink /proc/self/exe (errno=%d)", errno);
    self_path[n] = '\0';
    queries();
    setpgid_basics();
    setpgid_after_exec();
    sessions();
    kill_groups();
    kill_own_group();
    wait_by_group();
    return tap_done();
}
