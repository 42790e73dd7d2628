// flock(2) between processes: shared locks coexist and an exclusive one excludes (EWOULDBLOCK
// with LOCK_NB); the lock belongs to the open file description — kept by dup and fork (the
// child unlocking unlocks for the parent too), released only by its last close; conversion
// is not atomic (a failed LOCK_EX|LOCK_NB upgrade loses the shared lock); flock and fcntl
// locks do not conflict; a blocking LOCK_EX sleeps until the holder unlocks, and a signal
// ends it with EINTR; EBADF, EINVAL, and LOCK_MAND ignored, as Linux does.
#include "lock_util.h"

static char path[64];

static void on_usr1(int signal) { (void)signal; }

int main(void)
{
    snprintf(path, sizeof path, "/tmp/flock_locks.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        bail("create %s (errno=%d)", path, errno);
    struct peer peer;
    peer_start(&peer, path);

    ok(flock(fd, LOCK_SH) == 0 && peer_flock(&peer, LOCK_SH | LOCK_NB) == 0, "two shared locks coexist");
    ok(peer_flock(&peer, LOCK_EX | LOCK_NB) == EWOULDBLOCK, "the peer cannot convert to exclusive while we share");
    // That failed conversion dropped the peer's shared lock: now we can take it exclusive.
    ok(flock(fd, LOCK_EX | LOCK_NB) == 0, "a failed LOCK_NB conversion lost the peer's shared lock (not atomic)");
    ok(peer_flock(&peer, LOCK_SH | LOCK_NB) == EWOULDBLOCK, "an exclusive lock keeps even a shared one out");
    ok(flock(fd, LOCK_SH) == 0 && peer_flock(&peer, LOCK_SH | LOCK_NB) == 0, "after our downgrade the peer shares again");
    peer_flock(&peer, LOCK_UN);
    ok(flock(fd, LOCK_UN) == 0 && peer_flock(&peer, LOCK_EX | LOCK_NB) == 0, "after LOCK_UN the peer gets it exclusive");
    peer_flock(&peer, LOCK_UN);
    ok(flock(fd, LOCK_UN) == 0, "unlocking an unlocked file succeeds");

    // The lock is the open file's: dup and fork share it.
    flock(fd, LOCK_EX);
    int copy = dup(fd);
    ok(flock(copy, LOCK_EX | LOCK_NB) == 0, "through a dup it is the same lock (no conflict with itself)");
    int other = open(path, O_RDWR);
    ok(flock(other, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK, "another open of the file in this process conflicts");
    close(other);
    ok(peer_flock(&peer, LOCK_SH | LOCK_NB) == EWOULDBLOCK, "closing another open of the file released nothing");
    close(fd);
    ok(peer_flock(&peer, LOCK_SH | LOCK_NB) == EWOULDBLOCK, "closing one of two descriptors released nothing");
    pid_t child = fork();
    if (child == 0)
        _exit(flock(copy, LOCK_UN) == 0 ? 0 : 1);
    int status;
    waitpid(child, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && peer_flock(&peer, LOCK_EX | LOCK_NB) == 0,
        "a fork child's LOCK_UN through the inherited descriptor released the parent's lock");
    peer_flock(&peer, LOCK_UN);
    flock(copy, LOCK_EX);
    child = fork();
    if (child == 0)
        _exit(0); // the child's copy of the descriptor closes at exit: not the last one
    waitpid(child, &status, 0);
    ok(peer_flock(&peer, LOCK_SH | LOCK_NB) == EWOULDBLOCK, "a fork child exiting keeps the lock");
    close(copy);
    ok(peer_flock(&peer, LOCK_EX | LOCK_NB) == 0, "the last close released it");
    peer_flock(&peer, LOCK_UN);

    // flock and fcntl locks are separate.
    fd = open(path, O_RDWR);
    ok(flock(fd, LOCK_EX) == 0 && peer_fcntl(&peer, F_SETLK, F_WRLCK, 0, 0) == 0,
        "a flock lock and an fcntl lock of the whole file coexist");
    peer_fcntl(&peer, F_SETLK, F_UNLCK, 0, 0);

    // A blocking LOCK_EX sleeps until the holder unlocks.
    peer_send(&peer, PEER_FLOCK, LOCK_EX, lock_range(F_UNLCK, 0, 0));
    int slept = wait_until_sleeping(peer.pid);
    flock(fd, LOCK_UN);
    ok(slept && peer_wait(&peer, NULL) == 0, "a blocking LOCK_EX slept (%d) and got the lock at our LOCK_UN", slept);
    ok(flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK, "the peer holds it now");

    // A signal ends the wait with EINTR (no SA_RESTART).
    int ready[2];
    pipe(ready);
    child = fork();
    if (child == 0) {
        struct sigaction action = { 0 };
        action.sa_handler = on_usr1;
        sigemptyset(&action.sa_mask);
        sigaction(SIGUSR1, &action, NULL);
        flock(fd, LOCK_UN); // fault in the call
        write(ready[1], "r", 1);
        int r = flock(fd, LOCK_SH);
        _exit(r == -1 && errno == EINTR ? 0 : 1);
    }
    char c;
    read_full(ready[0], &c, 1);
    slept = wait_until_sleeping(child);
    kill(child, SIGUSR1);
    waitpid(child, &status, 0);
    ok(slept && WIFEXITED(status) && WEXITSTATUS(status) == 0, "a signal ends a blocking flock with EINTR (status %#x)", status);
    peer_flock(&peer, LOCK_UN);

    // Errors.
    ok(flock(-1, LOCK_SH) == -1 && errno == EBADF, "a bad descriptor: EBADF");
    ok(flock(-1, LOCK_SH | LOCK_EX) == -1 && errno == EINVAL, "LOCK_SH|LOCK_EX: EINVAL, checked before the descriptor");
    ok(flock(fd, 0) == -1 && errno == EINVAL, "no operation: EINVAL");
    ok(flock(fd, LOCK_NB) == -1 && errno == EINVAL, "LOCK_NB alone: EINVAL");
    ok(flock(fd, 32 /* LOCK_MAND */) == 0, "LOCK_MAND is ignored and succeeds, as Linux does");
    int read_only = open(path, O_RDONLY);
    ok(flock(read_only, LOCK_EX) == 0, "an O_RDONLY descriptor may take an exclusive flock");
    close(read_only);

    peer_stop(&peer);
    close(fd);
    unlink(path);
    return tap_done();
}
