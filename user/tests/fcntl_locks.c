// POSIX record locks (fcntl F_GETLK/F_SETLK/F_SETLKW) between processes: conflicts and what
// F_GETLK reports (type, range, the holder's pid), how ranges split, trim and merge, l_len 0
// and negative lengths, SEEK_CUR/SEEK_END, upgrade and downgrade, release when any descriptor
// of the file closes and at exit, no inheritance by fork, a sleeper woken by the release, a
// deadlock refused with EDEADLK (two and three processes), F_SETLKW interrupted by a signal
// (EINTR, or restarted with SA_RESTART), and the errors Linux gives.
#include "lock_util.h"
#include <limits.h>

static char path[64];

// F_GETLK in the peer; checks what it reports.
static void expect_holder(struct peer* p, short ask, off_t start, off_t len, short type, off_t got_start, off_t got_len,
    pid_t pid, const char* what)
{
    struct flock fl;
    int e = peer_getlk(p, F_GETLK, ask, start, len, &fl);
    if (type == F_UNLCK) {
        ok(e == 0 && fl.l_type == F_UNLCK && fl.l_start == start && fl.l_len == len,
            "%s: F_GETLK finds nothing and leaves the range as given (e=%d type=%d start=%ld len=%ld)", what, e,
            fl.l_type, (long)fl.l_start, (long)fl.l_len);
        return;
    }
    ok(e == 0 && fl.l_type == type && fl.l_whence == SEEK_SET && fl.l_start == got_start && fl.l_len == got_len
            && fl.l_pid == pid,
        "%s: F_GETLK reports type %d start %ld len %ld pid %d (got e=%d type=%d whence=%d start=%ld len=%ld pid=%d)", what,
        type, (long)got_start, (long)got_len, (int)pid, e, fl.l_type, fl.l_whence, (long)fl.l_start, (long)fl.l_len,
        fl.l_pid);
}

static volatile sig_atomic_t handled;
static int handler_pipe = -1;
static void on_usr1(int signal)
{
    (void)signal;
    ++handled;
    if (handler_pipe >= 0)
        (void)write(handler_pipe, "h", 1);
}

