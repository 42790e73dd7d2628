// pi_mutex — priority-inheritance futexes, through the C library's PTHREAD_PRIO_INHERIT
// mutexes (musl here, glibc in pi_mutex_glibc) and through raw futex(2) calls:
//   - a contended PI mutex keeps a plain counter exact across 4 threads;
//   - trylock of a PI mutex another thread holds: EBUSY; relocking an error-checking PI
//     mutex: EDEADLK; a timed lock of a held one: ETIMEDOUT (with glibc also clocklock on
//     CLOCK_MONOTONIC, which is LOCK_PI2);
//   - a robust PI mutex whose owner thread ends holding it: EOWNERDEAD for the next locker,
//     whether it was already waiting or came later; pthread_mutex_consistent makes it usable;
//   - a process-shared robust PI mutex in MAP_SHARED memory: parent and child keep a counter
//     exact between them; a child that exits holding it leaves EOWNERDEAD to the parent, and
//     so does one that execs a new program while holding it (the old program's locks are
//     released at execve, while the child lives on);
//   - raw LOCK_PI / TRYLOCK_PI / UNLOCK_PI: the word holds the owner's TID; EDEADLK for the
//     owner, EPERM for an unlock by anyone else, ESRCH for a TID no thread has, EAGAIN for a
//     try of a held lock, EINVAL for a misaligned word, EFAULT for a read-only one, ENOSYS
//     for LOCK_PI with FUTEX_CLOCK_REALTIME; EINVAL for mixing: FUTEX_WAKE of a word a PI
//     waiter sleeps on, LOCK_PI of one a FUTEX_WAIT sleeper sleeps on; UNLOCK_PI hands a waited-for lock to the
//     waiter (its TID | FUTEX_WAITERS in the word); a thread that ends owning a lock
//     (no robust list) leaves it to its waiter, marked FUTEX_OWNER_DIED;
//   - time-outs: LOCK_PI's absolute CLOCK_REALTIME one, LOCK_PI2's CLOCK_MONOTONIC one (and
//     CLOCK_REALTIME with the flag) end in ETIMEDOUT, never before the time given;
//   - a signal whose handler has no SA_RESTART does not end a LOCK_PI wait (the call
//     restarts): the waiter still gets the lock.
// Nothing depends on speed: sleeps only make the interesting order likely, and each check
// holds in either order. alarm(60) fails a lost waiter.
#define _GNU_SOURCE // pipe2
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

static long futex_pi(atomic_uint* word, int op, const struct timespec* timeout)
{
    return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, 0, timeout, NULL, 0);
}

static unsigned my_tid(void) { return (unsigned)syscall(SYS_gettid); }

static void pause_ms(int ms) { usleep(ms * 1000); }

// The time `ms` milliseconds from now on `clock`, as an absolute time-out.
static struct timespec clock_plus_ms(clockid_t clock, int ms)
{
    struct timespec t;
    clock_gettime(clock, &t);
    t.tv_nsec += ms * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000;
    t.tv_nsec %= 1000000000;
    return t;
}

// --- the C library's PI mutexes ---------------------------------------------------------

enum { THREADS = 4, ROUNDS = 20000 };
static pthread_mutex_t counter_lock;
static long counter;

static void* count_body(void* arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; ++i) {
        pthread_mutex_lock(&counter_lock);
        long seen = counter;
        if (i % 1000 == 0)
            sched_yield(); // let the others pile up on the lock while it is held
        counter = seen + 1;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static int init_pi_mutex_shared(pthread_mutex_t* m, int type, int robust, int pshared)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    int r = pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    if (!r && pshared)
        r = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (!r)
        r = pthread_mutexattr_settype(&attr, type);
    if (!r && robust)
        r = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (!r)
        r = pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
    return r;
}

static int init_pi_mutex(pthread_mutex_t* m, int type, int robust) { return init_pi_mutex_shared(m, type, robust, 0); }

enum { PROCESS_ROUNDS = 5000 };
struct shared_state {
    pthread_mutex_t lock;
    long counter;
};

static void count_in_process(struct shared_state* state)
{
    for (int i = 0; i < PROCESS_ROUNDS; ++i) {
        pthread_mutex_lock(&state->lock);
        long seen = state->counter;
        if (i % 500 == 0)
            sched_yield();
        state->counter = seen + 1;
        pthread_mutex_unlock(&state->lock);
    }
}

