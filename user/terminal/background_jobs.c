// background_jobs — what a background job may do with its terminal (tests/terminal/run):
//   - with TOSTOP set, a background write gets SIGTTOU: a handler (no SA_RESTART) sees the
//     write fail with EINTR; blocked or ignored, the write goes ahead; at the default action
//     the writer stops (its parent sees WSTOPSIG = SIGTTOU); without TOSTOP it just writes;
//   - tcsetattr, tcflush and tcsetpgrp from the background get SIGTTOU whatever TOSTOP says;
//     tcgetattr does not;
//   - a member of an orphaned background group (its parent, the job's leader, exited) gets EIO
//     for a read and for a write with TOSTOP, instead of a signal that would stop it for ever;
//   - when the session leader (the controlling process) exits, the foreground group gets
//     SIGHUP.
// Prints "ready", a line per check ("ok - ..." or "FAIL - ..."), "done, N failed" and at last,
// from a child left in the foreground, "hangup reached the foreground group". Background
// children report through a pipe; only the foreground process writes to the terminal.
// On Pagoda the program is the first process: it runs the checks in a child that makes itself
// a session leader with the console as its controlling terminal, as the pseudo-terminal's
// program is on Linux.
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int failures;
static int results[2]; // background children write one '1' or '0' per check

static void check(int pass, const char* what)
{
    printf("%s - %s\n", pass ? "ok" : "FAIL", what);
    fflush(stdout);
    failures += !pass;
}

static void result(int pass)
{
    char c = pass ? '1' : '0';
    if (write(results[1], &c, 1) != 1)
        _exit(3);
}

// Reads `count` results of a background child and checks them under their names.
static void collect(int count, const char* const* names)
{
    for (int i = 0; i < count; ++i) {
        char c = '0';
        if (read(results[0], &c, 1) != 1)
            c = '0';
        check(c == '1', names[i]);
    }
}

static void set_tostop(int on)
{
    struct termios t;
    tcgetattr(0, &t);
    t.c_lflag = on ? t.c_lflag | TOSTOP : t.c_lflag & ~TOSTOP;
    tcsetattr(0, TCSANOW, &t);
}

// A child in a process group of its own: a background job of this session.
static pid_t background(void (*body)(void))
{
    pid_t child = fork();
    if (child == 0) {
        setpgid(0, 0);
        body();
        _exit(0);
    }
    setpgid(child, child);
    return child;
}

static volatile sig_atomic_t ttous;
static void on_ttou(int signal)
{
    (void)signal;
    ++ttous;
}

static void catch_ttou(void)
{
    struct sigaction action = { 0 };
    action.sa_handler = on_ttou; // no SA_RESTART: an interrupted call returns EINTR
    sigaction(SIGTTOU, &action, NULL);
}

static int interrupted_by_ttou(int returned)
{
    int pass = returned == -1 && errno == EINTR && ttous == 1;
    ttous = 0;
    return pass;
}

static void tostop_writer(void)
{
    catch_ttou();
    result(interrupted_by_ttou(write(1, "!", 1)));
    struct termios t;
    result(tcgetattr(0, &t) == 0 && ttous == 0);
    result(interrupted_by_ttou(tcsetattr(0, TCSANOW, &t)));
    result(interrupted_by_ttou(tcflush(0, TCIFLUSH)));
    result(interrupted_by_ttou(tcsetpgrp(0, getpgrp())));
    sigset_t ttou;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(SIG_BLOCK, &ttou, NULL);
    result(write(1, "b\n", 2) == 2 && tcsetattr(0, TCSANOW, &t) == 0);
    sigprocmask(SIG_UNBLOCK, &ttou, NULL);
    signal(SIGTTOU, SIG_IGN);
    result(write(1, "i\n", 2) == 2 && ttous == 0);
    signal(SIGTTOU, SIG_DFL);
    write(1, "s\n", 2); // stops here
    result(0); // not reached
}