// A child that blocks in F_SETLKW on [0,9] (held by the parent) and is sent SIGUSR1:
// without SA_RESTART it must return EINTR; with it, it must sleep again and get the lock
// when the parent unlocks. The child's exit status is its verdict.
static void interrupted_wait(int fd, int restart)
{
    int ready[2], handler[2];
    pipe(ready);
    pipe(handler);
    pid_t child = fork();
    if (child == 0) {
        handler_pipe = handler[1];
        struct sigaction action = { 0 };
        action.sa_handler = on_usr1;
        action.sa_flags = restart ? SA_RESTART : 0;
        sigemptyset(&action.sa_mask);
        sigaction(SIGUSR1, &action, NULL);
        struct flock probe = lock_range(F_WRLCK, 0, 10);
        fcntl(fd, F_GETLK, &probe); // fault in everything the wait uses
        write(ready[1], "r", 1);
        struct flock fl = lock_range(F_WRLCK, 0, 10);
        int r = fcntl(fd, F_SETLKW, &fl);
        if (restart)
            _exit(r == 0 && handled == 1 ? 0 : 10 + (r == 0 ? 0 : errno));
        _exit(r == -1 && errno == EINTR && handled == 1 ? 0 : 10 + (r == 0 ? 0 : errno));
    }
    char c;
    read_full(ready[0], &c, 1);
    int slept = wait_until_sleeping(child);
    kill(child, SIGUSR1);
    read_full(handler[0], &c, 1); // the handler ran
    if (restart) {
        slept &= wait_until_sleeping(child); // back in the wait
        try_lock(fd, F_SETLK, F_UNLCK, 0, 10);
    }
    int status;
    waitpid(child, &status, 0);
    if (restart)
        try_lock(fd, F_SETLK, F_WRLCK, 0, 10);
    ok(slept && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        restart ? "SA_RESTART: F_SETLKW resumes after the handler and gets the lock when released (slept %d, status %#x)"
                : "a handler without SA_RESTART ends F_SETLKW with EINTR (slept %d, status %#x)",
        slept, status);
    close(ready[0]), close(ready[1]), close(handler[0]), close(handler[1]);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/fcntl_locks.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        bail("create %s (errno=%d)", path, errno);
    if (ftruncate(fd, 1000) != 0)
        bail("ftruncate (errno=%d)", errno);
    pid_t me = getpid();
    struct peer peer;
    peer_start(&peer, path);

    // Conflicts between processes.
    ok(try_lock(fd, F_SETLK, F_WRLCK, 0, 10) == 0, "write-lock [0,9]");
    ok(peer_fcntl(&peer, F_SETLK, F_WRLCK, 5, 10) == EAGAIN, "another process's write lock over it: EAGAIN");
    ok(peer_fcntl(&peer, F_SETLK, F_RDLCK, 9, 1) == EAGAIN, "and a read lock of its last byte: EAGAIN");
    ok(peer_fcntl(&peer, F_SETLK, F_RDLCK, 10, 10) == 0, "a read lock of [10,19] next to it is granted");
    expect_holder(&peer, F_RDLCK, 3, 1, F_WRLCK, 0, 10, me, "byte 3");
    expect_holder(&peer, F_RDLCK, 20, 0, F_UNLCK, 0, 0, 0, "past both locks");
    ok(try_lock(fd, F_SETLK, F_WRLCK, 15, 1) == EAGAIN, "the peer's read lock keeps our write lock out");
    ok(try_lock(fd, F_SETLK, F_RDLCK, 15, 1) == 0, "but readers share");
    ok(peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0) == 0 && try_lock(fd, F_SETLK, F_UNLCK, 0, 0) == 0, "unlock everything");

    // Split, trim, merge, as another process sees them.
    try_lock(fd, F_SETLK, F_RDLCK, 0, 100);
    try_lock(fd, F_SETLK, F_WRLCK, 40, 20);
    expect_holder(&peer, F_WRLCK, 0, 0, F_RDLCK, 0, 40, me, "write inside read: the read lock's first part");
    expect_holder(&peer, F_RDLCK, 0, 0, F_WRLCK, 40, 20, me, "the write lock in the middle");
    expect_holder(&peer, F_WRLCK, 60, 0, F_RDLCK, 60, 40, me, "the read lock's last part");
    try_lock(fd, F_SETLK, F_UNLCK, 50, 0);
    expect_holder(&peer, F_RDLCK, 0, 0, F_WRLCK, 40, 10, me, "unlock [50,end): the write lock is trimmed");
    expect_holder(&peer, F_WRLCK, 50, 0, F_UNLCK, 0, 0, 0, "and nothing is left past 49");
    try_lock(fd, F_SETLK, F_WRLCK, 100, 10);
    try_lock(fd, F_SETLK, F_WRLCK, 110, 10);
    expect_holder(&peer, F_RDLCK, 115, 1, F_WRLCK, 100, 20, me, "touching write locks merge into one");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);

    // Lengths and origins.
    try_lock(fd, F_SETLK, F_WRLCK, 200, 0);
    expect_holder(&peer, F_RDLCK, 1000000000000, 1, F_WRLCK, 200, 0, me, "l_len 0 runs to the end, however far");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);
    try_lock(fd, F_SETLK, F_WRLCK, 300, -10);
    expect_holder(&peer, F_RDLCK, 0, 0, F_WRLCK, 290, 10, me, "l_len -10 at 300 covers [290,299]");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);
    lseek(fd, 500, SEEK_SET);
    struct flock fl = lock_range(F_WRLCK, 10, 5);
    fl.l_whence = SEEK_CUR;
    ok(fcntl(fd, F_SETLK, &fl) == 0, "SEEK_CUR lock");
    expect_holder(&peer, F_RDLCK, 0, 0, F_WRLCK, 510, 5, me, "SEEK_CUR counts from the offset (500)");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);
    fl = lock_range(F_WRLCK, -10, 10);
    fl.l_whence = SEEK_END;
    ok(fcntl(fd, F_SETLK, &fl) == 0, "SEEK_END lock");
    expect_holder(&peer, F_RDLCK, 0, 0, F_WRLCK, 990, 10, me, "SEEK_END counts from the size (1000)");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);

    // Upgrade and downgrade.
    try_lock(fd, F_SETLK, F_RDLCK, 0, 10);
    ok(peer_fcntl(&peer, F_SETLK, F_RDLCK, 0, 10) == 0, "two readers of [0,9]");
    ok(try_lock(fd, F_SETLK, F_WRLCK, 0, 10) == EAGAIN, "upgrading while the other reads: EAGAIN");
    expect_holder(&peer, F_WRLCK, 0, 10, F_RDLCK, 0, 10, me, "the failed upgrade kept our read lock");
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 10);
    ok(try_lock(fd, F_SETLK, F_WRLCK, 0, 10) == 0, "alone, the upgrade succeeds");
    ok(peer_fcntl(&peer, F_SETLK, F_RDLCK, 0, 10) == EAGAIN, "the peer cannot read-lock under it");
    ok(try_lock(fd, F_SETLK, F_RDLCK, 0, 10) == 0 && peer_fcntl(&peer, F_SETLK, F_RDLCK, 0, 10) == 0,
        "after a downgrade it can");
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0);
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);

    // Closing any descriptor of the file releases the process's locks.
    try_lock(fd, F_SETLK, F_WRLCK, 0, 10);
    int other = open(path, O_RDONLY);
    close(other);
    ok(peer_fcntl(&peer, F_SETLK, F_WRLCK, 0, 10) == 0, "closing another descriptor of the file released the lock");
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0);
    try_lock(fd, F_SETLK, F_WRLCK, 0, 10);
    int copy = dup(fd);
    close(copy);
    ok(peer_fcntl(&peer, F_SETLK, F_WRLCK, 0, 10) == 0, "closing a dup released it too");
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0);
    try_lock(fd, F_SETLK, F_WRLCK, 0, 10);
    int spare = open(path, O_RDONLY);
    int target = dup(spare);
    dup2(fd, target); // replaces (closes) a descriptor of the file
    ok(peer_fcntl(&peer, F_SETLK, F_WRLCK, 0, 10) == 0, "dup2 over a descriptor of the file released it too");
    close(target), close(spare);
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0);

    // Not inherited by fork; released at exit.
    try_lock(fd, F_SETLK, F_WRLCK, 0, 10);
    pid_t child = fork();
    if (child == 0)
        _exit(try_lock(fd, F_SETLK, F_WRLCK, 0, 10) == EAGAIN ? 0 : 1);
    int status;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork child does not inherit the lock: its F_SETLK gets EAGAIN");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);
    ok(peer_fcntl(&peer, F_SETLK, F_WRLCK, 0, 10) == 0, "the peer write-locks [0,9]");
    expect_holder(&peer, F_WRLCK, 0, 0, F_UNLCK, 0, 0, 0, "its own lock is not a conflict for it");
    fl = lock_range(F_RDLCK, 0, 0);
    ok(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_pid == peer.pid,
        "F_GETLK reports the holder's pid (%d, want %d)", fl.l_pid, (int)peer.pid);
    peer_stop(&peer);
    ok(try_lock(fd, F_SETLK, F_WRLCK, 0, 10) == 0, "the peer exited: its lock is gone");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);
    peer_start(&peer, path);

    // F_SETLKW sleeps until the holder releases, and then sees what the holder wrote.
    try_lock(fd, F_SETLK, F_WRLCK, 0, 10);
    peer_send(&peer, PEER_FCNTL, F_SETLKW, lock_range(F_WRLCK, 5, 1));
    int slept = wait_until_sleeping(peer.pid);
    pwrite(fd, "unlocked", 8, 0);
    try_lock(fd, F_SETLK, F_UNLCK, 0, 10);
    ok(slept && peer_wait(&peer, NULL) == 0, "F_SETLKW slept (%d) and got the lock once it was released", slept);
    expect_holder(&peer, F_WRLCK, 0, 0, F_UNLCK, 0, 0, 0, "the peer holds it now");
    ok(try_lock(fd, F_SETLK, F_RDLCK, 5, 1) == EAGAIN, "and we cannot have it");
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0);

    // Deadlock: the peer holds [10,19] and waits for our [0,9]; our wait for [10,19] is refused.
    try_lock(fd, F_SETLK, F_WRLCK, 0, 10);
    peer_fcntl(&peer, F_SETLK, F_WRLCK, 10, 10);
    peer_send(&peer, PEER_FCNTL, F_SETLKW, lock_range(F_WRLCK, 0, 10));
    slept = wait_until_sleeping(peer.pid);
    ok(slept && try_lock(fd, F_SETLKW, F_WRLCK, 10, 10) == EDEADLK, "waiting for a sleeper that waits for us: EDEADLK");
    ok(try_lock(fd, F_SETLK, F_WRLCK, 10, 10) == EAGAIN, "without waiting it is just EAGAIN");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 10);
    ok(peer_wait(&peer, NULL) == 0, "our unlock let the peer's wait finish");
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0);

    // Three processes: the peer waits for a second peer, which waits for us.
    struct peer second;
    peer_start(&second, path);
    try_lock(fd, F_SETLK, F_WRLCK, 0, 10);
    peer_fcntl(&peer, F_SETLK, F_WRLCK, 10, 10);
    peer_fcntl(&second, F_SETLK, F_WRLCK, 20, 10);
    peer_send(&second, PEER_FCNTL, F_SETLKW, lock_range(F_WRLCK, 0, 1)); // second → us
    slept = wait_until_sleeping(second.pid);
    peer_send(&peer, PEER_FCNTL, F_SETLKW, lock_range(F_WRLCK, 20, 1)); // peer → second
    slept &= wait_until_sleeping(peer.pid);
    ok(slept && try_lock(fd, F_SETLKW, F_WRLCK, 10, 1) == EDEADLK, "a cycle through three processes: EDEADLK");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0); // second gets [0,0]
    ok(peer_wait(&second, NULL) == 0, "the second peer got its lock");
    peer_fcntl(&second, F_SETLK, F_UNLCK, 0, 0); // then peer gets [20,20]
    ok(peer_wait(&peer, NULL) == 0, "then the first");
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0);
    peer_stop(&second);

    // SIGKILL ends an F_SETLKW; the dead waiter's locks go, and so does its place in the
    // wait-for chain: a later owner (whose table may reuse its memory) is not taken for it.
    struct peer holder, victim, later;
    peer_start(&holder, path);
    peer_start(&victim, path);
    peer_fcntl(&holder, F_SETLK, F_WRLCK, 0, 10);
    peer_fcntl(&victim, F_SETLK, F_WRLCK, 10, 10);
    peer_send(&victim, PEER_FCNTL, F_SETLKW, lock_range(F_WRLCK, 0, 10));
    slept = wait_until_sleeping(victim.pid);
    kill(victim.pid, SIGKILL);
    waitpid(victim.pid, &status, 0);
    ok(slept && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "SIGKILL ends a process asleep in F_SETLKW (%#x)", status);
    close(victim.to), close(victim.from);
    ok(try_lock(fd, F_SETLK, F_WRLCK, 10, 10) == 0, "its lock died with it");
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);
    peer_start(&later, path);
    peer_fcntl(&later, F_SETLK, F_WRLCK, 10, 10);
    peer_send(&holder, PEER_FCNTL, F_SETLKW, lock_range(F_WRLCK, 10, 10));
    slept = wait_until_sleeping(holder.pid);
    peer_fcntl(&later, F_SETLK, F_UNLCK, 0, 0);
    ok(slept && peer_wait(&holder, NULL) == 0, "no stale wait: the holder slept (%d), not EDEADLK, and got the lock", slept);
    peer_stop(&later);
    peer_stop(&holder);

    // Interrupted waits.
    try_lock(fd, F_SETLK, F_WRLCK, 0, 10);
    interrupted_wait(fd, 0);
    interrupted_wait(fd, 1);
    try_lock(fd, F_SETLK, F_UNLCK, 0, 0);

    // Errors.
    int read_only = open(path, O_RDONLY), write_only = open(path, O_WRONLY);
    ok(try_lock(read_only, F_SETLK, F_WRLCK, 0, 1) == EBADF, "write lock through an O_RDONLY descriptor: EBADF");
    ok(try_lock(write_only, F_SETLK, F_RDLCK, 0, 1) == EBADF, "read lock through an O_WRONLY descriptor: EBADF");
    ok(try_lock(read_only, F_SETLK, F_UNLCK, 0, 1) == 0, "unlock through either is fine");
    ok(try_lock(read_only, F_GETLK, F_WRLCK, 0, 1) == 0, "and F_GETLK does not check the mode");
    ok(try_lock(-1, F_GETLK, F_WRLCK, 0, 1) == EBADF, "a bad descriptor: EBADF");
    fl = lock_range(F_WRLCK, 0, 1);
    fl.l_whence = 3;
    ok(fcntl(read_only, F_SETLK, &fl) == -1 && errno == EINVAL, "l_whence 3: EINVAL, before the mode's EBADF");
    ok(try_lock(fd, F_SETLK, 7, 0, 1) == EINVAL, "l_type 7: EINVAL");
    ok(try_lock(fd, F_GETLK, F_UNLCK, 0, 1) == EINVAL, "F_GETLK of F_UNLCK: EINVAL");
    ok(try_lock(fd, F_SETLK, F_WRLCK, -1, 1) == EINVAL, "a range starting before 0: EINVAL");
    ok(try_lock(fd, F_SETLK, F_WRLCK, 5, -6) == EINVAL, "a negative length reaching below 0: EINVAL");
    ok(try_lock(fd, F_SETLK, F_WRLCK, LONG_MAX, 2) == EOVERFLOW, "a range ending past 2^63-1: EOVERFLOW");
    ok(try_lock(fd, F_SETLK, F_WRLCK, LONG_MAX, 1) == 0, "the last byte itself can be locked");
    fl = lock_range(F_WRLCK, LONG_MAX, 0);
    fl.l_whence = SEEK_END;
    ok(fcntl(fd, F_SETLK, &fl) == -1 && errno == EOVERFLOW, "SEEK_END plus 2^63-1: EOVERFLOW");
    ok(fcntl(fd, F_SETLK, (struct flock*)0) == -1 && errno == EFAULT, "a bad struct flock pointer: EFAULT");
    ok(fcntl(fd, F_GETLK, (struct flock*)1) == -1 && errno == EFAULT, "F_GETLK too");

    peer_stop(&peer);
    close(read_only), close(write_only), close(fd);
    unlink(path);
    return tap_done();
}
