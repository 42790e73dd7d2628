// interruptible_sleeps — every wait a program can make long ends when a signal wants the
// process, and then behaves as on Linux:
//   - SIGKILL ends a process blocked in: read of an empty pipe, write to a full pipe, wait4,
//     futex(FUTEX_WAIT), nanosleep, pause, and a vfork parent waiting for its child;
//   - a caught signal (no SA_RESTART) makes each of them fail with EINTR;
//   - with SA_RESTART, the calls Linux restarts (pipe read and write, wait4, an untimed futex
//     wait) go on and complete when their event comes, while nanosleep and pause still fail
//     with EINTR; a caught signal does not end a vfork parent's wait.
// Each case runs in a child; the parent sends the signal repeatedly (a signal that comes
// before the child blocks is caught and the next one finds it blocked) until the child
// reports that a signal arrived while it was inside the call.
#include "proc_util.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// <linux/futex.h> is not among musl-gcc's headers.
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

enum Call { PIPE_READ, PIPE_WRITE, WAIT4, FUTEX, NANOSLEEP, PAUSE, CALL_COUNT };
static const char* const NAMES[] = { "read(empty pipe)", "write(full pipe)", "wait4", "futex(FUTEX_WAIT)", "nanosleep",
    "pause" };
// Linux restarts these after a SA_RESTART handler.
static const int RESTARTS[] = { 1, 1, 1, 1, 0, 0 };

static volatile sig_atomic_t in_call; // set just before the blocking call
static int hits_fd = -1; // the handler writes a byte here for each signal that came in_call
static int data[2]; // the pipe the pipe cases block on
static int event_fd = -1; // the parent's end: writing it ends the event-driven waits
static uint32_t* futex_word; // shared with the parent (MAP_SHARED)

static void on_signal(int signal)
{
    (void)signal;
    if (in_call)
        (void)write(hits_fd, "h", 1);
}

static void fill_pipe(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    char chunk[4096] = { 0 };
    while (write(fd, chunk, sizeof chunk) > 0) {
    }
    fcntl(fd, F_SETFL, flags);
}

// The blocking call; returns its result with errno.
static long blocking_call(enum Call call)
{
    char byte;
    switch (call) {
    case PIPE_READ:
        in_call = 1;
        return read(data[0], &byte, 1);
    case PIPE_WRITE: {
        static char big[8192];
        in_call = 1;
        return write(data[1], big, sizeof big);
    }
    case WAIT4: {
        in_call = 1;
        int status;
        return waitpid(-1, &status, 0);
    }
    case FUTEX:
        in_call = 1;
        return syscall(SYS_futex, futex_word, FUTEX_WAIT, 0, NULL, NULL, 0);
    case NANOSLEEP: {
        struct timespec t = { 60, 0 };
        in_call = 1;
        return nanosleep(&t, NULL);
    }
    case PAUSE:
        in_call = 1;
        return pause();
    default:
        return -1;
    }
}

// Child exit codes: 0 = the call completed normally after its event, 1 = it failed with EINTR,
// 2 = something else.
static void child_body(enum Call call, int hits_write)
{
    hits_fd = hits_write;
    if (call == WAIT4) {
        pid_t grandchild = fork(); // a child to wait for, which exits when the pipe has data
        if (grandchild == 0) {
            char byte;
            close(data[1]);
            (void)read(data[0], &byte, 1);
            _exit(0);
        }
    }
    if (call == PIPE_WRITE)
        fill_pipe(data[1]);
    long r = blocking_call(call);
    int e = errno;
    in_call = 0;
    if (r == -1 && e == EINTR)
        _exit(1);
    if (r >= 0 || (call == FUTEX && r == -1 && e == EAGAIN))
        _exit(0);
    _exit(2);
}

// Makes the event the call waits for happen.
static void cause_event(enum Call call)
{
    char byte = 'x';
    static char drain[65536];
    switch (call) {
    case PIPE_READ:
    case WAIT4:
        (void)write(event_fd, &byte, 1);
        break;
    case PIPE_WRITE:
        (void)read(data[0], drain, sizeof drain);
        (void)read(data[0], drain, sizeof drain);
        break;
    case FUTEX:
        *futex_word = 1;
        syscall(SYS_futex, futex_word, FUTEX_WAKE, 1, NULL, NULL, 0);
        break;
    default:
        break;
    }
}

