// lock_util.h — helpers for the file-lock tests: a "peer", a forked process with its own
// open file that takes and tests locks when told to (so a test can hold a lock in one
// process while another asks), and a way to know that a process is asleep in a lock wait
// without guessing with a sleep. Header-only, static.
#ifndef PAGODA_TESTS_LOCK_UTIL_H
#define PAGODA_TESTS_LOCK_UTIL_H

#include "proc_util.h"
#include "tap.h"

#include <signal.h>
#include <sys/file.h>

// struct flock for fcntl(): l_len 0 means "to the end of the file".
static inline struct flock lock_range(short type, off_t start, off_t len)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = start;
    fl.l_len = len;
    return fl;
}

// fcntl(fd, cmd, {type, SEEK_SET, start, len}): 0, or the errno.
static inline int try_lock(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = lock_range(type, start, len);
    return fcntl(fd, cmd, &fl) == 0 ? 0 : errno;
}

// --- peers ---
enum { PEER_FCNTL, PEER_FLOCK, PEER_EXIT };

struct peer_command {
    int op; // PEER_*
    int cmd; // the fcntl command, or flock's operation
    struct flock fl;
};

struct peer_reply {
    int error; // 0 or the errno
    struct flock fl; // the struct after the call (F_GETLK's answer)
};

struct peer {
    pid_t pid;
    int to; // commands go here
    int from; // replies come from here
};

static inline void peer_serve(int fd, int in, int out)
{
    struct peer_command command;
    while (read_full(in, &command, sizeof command) == (ssize_t)sizeof command) {
        struct peer_reply reply;
        memset(&reply, 0, sizeof reply);
        int r = 0;
        if (command.op == PEER_EXIT)
            _exit(0);
        // "Started": from here until the reply, the peer's only sleep is in the call itself.
        char started = 's';
        if (write_all(out, &started, 1) != 0)
            _exit(3);
        if (command.op == PEER_FCNTL)
            r = fcntl(fd, command.cmd, &command.fl);
        else
            r = flock(fd, command.cmd);
        reply.error = r == 0 ? 0 : errno;
        reply.fl = command.fl;
        if (write_all(out, &reply, sizeof reply) != 0)
            _exit(3);
    }
    _exit(0); // the test went away
}

// Forks a peer that opens `path` itself (O_RDWR), so it is another process *and* another
// open file description.
static inline void peer_start(struct peer* p, const char* path)
{
    int to[2], from[2];
    if (pipe(to) != 0 || pipe(from) != 0)
        bail("pipe for a peer (errno=%d)", errno);
    pid_t pid = fork();
    if (pid < 0)
        bail("fork a peer (errno=%d)", errno);
    if (pid == 0) {
        // Only its own descriptors: an inherited one would keep the test's open files (and
        // their flock and OFD locks) alive.
        for (int other = 3; other < 1024; ++other)
            if (other != to[0] && other != from[1])
                close(other);
        int fd = open(path, O_RDWR);
        if (fd < 0)
            _exit(2);
        peer_serve(fd, to[0], from[1]);
    }
    close(to[0]);
    close(from[1]);
    p->pid = pid;
    p->to = to[1];
    p->from = from[0];
}

// Sends a command and returns once the peer has started it, without waiting for its answer
// (for one that blocks: then wait_until_sleeping(p->pid) means it sleeps in that call).
static inline void peer_send(struct peer* p, int op, int cmd, struct flock fl)
{
    struct peer_command command = { op, cmd, fl };
    char started;
    if (write_all(p->to, &command, sizeof command) != 0)
        bail("command to peer %d (errno=%d)", (int)p->pid, errno);
    if (op != PEER_EXIT && read_full(p->from, &started, 1) != 1)
        bail("peer %d did not start the command", (int)p->pid);
}

// The answer to the last command sent: 0 or its errno; `fl` (may be NULL) gets the struct.
static inline int peer_wait(struct peer* p, struct flock* fl)
{
    struct peer_reply reply;
    if (read_full(p->from, &reply, sizeof reply) != (ssize_t)sizeof reply)
        bail("no reply from peer %d", (int)p->pid);
    if (fl)
        *fl = reply.fl;
    return reply.error;
}

// fcntl in the peer: 0 or the errno.
static inline int peer_fcntl(struct peer* p, int cmd, short type, off_t start, off_t len)
{
    peer_send(p, PEER_FCNTL, cmd, lock_range(type, start, len));
    return peer_wait(p, NULL);
}

// F_GETLK (or F_OFD_GETLK) in the peer; its answer in *out.
static inline int peer_getlk(struct peer* p, int cmd, short type, off_t start, off_t len, struct flock* out)
{
    peer_send(p, PEER_FCNTL, cmd, lock_range(type, start, len));
    return peer_wait(p, out);
}

static inline int peer_flock(struct peer* p, int operation)
{
    struct flock none;
    memset(&none, 0, sizeof none);
    peer_send(p, PEER_FLOCK, operation, none);
    return peer_wait(p, NULL);
}

static inline void peer_stop(struct peer* p)
{
    struct flock none;
    memset(&none, 0, sizeof none);
    peer_send(p, PEER_EXIT, 0, none);
    int status;
    waitpid(p->pid, &status, 0);
    close(p->to);
    close(p->from);
}

// --- waiting for a sleeper ---

// The state letter of /proc/PID/stat ('R', 'S', 'Z', ...), or 0 if it cannot be read.
static inline char process_state(pid_t pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_whole_file(path, text, sizeof text) < 0)
        return 0;
    char* close_paren = strrchr(text, ')');
    return close_paren && close_paren[1] == ' ' ? close_paren[2] : 0;
}

// Waits until `pid` sleeps (state S). The tests call it for a process whose only possible
// sleep is the lock wait they are about to check, so it means "it is waiting for the lock"
// — no guess about how long that takes. Returns 0 if it never did (after many seconds).
static inline int wait_until_sleeping(pid_t pid)
{
    for (int i = 0; i < 30000; ++i) {
        if (process_state(pid) == 'S')
            return 1;
        usleep(1000);
    }
    return 0;
}

#endif