static void process_shared_mutex(void)
{
    struct shared_state* state = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int r = init_pi_mutex_shared(&state->lock, PTHREAD_MUTEX_NORMAL, 1, 1);
    pid_t child = fork();
    if (child == 0) {
        count_in_process(state);
        _exit(0);
    }
    count_in_process(state);
    int status;
    waitpid(child, &status, 0);
    ok(r == 0 && state->counter == 2 * PROCESS_ROUNDS && WIFEXITED(status),
        "a process-shared robust PI mutex: 2 processes x %d increments: %ld", PROCESS_ROUNDS, state->counter);

    child = fork();
    if (child == 0) {
        pthread_mutex_lock(&state->lock);
        _exit(0); // ends holding it
    }
    waitpid(child, &status, 0);
    r = pthread_mutex_lock(&state->lock);
    int consistent = r == EOWNERDEAD ? pthread_mutex_consistent(&state->lock) : -1;
    pthread_mutex_unlock(&state->lock);
    ok(r == EOWNERDEAD && consistent == 0, "a child that exits holding it: the parent's lock gives EOWNERDEAD (%s), consistent %d",
        strerror(r), consistent);

    // A child that execs while holding it. `execed` closes (close-on-exec) once the new
    // program runs; it then waits for `hold` to close before it exits.
    int execed[2], hold[2];
    if (pipe2(execed, O_CLOEXEC) != 0 || pipe(hold) != 0)
        return;
    child = fork();
    if (child == 0) {
        close(execed[0]);
        close(hold[1]);
        pthread_mutex_lock(&state->lock);
        char fd[16];
        snprintf(fd, sizeof fd, "%d", hold[0]);
        execl("/proc/self/exe", "pi_mutex", "exec-child", fd, (char*)NULL);
        _exit(127);
    }
    close(execed[1]);
    close(hold[0]);
    char byte;
    while (read(execed[0], &byte, 1) > 0) { }
    // A lock never released would hang; a time-out fails instead.
    struct timespec deadline = clock_plus_ms(CLOCK_REALTIME, 10000);
    r = pthread_mutex_timedlock(&state->lock, &deadline);
    consistent = r == EOWNERDEAD ? pthread_mutex_consistent(&state->lock) : -1;
    if (r == 0 || r == EOWNERDEAD)
        pthread_mutex_unlock(&state->lock);
    close(hold[1]); // the new program may end
    waitpid(child, &status, 0);
    ok(r == EOWNERDEAD && consistent == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "a child that execs holding it (and lives on): the parent's lock gives EOWNERDEAD (%s), consistent %d", strerror(r),
        consistent);
    close(execed[0]);
    munmap(state, 4096);
}

static pthread_mutex_t held;
static atomic_int hold_state; // 1: the holder has the lock; 2: it may let go
static int holder_result;

static void* hold_body(void* arg)
{
    int exit_holding = arg != NULL;
    holder_result = pthread_mutex_lock(&held);
    atomic_store(&hold_state, 1);
    if (exit_holding) {
        pause_ms(100); // the main thread is likely asleep on the lock by now
        return NULL; // ends holding it
    }
    while (atomic_load(&hold_state) != 2)
        pause_ms(1);
    pthread_mutex_unlock(&held);
    return NULL;
}

static void wait_until_held(void)
{
    while (atomic_load(&hold_state) != 1)
        pause_ms(1);
}

static void library_mutexes(void)
{
    int r = init_pi_mutex(&counter_lock, PTHREAD_MUTEX_NORMAL, 0);
    ok(r == 0, "a PTHREAD_PRIO_INHERIT mutex can be made (%s)", strerror(r));
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; ++i)
        pthread_create(&t[i], NULL, count_body, NULL);
    for (int i = 0; i < THREADS; ++i)
        pthread_join(t[i], NULL);
    ok(counter == THREADS * ROUNDS, "%d threads x %d increments under the PI mutex: %ld", THREADS, ROUNDS, counter);

    r = init_pi_mutex(&held, PTHREAD_MUTEX_ERRORCHECK, 0);
    pthread_t holder;
    atomic_store(&hold_state, 0);
    pthread_create(&holder, NULL, hold_body, NULL);
    wait_until_held();
    r = pthread_mutex_trylock(&held);
    ok(r == EBUSY, "trylock of a PI mutex another thread holds: EBUSY (%s)", strerror(r));
    struct timespec deadline = clock_plus_ms(CLOCK_REALTIME, 50);
    r = pthread_mutex_timedlock(&held, &deadline);
    ok(r == ETIMEDOUT, "timedlock of a held PI mutex: ETIMEDOUT (%s)", strerror(r));
