// orphaned_groups — POSIX's orphaned process groups, as Linux implements them. A group is
// orphaned when no member has a parent in another group of the same session (nobody is left
// who could continue it). Each case runs in a session of its own (setsid: no terminal needed):
//   - a job's leader exits while another member is stopped (by SIGTSTP, which still stops a
//     group that is not orphaned): the group gets SIGHUP, then SIGCONT;
//   - a process exits and its child, the stopped leader of another group, loses the parent
//     that linked that group: the same;
//   - a group orphaned with nobody stopped gets nothing, and SIGTSTP and SIGTTOU at their
//     default action no longer stop it.
// Results come back through a pipe (the members end up children of init, so no wait);
// alarm(60) catches a hang, e.g. a member that stayed stopped.
#include "tap.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct report {
    int hups, conts; // signals the member caught
    int still_running; // after raising SIGTSTP and SIGTTOU itself (the third case)
};

static int report_pipe[2];
static volatile sig_atomic_t hups, conts;

static void on_signal(int signal)
{
    if (signal == SIGHUP)
        ++hups;
    else if (signal == SIGCONT)
        ++conts;
}

static void catch_hup_and_cont(void)
{
    struct sigaction action = { 0 };
    action.sa_handler = on_signal;
    sigaction(SIGHUP, &action, NULL);
    sigaction(SIGCONT, &action, NULL);
}

static void send_report(int still_running)
{
    struct report r = { hups, conts, still_running };
    if (write(report_pipe[1], &r, sizeof r) != sizeof r)
        _exit(3);
}

// A member that stops itself with SIGTSTP, and reports once SIGHUP and SIGCONT came.
static void stopping_member(void)
{
    catch_hup_and_cont();
    raise(SIGTSTP);
    sigset_t none;
    sigemptyset(&none);
    while (!hups || !conts)
        sigsuspend(&none);
    send_report(1);
    _exit(0);
}

// Waits (as its parent) until `child` has stopped; 0 on success.
static int wait_stopped(pid_t child)
{
    int status;
    if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status))
        return -1;
    return 0;
}

// Runs `session_body` in a child that is the leader of a new session; waits for it.
static int in_new_session(int (*session_body)(void))
{
    pid_t leader = fork();
    if (leader == 0) {
        if (setsid() < 0)
            _exit(10);
        _exit(session_body());
    }
    int status;
    if (waitpid(leader, &status, 0) != leader || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static int read_report(struct report* r)
{
    ssize_t n = read(report_pipe[0], r, sizeof *r);
    return n == sizeof *r ? 0 : -1;
}

// Case 1: group P = {P, C}; P's parent is the session leader (another group): linked.
// C stops; P exits; C's parent is now init: the group is orphaned with C stopped.
static int leader_of_job_exits(void)
{
    pid_t job = fork();
    if (job == 0) {
        setpgid(0, 0);
        pid_t member = fork();
        if (member == 0)
            stopping_member();
        _exit(wait_stopped(member) == 0 ? 0 : 20);
    }
    int status;
    if (waitpid(job, &status, 0) != job || !WIFEXITED(status))
        return 11;
    return WEXITSTATUS(status);
}

// Case 2: P (in the leader's group) has a child C leading group C: linked by P. C stops;
// P exits: C goes to init, and group C is orphaned with C stopped.
static int parent_of_job_exits(void)
{
    pid_t middle = fork();
    if (middle == 0) {
        pid_t job = fork();
        if (job == 0) {
            setpgid(0, 0);
            stopping_member();
        }
        setpgid(job, job);
        _exit(wait_stopped(job) == 0 ? 0 : 20);
    }
    int status;
    if (waitpid(middle, &status, 0) != middle || !WIFEXITED(status))
        return 11;
    return WEXITSTATUS(status);
}

static int go_pipe[2];

// Case 3: as case 1, but C does not stop: it waits on a pipe until its group is orphaned
// (the session leader saw P exit), then raises SIGTSTP and SIGTTOU itself and reports.
static int orphaned_without_stopped_member(void)
{
    pid_t job = fork();
    if (job == 0) {
        setpgid(0, 0);
        pid_t member = fork();
        if (member == 0) {
            catch_hup_and_cont();
            char go;
            while (read(go_pipe[0], &go, 1) < 0 && errno == EINTR) { }
            signal(SIGCONT, SIG_DFL);
            raise(SIGTSTP); // the default action would stop it: not in an orphaned group
            raise(SIGTTOU);
            send_report(1);
            _exit(0);
        }
        _exit(0);
    }
    int status;
    if (waitpid(job, &status, 0) != job || !WIFEXITED(status))
        return 11;
    // P has exited, so whatever its exit sent has been sent.
    if (write(go_pipe[1], "g", 1) != 1)
        return 12;
    return 0;
}

int main(void)
{
    alarm(60);
    if (pipe(report_pipe) != 0 || pipe(go_pipe) != 0)
        return 1;
    struct report r;

    int result = in_new_session(leader_of_job_exits);
    ok(result == 0, "a job's member stopped by SIGTSTP, then its leader exits (status %d)", result);
    int got = read_report(&r);
    ok(got == 0 && r.hups == 1 && r.conts == 1, "the orphaned group's stopped member gets SIGHUP and SIGCONT (%d, %d)",
        r.hups, r.conts);

    result = in_new_session(parent_of_job_exits);
    ok(result == 0, "a job leader stopped, then its parent in another group exits (status %d)", result);
    got = read_report(&r);
    ok(got == 0 && r.hups == 1 && r.conts == 1, "the group orphaned by reparenting gets SIGHUP and SIGCONT (%d, %d)",
        r.hups, r.conts);

    result = in_new_session(orphaned_without_stopped_member);
    ok(result == 0, "a job's leader exits with no member stopped (status %d)", result);
    got = read_report(&r);
    ok(got == 0 && r.hups == 0 && r.conts == 0, "no SIGHUP or SIGCONT without a stopped member (%d, %d)", r.hups,
        r.conts);
    ok(got == 0 && r.still_running, "SIGTSTP and SIGTTOU do not stop an orphaned group");
    return tap_done();
}
