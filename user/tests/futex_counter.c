// futex_counter — process-shared locks in shared memory (futex keyed by the shared page,
// not by the virtual address).
//   - N = 2 and N = 4 forked processes each add 1 to a counter 2000 times under a
//     process-shared pthread mutex (PTHREAD_PROCESS_SHARED) that lives with the counter in
//     a MAP_SHARED mapping of a file: the total is exact. Inside the critical section each
//     process reads the counter, yields the CPU every 50th time, then stores the value + 1,
//     so without mutual exclusion updates would be lost, and the others do block in
//     FUTEX_WAIT on the mutex (musl uses FUTEX_WAIT/FUTEX_WAKE without the private flag);
//   - the same with a process-shared semaphore (sem_init(&s, 1, 1)) in
//     MAP_SHARED|MAP_ANONYMOUS memory;
//   - a raw futex: a child maps the file again (at another address) and FUTEX_WAITs on a
//     word while it is 0; FUTEX_WAKE through the parent's own mapping reaches it (returns
//     1; the child waits again as the word is still 0); after the parent sets the word and
//     wakes it again, the child exits.
// disk: 16
// args: @DIR@
#include "file_util.h"

#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>

#define ROUNDS 2000
#define FUTEX_WAIT 0 // without FUTEX_PRIVATE_FLAG: shared between processes
#define FUTEX_WAKE 1

struct shared_file {
    pthread_mutex_t mutex;
    volatile long counter;
    char pad[256];
    volatile int word; // raw futex word
};

struct shared_anon {
    sem_t sem;
    volatile long counter;
};

static struct shared_file* f;
static struct shared_anon* s;

static void add_with_mutex(void)
{
    for (int i = 0; i < ROUNDS; ++i) {
        if (pthread_mutex_lock(&f->mutex) != 0)
            _exit(5);
        long v = f->counter;
        if (i % 50 == 0)
            sched_yield();
        f->counter = v + 1;
        pthread_mutex_unlock(&f->mutex);
    }
}

static void add_with_semaphore(void)
{
    for (int i = 0; i < ROUNDS; ++i) {
        while (sem_wait(&s->sem) != 0) {
            if (errno != EINTR)
                _exit(6);
        }
        long v = s->counter;
        if (i % 50 == 0)
            sched_yield();
        s->counter = v + 1;
        sem_post(&s->sem);
    }
}

// Fork n workers running body; returns how many exited 0.
static int run_workers(int n, void (*body)(void))
{
    pid_t pids[8];
    fflush(stdout);
    for (int i = 0; i < n; ++i) {
        pids[i] = fork();
        if (pids[i] == 0) {
            body();
            _exit(0);
        }
    }
    int good = 0;
    for (int i = 0; i < n; ++i) {
        int status = -1;
        if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ++good;
    }
    return good;
}

int main(int argc, char** argv)
{
    tap_plan(8);
    static char path[512];
    file_path(path, sizeof path, disk_dir(argc, argv), "futex_counter");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    static char zeros[PAGE];
    if (fd < 0 || write_all(fd, zeros, PAGE) != 0)
        bail("cannot create a 1-page file (errno=%d)", errno);
    f = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    s = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (f == MAP_FAILED || s == MAP_FAILED)
        bail("mmap failed (errno=%d)", errno);

    pthread_mutexattr_t attr;
    int r = pthread_mutexattr_init(&attr);
    r |= pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    r |= pthread_mutex_init(&f->mutex, &attr);
    ok(r == 0, "a PTHREAD_PROCESS_SHARED mutex in a MAP_SHARED file mapping (r=%d)", r);
    for (int n = 2; n <= 4; n += 2) {
        f->counter = 0;
        int good = run_workers(n, add_with_mutex);
        ok(good == n && f->counter == (long)n * ROUNDS, "%d processes x %d locked increments: counter %ld, %d exited 0", n,
            ROUNDS, (long)f->counter, good);
    }

    r = sem_init(&s->sem, 1, 1);
    ok(r == 0, "sem_init(&s, 1, 1) in MAP_SHARED|MAP_ANONYMOUS memory (r=%d errno=%d)", r, errno);
    for (int n = 2; n <= 4; n += 2) {
        s->counter = 0;
        int good = run_workers(n, add_with_semaphore);
        ok(good == n && s->counter == (long)n * ROUNDS, "%d processes x %d increments under the semaphore: counter %ld, %d exited 0",
            n, ROUNDS, (long)s->counter, good);
    }

    // A raw futex on a file page mapped at two different addresses.
    f->word = 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int cfd = open(path, O_RDWR);
        struct shared_file* g = cfd >= 0 ? mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0) : MAP_FAILED;
        if (g == MAP_FAILED)
            _exit(2);
        if (g == f)
            _exit(3);
        while (g->word == 0)
            syscall(SYS_futex, &g->word, FUTEX_WAIT, 0, NULL, NULL, 0);
        _exit(g->word == 7 ? 0 : 4);
    }
    // Wake (the word still 0) until a wake reports it woke someone: the child was blocked
    // in FUTEX_WAIT and goes back to waiting; then set the word and wake it for good.
    long woken = 0;
    int status = -1;
    pid_t w = 0;
    for (int tries = 0; tries < 1000 && woken == 0 && w == 0; ++tries) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        woken = syscall(SYS_futex, &f->word, FUTEX_WAKE, 1, NULL, NULL, 0);
        w = waitpid(pid, &status, WNOHANG);
    }
    f->word = 7;
    for (int tries = 0; tries < 1000 && w == 0; ++tries) {
        syscall(SYS_futex, &f->word, FUTEX_WAKE, 1, NULL, NULL, 0);
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        w = waitpid(pid, &status, WNOHANG);
    }
    if (w == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    ok(w == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "a child FUTEX_WAITing on the file page at another address exits after the parent's store and FUTEX_WAKE (%s)",
        w == pid ? describe_wait_status(status) : "still blocked: killed");
    ok(woken == 1, "FUTEX_WAKE through the parent's mapping (word still 0) reported waking the child (%ld woken)", woken);
    munmap(f, PAGE);
    munmap(s, PAGE);
    close(fd);
    unlink(path);
    return tap_done();
}