#ifdef __GLIBC__
    // glibc's clocklock on CLOCK_MONOTONIC is FUTEX_LOCK_PI2 (musl has no clocklock).
    deadline = clock_plus_ms(CLOCK_MONOTONIC, 50);
    r = pthread_mutex_clocklock(&held, CLOCK_MONOTONIC, &deadline);
    ok(r == ETIMEDOUT, "clocklock(CLOCK_MONOTONIC) of a held PI mutex: ETIMEDOUT (%s)", strerror(r));
#endif
    atomic_store(&hold_state, 2);
    pthread_join(holder, NULL);
    r = pthread_mutex_lock(&held);
    int again = pthread_mutex_lock(&held);
    ok(r == 0 && again == EDEADLK, "an error-checking PI mutex: lock %s, then again EDEADLK (%s)", strerror(r),
        strerror(again));
    pthread_mutex_unlock(&held);
    pthread_mutex_destroy(&held);

    // Robust + PI, owner ends holding it: once with the main thread already waiting (the
    // kernel hands the lock over at the owner's end), once with it coming later.
    for (int waiting = 1; waiting >= 0; --waiting) {
        init_pi_mutex(&held, PTHREAD_MUTEX_NORMAL, 1);
        atomic_store(&hold_state, 0);
        pthread_create(&holder, NULL, hold_body, (void*)1);
        wait_until_held();
        if (!waiting)
            pthread_join(holder, NULL);
        r = pthread_mutex_lock(&held);
        if (waiting)
            pthread_join(holder, NULL);
        int consistent = r == EOWNERDEAD ? pthread_mutex_consistent(&held) : -1;
        pthread_mutex_unlock(&held);
        int relock = pthread_mutex_lock(&held);
        ok(holder_result == 0 && r == EOWNERDEAD && consistent == 0 && relock == 0,
            "robust PI mutex, owner ended while the next locker %s: %s, consistent %d, then lock %s",
            waiting ? "waited" : "was yet to come", strerror(r), consistent, strerror(relock));
        pthread_mutex_unlock(&held);
        pthread_mutex_destroy(&held);
    }
}

// --- raw futex(2) -----------------------------------------------------------------------

static atomic_uint word;
static atomic_int stage;
static atomic_uint other_tid;
static long waiter_result;
static atomic_int handler_runs;

static void on_signal(int signal)
{
    (void)signal;
    atomic_fetch_add(&handler_runs, 1);
}

// Until some thread sleeps in LOCK_PI for `word`: the kernel sets FUTEX_WAITERS as it
// queues the waiter.
static void wait_for_waiters(void)
{
    while (!(atomic_load(&word) & FUTEX_WAITERS))
        pause_ms(1);
}

// Takes `word` with LOCK_PI, then waits for stage 2 and unlocks — or, with a null `arg`,
// ends holding it once another thread waits for it.
static void* raw_owner_body(void* arg)
{
    int unlock = arg != NULL;
    atomic_store(&other_tid, my_tid());
    futex_pi(&word, FUTEX_LOCK_PI, NULL);
    atomic_store(&stage, 1);
    if (!unlock) {
        wait_for_waiters();
        return NULL;
    }
    while (atomic_load(&stage) != 2)
        pause_ms(1);
    futex_pi(&word, FUTEX_UNLOCK_PI, NULL);
    return NULL;
}

static void* raw_waiter_body(void* arg)
{
    (void)arg;
    atomic_store(&other_tid, my_tid());
    waiter_result = futex_pi(&word, FUTEX_LOCK_PI, NULL);
    unsigned after = atomic_load(&word);
    futex_pi(&word, FUTEX_UNLOCK_PI, NULL);
    return (void*)(uintptr_t)after;
}

