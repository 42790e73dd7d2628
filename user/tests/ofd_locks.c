// Open-file-description locks (F_OFD_GETLK/F_OFD_SETLK/F_OFD_SETLKW): owned by the open
// file, not the process — two opens in one process conflict, a fork child holding the same
// open file is the same owner, closing another descriptor of the file does not release them,
// the last close of their open file does; they conflict with POSIX locks (even the same
// process's), F_GETLK reports them with l_pid -1, l_pid must be 0, F_OFD_GETLK with F_UNLCK
// reports one's own lock, and F_OFD_SETLKW sleeps until the lock is released.
#include "lock_util.h"

static char path[64];

int main(void)
{
    snprintf(path, sizeof path, "/tmp/ofd_locks.%d", (int)getpid());
    int first = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int second = open(path, O_RDWR);
    if (first < 0 || second < 0)
        bail("open %s twice (errno=%d)", path, errno);

    ok(try_lock(first, F_OFD_SETLK, F_WRLCK, 0, 10) == 0, "OFD write lock of [0,9] through the first open");
    ok(try_lock(second, F_OFD_SETLK, F_WRLCK, 5, 1) == EAGAIN, "the second open of the same process conflicts: EAGAIN");
    ok(try_lock(second, F_OFD_SETLK, F_RDLCK, 10, 10) == 0, "next to it is free");
    ok(try_lock(first, F_OFD_SETLK, F_RDLCK, 0, 10) == 0, "the owner converts its own lock to a read lock");
    ok(try_lock(second, F_OFD_SETLK, F_RDLCK, 0, 20) == 0, "which the other open may share");
    try_lock(second, F_OFD_SETLK, F_UNLCK, 0, 0);
    try_lock(first, F_OFD_SETLK, F_WRLCK, 0, 10);

    struct flock fl = lock_range(F_RDLCK, 0, 0);
    ok(fcntl(second, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 10 && fl.l_pid == -1,
        "F_OFD_GETLK reports it with l_pid -1 (type %d start %ld len %ld pid %d)", fl.l_type, (long)fl.l_start,
        (long)fl.l_len, fl.l_pid);
    fl = lock_range(F_RDLCK, 0, 0);
    ok(fcntl(first, F_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_pid == -1,
        "a POSIX F_GETLK of the same process sees it too (type %d pid %d)", fl.l_type, fl.l_pid);
    ok(try_lock(first, F_SETLK, F_RDLCK, 0, 1) == EAGAIN, "a POSIX lock of the same process conflicts with it");
    fl = lock_range(F_UNLCK, 0, 0);
    ok(fcntl(first, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_len == 10,
        "F_OFD_GETLK with F_UNLCK reports the open file's own lock (type %d len %ld)", fl.l_type, (long)fl.l_len);
    fl = lock_range(F_UNLCK, 0, 0);
    ok(fcntl(second, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_UNLCK, "and nothing for an open file holding none (type %d)",
        fl.l_type);

    fl = lock_range(F_RDLCK, 0, 1);
    fl.l_pid = getpid();
    ok(fcntl(second, F_OFD_SETLK, &fl) == -1 && errno == EINVAL, "F_OFD_SETLK with l_pid != 0: EINVAL");
    ok(fcntl(second, F_OFD_GETLK, &fl) == -1 && errno == EINVAL, "F_OFD_GETLK with l_pid != 0: EINVAL");

    // A fork child shares the open file, so it is the same owner.
    pid_t child = fork();
    if (child == 0) {
        int same = try_lock(first, F_OFD_SETLK, F_WRLCK, 0, 20); // extends the parent's lock
        int other = try_lock(second, F_OFD_SETLK, F_WRLCK, 0, 1);
        _exit(same == 0 && other == EAGAIN ? 0 : 1);
    }
    int status;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork child is the same owner through the inherited open file");
    ok(try_lock(second, F_OFD_SETLK, F_WRLCK, 15, 1) == EAGAIN, "its lock outlived the child: it is the open file's");

    // Closing another descriptor of the file releases nothing; the open file's last close does.
    int third = open(path, O_RDONLY);
    close(third);
    ok(try_lock(second, F_OFD_SETLK, F_WRLCK, 0, 1) == EAGAIN, "closing another open of the file kept the OFD lock");
    int copy = dup(first);
    close(first);
    ok(try_lock(second, F_OFD_SETLK, F_WRLCK, 0, 1) == EAGAIN, "closing one of two descriptors of the open file kept it");
    close(copy);
    ok(try_lock(second, F_OFD_SETLK, F_WRLCK, 0, 1) == 0, "the last close released it");
    try_lock(second, F_OFD_SETLK, F_UNLCK, 0, 0);

    // A POSIX lock in a peer and an OFD wait here: F_OFD_SETLKW sleeps until it goes.
    struct peer peer;
    peer_start(&peer, path);
    ok(peer_fcntl(&peer, F_SETLK, F_WRLCK, 0, 10) == 0, "a peer POSIX-locks [0,9]");
    ok(try_lock(second, F_OFD_SETLK, F_RDLCK, 0, 1) == EAGAIN, "an OFD read lock conflicts with it");
    child = fork();
    if (child == 0)
        _exit(try_lock(second, F_OFD_SETLKW, F_WRLCK, 0, 10) == 0 ? 0 : 1);
    int slept = wait_until_sleeping(child);
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0);
    waitpid(child, &status, 0);
    ok(slept && WIFEXITED(status) && WEXITSTATUS(status) == 0, "F_OFD_SETLKW slept (%d) until the peer unlocked", slept);
    struct flock seen = lock_range(F_UNLCK, 0, 0);
    ok(peer_getlk(&peer, F_GETLK, F_RDLCK, 0, 0, &seen) == 0 && seen.l_type == F_WRLCK && seen.l_pid == -1,
        "the lock the child took belongs to the open file and stays (type %d pid %d)", seen.l_type, seen.l_pid);
    peer_stop(&peer);
    close(second);
    unlink(path);
    return tap_done();
}