static void plain_writer(void)
{
    catch_ttou();
    result(write(1, "w\n", 2) == 2 && ttous == 0);
    struct termios t;
    tcgetattr(0, &t);
    result(interrupted_by_ttou(tcsetattr(0, TCSANOW, &t)));
}

static void orphaned_member(pid_t leader)
{
    while (getppid() == leader)
        usleep(1000); // until the job's leader has exited: the group is orphaned
    char c;
    result(read(0, &c, 1) == -1 && errno == EIO);
    result(write(1, "o\n", 2) == -1 && errno == EIO);
    _exit(0);
}

static void orphan_maker(void)
{
    pid_t leader = getpid();
    if (fork() == 0)
        orphaned_member(leader);
    _exit(0); // the member's parent goes: nobody in the session can continue the group
}

static volatile sig_atomic_t hung_up;
static void on_hup(int signal)
{
    (void)signal;
    hung_up = 1;
}

static void hangup_watcher(int ready)
{
    signal(SIGHUP, on_hup);
    if (write(ready, "r", 1) != 1)
        _exit(3);
    sigset_t none;
    sigemptyset(&none);
    while (!hung_up)
        sigsuspend(&none);
    printf("hangup reached the foreground group\n");
    fflush(stdout);
    _exit(0);
}

static int run_checks(void)
{
    if (pipe(results) != 0)
        return 1;
    printf("ready\n");
    fflush(stdout);

    set_tostop(1);
    pid_t child = background(tostop_writer);
    static const char* const tostop_names[] = {
        "TOSTOP: a background write with a SIGTTOU handler fails with EINTR",
        "tcgetattr from the background sends nothing",
        "tcsetattr from the background: SIGTTOU, EINTR",
        "tcflush from the background: SIGTTOU, EINTR",
        "tcsetpgrp from the background: SIGTTOU, EINTR",
        "SIGTTOU blocked: the write and tcsetattr go ahead",
        "SIGTTOU ignored: the write goes ahead",
    };
    collect(7, tostop_names);
    int status;
    int stopped = waitpid(child, &status, WUNTRACED) == child && WIFSTOPPED(status) && WSTOPSIG(status) == SIGTTOU;
    check(stopped, "TOSTOP: at SIGTTOU's default action the background writer stops");
    kill(child, SIGKILL);
    waitpid(child, &status, 0);

    set_tostop(0);
    child = background(plain_writer);
    static const char* const plain_names[] = {
        "without TOSTOP a background write goes ahead",
        "without TOSTOP tcsetattr from the background still gets SIGTTOU",
    };
    collect(2, plain_names);
    waitpid(child, &status, 0);

    set_tostop(1);
    child = background(orphan_maker);
    waitpid(child, &status, 0);
    static const char* const orphan_names[] = {
        "an orphaned background group's read: EIO",
        "an orphaned background group's write with TOSTOP: EIO",
    };
    collect(2, orphan_names);
    set_tostop(0);

    int ready[2];
    if (pipe(ready) != 0)
        return 1;
    if (fork() == 0)
        hangup_watcher(ready[1]);
    char c;
    read(ready[0], &c, 1);
    printf("done, %d failed\n", failures);
    fflush(stdout);
    return failures ? 1 : 0; // the session leader exits: the watcher hears SIGHUP
}

int main(void)
{
    if (getsid(0) == getpid())
        return run_checks();
    pid_t worker = fork();
    if (worker == 0) {
        if (setsid() < 0 || ioctl(0, TIOCSCTTY, 1) < 0) {
            perror("setsid/TIOCSCTTY");
            _exit(2);
        }
        _exit(run_checks());
    }
    int status, worker_status = 1;
    pid_t ended;
    while ((ended = wait(&status)) > 0 || errno == EINTR) // the orphans come back here too
        if (ended == worker)
            worker_status = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    return worker_status;
}
