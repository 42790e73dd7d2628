// pthreads_signals — signals, cancellation, robust mutexes and futex time-outs with threads
// (musl; the _glibc twin runs the same against glibc):
//   - pthread_kill reaches exactly the thread it names (the handler runs there);
//   - a signal sent to the process runs its handler once, in the one thread that does
//     not block it;
//   - each thread has its own mask, and a thread-directed signal it blocks stays pending
//     for it alone (sigpending);
//   - pthread_cancel of a thread blocked in read() on a pipe: joined as PTHREAD_CANCELED;
//   - a robust mutex whose owner thread exits, and one in shared memory whose owner
//     process dies: the next locker gets EOWNERDEAD and can make it consistent;
//   - futex time-outs: FUTEX_WAIT's relative one (ETIMEDOUT), a changed word (EAGAIN),
//     pthread_cond_timedwait's absolute one (ETIMEDOUT).
// alarm(60) turns a hang into a failure.
#include "tap.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128 // FUTEX_WAIT | FUTEX_PRIVATE_FLAG (musl has no <linux/futex.h>)

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static atomic_int handled_count;
static _Atomic pid_t handled_in;
// The thread first, then the count: the main thread waits for the count and then reads the
// thread, and with several CPUs it may do so between the handler's two stores.
static void record(int signal)
{
    (void)signal;
    atomic_store(&handled_in, gettid_());
    atomic_fetch_add(&handled_count, 1);
}

static pthread_barrier_t ready;
static atomic_int stop;
static _Atomic pid_t worker_tid[3];

// Blocks `blocked` (if any), reports its tid, and waits for the test to say stop.
struct worker {
    int index;
    int unblock_usr2;
};
static void* worker_body(void* arg)
{
    struct worker* w = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(w->unblock_usr2 ? SIG_UNBLOCK : SIG_BLOCK, &set, NULL);
    worker_tid[w->index] = gettid_();
    pthread_barrier_wait(&ready);
    while (!atomic_load(&stop))
        usleep(1000);
    return NULL;
}

static void* wait_for_usr1_pending(void* arg)
{
    (void)arg;
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_barrier_wait(&ready); // blocked now: the main thread sends
    pthread_barrier_wait(&ready); // sent
    sigpending(&pending);
    long mine = sigismember(&pending, SIGUSR1);
    int received;
    sigwait(&set, &received);
    return (void*)(mine && received == SIGUSR1 ? 1L : 0L);
}

static int never_written[2];
static void* read_until_cancelled(void* arg)
{
    (void)arg;
    char c;
    pthread_barrier_wait(&ready);
    read(never_written[0], &c, 1); // a cancellation point
    return (void*)2;
}

static pthread_mutex_t robust;
static void* lock_and_exit(void* arg)
{
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; // ends holding it
}

static void init_robust(pthread_mutex_t* m, int shared)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (shared)
        pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(m, &attr);
}

int main(void)
{
    tap_plan(10);
    alarm(60);
    signal(SIGUSR1, record);
    signal(SIGUSR2, record);

    // pthread_kill names one thread; SIGUSR2 to the process: only worker 1 takes it.
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
    pthread_barrier_init(&ready, NULL, 4);
    pthread_t workers[3];
    struct worker w[3] = { { 0, 0 }, { 1, 1 }, { 2, 0 } };
    for (int i = 0; i < 3; ++i)
        pthread_create(&workers[i], NULL, worker_body, &w[i]);
    pthread_barrier_wait(&ready);
    pthread_kill(workers[2], SIGUSR1);
    for (int i = 0; i < 1000 && atomic_load(&handled_count) < 1; ++i)
        usleep(1000);
    ok(atomic_load(&handled_count) == 1 && handled_in == worker_tid[2], "pthread_kill(SIGUSR1) runs the handler in that thread");
    kill(getpid(), SIGUSR2);
    for (int i = 0; i < 1000 && atomic_load(&handled_count) < 2; ++i)
        usleep(1000);
    usleep(20000);
    ok(atomic_load(&handled_count) == 2 && handled_in == worker_tid[1],
        "kill(getpid(), SIGUSR2): the handler ran once, in the only thread not blocking it");
    atomic_store(&stop, 1);
    for (int i = 0; i < 3; ++i)
        pthread_join(workers[i], NULL);
    pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);

    pthread_barrier_init(&ready, NULL, 2);
    pthread_t waiter;
    pthread_create(&waiter, NULL, wait_for_usr1_pending, NULL);
    pthread_barrier_wait(&ready);
    pthread_kill(waiter, SIGUSR1);
    pthread_barrier_wait(&ready);
    void* got;
    pthread_join(waiter, &got);
    sigset_t pending;
    sigpending(&pending);
    ok(got == (void*)1 && !sigismember(&pending, SIGUSR1) && atomic_load(&handled_count) == 2,
        "a thread-directed signal the thread blocks is pending for it alone; sigwait takes it, no handler runs");

    pipe(never_written);
    pthread_t reader;
    pthread_create(&reader, NULL, read_until_cancelled, NULL);
    pthread_barrier_wait(&ready);
    usleep(20000); // inside read() by now
    pthread_cancel(reader);
    pthread_join(reader, &got);
    ok(got == PTHREAD_CANCELED, "pthread_cancel of a thread blocked in read(): joined as PTHREAD_CANCELED");

    init_robust(&robust, 0);
    pthread_t owner;
    pthread_create(&owner, NULL, lock_and_exit, NULL);
    pthread_join(owner, NULL);
    int r = pthread_mutex_lock(&robust);
    ok(r == EOWNERDEAD, "a robust mutex whose owner thread exited: EOWNERDEAD (%d)", r);
    ok(pthread_mutex_consistent(&robust) == 0 && pthread_mutex_unlock(&robust) == 0 && pthread_mutex_lock(&robust) == 0,
        "made consistent, it locks normally again");
    pthread_mutex_unlock(&robust);

    pthread_mutex_t* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    init_robust(shared, 1);
    pid_t child = fork();
    if (child == 0) {
        pthread_mutex_lock(shared);
        _exit(0); // dies holding it
    }
    waitpid(child, NULL, 0);
    r = pthread_mutex_lock(shared);
    ok(r == EOWNERDEAD, "a process-shared robust mutex whose owner process died: EOWNERDEAD (%d)", r);

    int word = 5;
    struct timespec fifty_ms = { 0, 50 * 1000000 };
    errno = 0;
    long w1 = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &fifty_ms, NULL, 0);
    ok(w1 == -1 && errno == ETIMEDOUT, "FUTEX_WAIT with a 50 ms time-out: ETIMEDOUT (errno %d)", errno);
    errno = 0;
    long w2 = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 6, &fifty_ms, NULL, 0);
    ok(w2 == -1 && errno == EAGAIN, "FUTEX_WAIT on a word that changed: EAGAIN (errno %d)", errno);
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 50 * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_nsec -= 1000000000;
        deadline.tv_sec += 1;
    }
    pthread_mutex_lock(&m);
    r = pthread_cond_timedwait(&c, &m, &deadline);
    pthread_mutex_unlock(&m);
    ok(r == ETIMEDOUT, "pthread_cond_timedwait 50 ms ahead on CLOCK_REALTIME: ETIMEDOUT (%d)", r);
    return tap_done();
}