// Sleeps with FUTEX_WAIT on `plain_word` while it is 0.
static atomic_uint plain_word;
static void* plain_waiter_body(void* arg)
{
    (void)arg;
    while (atomic_load(&plain_word) == 0)
        syscall(SYS_futex, &plain_word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    return NULL;
}

static int reached(clockid_t clock, struct timespec const* deadline)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static void raw_calls(void)
{
    unsigned me = my_tid();
    errno = 0;
    long r = futex_pi(&word, FUTEX_LOCK_PI, NULL);
    ok(r == 0 && atomic_load(&word) == me, "LOCK_PI of a free word: 0, and the word is the caller's TID (%#x, %d)",
        atomic_load(&word), me);
    errno = 0;
    r = futex_pi(&word, FUTEX_LOCK_PI, NULL);
    int lock_errno = errno;
    errno = 0;
    long t = futex_pi(&word, FUTEX_TRYLOCK_PI, NULL);
    ok(r == -1 && lock_errno == EDEADLK && t == -1 && errno == EDEADLK, "LOCK_PI and TRYLOCK_PI by the owner: EDEADLK (%s, %s)",
        strerror(lock_errno), strerror(errno));
    r = futex_pi(&word, FUTEX_UNLOCK_PI, NULL);
    ok(r == 0 && atomic_load(&word) == 0, "UNLOCK_PI by the owner: 0, the word 0 (%#x)", atomic_load(&word));
    errno = 0;
    r = futex_pi(&word, FUTEX_UNLOCK_PI, NULL);
    ok(r == -1 && errno == EPERM, "UNLOCK_PI of a free word: EPERM (%s)", strerror(errno));

    // A TID no thread has: one that ended.
    pthread_t t1;
    pthread_create(&t1, NULL, raw_waiter_body, NULL); // takes and frees the word
    pthread_join(t1, NULL);
    unsigned gone = atomic_load(&other_tid);
    atomic_store(&word, gone);
    errno = 0;
    r = futex_pi(&word, FUTEX_LOCK_PI, NULL);
    ok(r == -1 && errno == ESRCH, "LOCK_PI of a word naming an ended thread: ESRCH (%s)", strerror(errno));
    atomic_store(&word, 0);

    // Held by a live thread.
    atomic_store(&stage, 0);
    pthread_create(&t1, NULL, raw_owner_body, (void*)1);
    while (atomic_load(&stage) != 1)
        pause_ms(1);
    unsigned owner = atomic_load(&other_tid);
    errno = 0;
    r = futex_pi(&word, FUTEX_TRYLOCK_PI, NULL);
    ok(r == -1 && errno == EAGAIN, "TRYLOCK_PI of a word another thread holds: EAGAIN (%s)", strerror(errno));
    errno = 0;
    r = futex_pi(&word, FUTEX_UNLOCK_PI, NULL);
    ok(r == -1 && errno == EPERM && (atomic_load(&word) & FUTEX_TID_MASK) == owner,
        "UNLOCK_PI of a word another thread holds: EPERM, the word unchanged (%s)", strerror(errno));

    struct timespec deadline = clock_plus_ms(CLOCK_REALTIME, 100);
    errno = 0;
    r = futex_pi(&word, FUTEX_LOCK_PI, &deadline);
    ok(r == -1 && errno == ETIMEDOUT && reached(CLOCK_REALTIME, &deadline),
        "LOCK_PI with an absolute CLOCK_REALTIME time-out: ETIMEDOUT, not early (%s)", strerror(errno));
    deadline = clock_plus_ms(CLOCK_MONOTONIC, 100);
    errno = 0;
    r = futex_pi(&word, FUTEX_LOCK_PI2, &deadline);
    ok(r == -1 && errno == ETIMEDOUT && reached(CLOCK_MONOTONIC, &deadline),
        "LOCK_PI2 with an absolute CLOCK_MONOTONIC time-out: ETIMEDOUT, not early (%s)", strerror(errno));
    deadline = clock_plus_ms(CLOCK_REALTIME, 100);
    errno = 0;
    r = futex_pi(&word, FUTEX_LOCK_PI2 | FUTEX_CLOCK_REALTIME, &deadline);
    ok(r == -1 && errno == ETIMEDOUT && reached(CLOCK_REALTIME, &deadline),
        "LOCK_PI2 | FUTEX_CLOCK_REALTIME: ETIMEDOUT, not early (%s)", strerror(errno));

    // The main thread waits (a signal in between), the owner unlocks: the lock is handed over.
    struct sigaction action = { 0 };
    action.sa_handler = on_signal; // no SA_RESTART
    sigaction(SIGUSR1, &action, NULL);
    // The timed attempts left FUTEX_WAITERS set; nobody waits now, so clear it to see when
    // the next waiter is asleep.
    atomic_store(&word, owner);
    pthread_t w;
    pthread_create(&w, NULL, raw_waiter_body, NULL);
    wait_for_waiters();
    errno = 0;
    r = syscall(SYS_futex, &word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
    ok(r == -1 && errno == EINVAL, "FUTEX_WAKE of a word a LOCK_PI waiter sleeps on: EINVAL (%s)", strerror(errno));
    pthread_kill(w, SIGUSR1);
    pause_ms(100); // the handler has likely run by now, and the waiter is back in LOCK_PI
    atomic_store(&stage, 2); // the owner unlocks: the waiter gets it
    pthread_join(t1, NULL);
    void* after;
    pthread_join(w, &after);
    unsigned waiter_tid = atomic_load(&other_tid);
    ok(waiter_result == 0 && atomic_load(&handler_runs) == 1 && (uintptr_t)after == (waiter_tid | FUTEX_WAITERS),
        "a LOCK_PI waiter, signalled (handler without SA_RESTART) then handed the lock: 0, the word its TID | FUTEX_WAITERS "
        "(%ld, %d runs, %#lx)",
        waiter_result, atomic_load(&handler_runs), (unsigned long)(uintptr_t)after);

    // The owner ends holding the lock, not on any robust list: its waiter gets the lock.
    atomic_store(&word, 0);
    atomic_store(&stage, 0);
    pthread_create(&t1, NULL, raw_owner_body, NULL);
    while (atomic_load(&stage) != 1)
        pause_ms(1);
    r = futex_pi(&word, FUTEX_LOCK_PI, NULL);
    unsigned now_word = atomic_load(&word);
    pthread_join(t1, NULL);
    ok(r == 0 && now_word == (me | FUTEX_WAITERS | FUTEX_OWNER_DIED),
        "LOCK_PI waiting for a thread that ends holding the lock: 0, the word its TID | FUTEX_WAITERS | FUTEX_OWNER_DIED (%#x)",
        now_word);
    futex_pi(&word, FUTEX_UNLOCK_PI, NULL);

    // A plain sleeper on the word: LOCK_PI refuses it. Until the sleeper is asleep LOCK_PI
    // may take the word, so give it back and try again.
    pthread_create(&t1, NULL, plain_waiter_body, NULL);
    int tries = 0;
    do {
        pause_ms(10);
        errno = 0;
        r = futex_pi(&plain_word, FUTEX_LOCK_PI, NULL);
        if (r == 0)
            futex_pi(&plain_word, FUTEX_UNLOCK_PI, NULL);
    } while (r == 0 && ++tries < 500);
    ok(r == -1 && errno == EINVAL, "LOCK_PI of a word a FUTEX_WAIT sleeper sleeps on: EINVAL (%s)", strerror(errno));
    atomic_store(&plain_word, 1);
    syscall(SYS_futex, &plain_word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
    pthread_join(t1, NULL);

    errno = 0;
    r = futex_pi((atomic_uint*)((char*)&word + 1), FUTEX_LOCK_PI, NULL);
    ok(r == -1 && errno == EINVAL, "LOCK_PI of a misaligned word: EINVAL (%s)", strerror(errno));
    errno = 0;
    r = futex_pi(&word, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME, NULL);
    ok(r == -1 && errno == ENOSYS, "LOCK_PI with FUTEX_CLOCK_REALTIME: ENOSYS (%s)", strerror(errno));
    atomic_uint* read_only = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    errno = 0;
    r = futex_pi(read_only, FUTEX_LOCK_PI, NULL);
    ok(r == -1 && errno == EFAULT, "LOCK_PI of a word in read-only memory: EFAULT (%s)", strerror(errno));
}

int main(int argc, char** argv)
{
    if (argc == 3 && strcmp(argv[1], "exec-child") == 0) {
        // The new program of the exec test: waits until the parent is done.
        char byte;
        while (read(atoi(argv[2]), &byte, 1) > 0) { }
        return 0;
    }
#ifdef __GLIBC__
    tap_plan(28);
#else
    tap_plan(27);
#endif
    alarm(60);
    library_mutexes();
    process_shared_mutex();
    raw_calls();
    return tap_done();
}