// Runs one case: `signal` with a handler (restart = SA_RESTART) or SIGKILL. Returns the
// child's wait status.
static int run_case(enum Call call, int signal, int restart)
{
    if (pipe(data) != 0)
        bail("pipe (errno=%d)", errno);
    int hits[2];
    if (pipe(hits) != 0)
        bail("pipe (errno=%d)", errno);
    *futex_word = 0;
    event_fd = data[1];
    struct sigaction action = { 0 };
    action.sa_handler = on_signal;
    action.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGUSR1, &action, NULL);
    pid_t child = fork();
    if (child == 0) {
        close(hits[0]);
        child_body(call, hits[1]);
    }
    close(hits[1]);
    fcntl(hits[0], F_SETFL, O_NONBLOCK);
    int status = -1;
    int hit = 0;
    for (int round = 0; round < 400; ++round) {
        if (signal == SIGKILL && round == 5) {
            kill(child, SIGKILL);
            break;
        }
        if (signal != SIGKILL)
            kill(child, signal);
        usleep(10000);
        char byte;
        if (read(hits[0], &byte, 1) == 1)
            ++hit;
        if (waitpid(child, &status, WNOHANG) == child)
            goto done;
        if (hit >= 2 && restart) {
            cause_event(call); // restarted calls complete once their event comes
            if (!RESTARTS[call])
                continue; // EINTR expected before this point anyway
            break;
        }
    }
    if (waitpid(child, &status, 0) != child)
        status = -1;
done:
    if (call == WAIT4 && signal != SIGKILL)
        cause_event(call); // let the grandchild go
    close(hits[0]);
    close(data[0]);
    close(data[1]);
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    return status;
}

static void vfork_parent(void)
{
    // P vforks C; C blocks (pause) in P's memory. SIGUSR1 (caught) must not end P's wait;
    // SIGKILL must.
    int go[2];
    if (pipe(go) != 0)
        bail("pipe");
    pid_t p = fork();
    if (p == 0) {
        struct sigaction action = { 0 };
        action.sa_handler = on_signal;
        sigaction(SIGUSR1, &action, NULL);
        pid_t c = vfork();
        if (c == 0) {
            char byte;
            (void)read(go[0], &byte, 1); // blocks in the shared memory, then exits
            _exit(0);
        }
        _exit(c > 0 ? 7 : 8); // only once the child has exited
    }
    usleep(100000);
    kill(p, SIGUSR1);
    usleep(100000);
    int status = -1;
    ok(waitpid(p, &status, WNOHANG) == 0, "a vfork parent is not released by a caught signal");
    kill(p, SIGKILL);
    pid_t r = waitpid(p, &status, 0);
    ok(r == p && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "SIGKILL ends a vfork parent waiting for its child (%s)",
        describe_wait_status(status));
    (void)write(go[1], "x", 1); // the orphaned vfork child exits
    close(go[0]);
    close(go[1]);
}

int main(void)
{
    futex_word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (futex_word == MAP_FAILED)
        bail("mmap (errno=%d)", errno);
    for (int call = 0; call < CALL_COUNT; ++call) {
        int status = run_case(call, SIGKILL, 0);
        ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "SIGKILL ends %s (%s)", NAMES[call], describe_wait_status(status));
    }
    for (int call = 0; call < CALL_COUNT; ++call) {
        int status = run_case(call, SIGUSR1, 0);
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 1, "a caught signal: %s fails with EINTR (%s)", NAMES[call],
            describe_wait_status(status));
    }
    for (int call = 0; call < CALL_COUNT; ++call) {
        int status = run_case(call, SIGUSR1, 1);
        int expected = RESTARTS[call] ? 0 : 1;
        ok(WIFEXITED(status) && WEXITSTATUS(status) == expected, "SA_RESTART: %s %s (%s)", NAMES[call],
            RESTARTS[call] ? "is restarted and completes" : "still fails with EINTR", describe_wait_status(status));
    }
    vfork_parent();
    return tap_done();
}
