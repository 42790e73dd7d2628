// pthreads_sync — threads of one process with the C library's pthreads (musl here; the
// _glibc twin runs the same code against glibc): 1,000 threads created and joined, ids
// (getpid the same, gettid each its own), __thread values per thread, and every
// synchronisation object under contention with a checked result: mutex, condition
// variable, rwlock, barrier, semaphore; detached threads; /proc/self/status's Threads:.
// alarm(60): a lost wake-up fails the test (SIGALRM) instead of hanging it.
#include "tap.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WORKERS 8

static void* return_index(void* arg) { return (char*)arg + 1; }

static int create_and_join_many(int total, int batch)
{
    pthread_t threads[64];
    for (int done = 0; done < total; done += batch) {
        for (int i = 0; i < batch; ++i)
            if (pthread_create(&threads[i], NULL, return_index, (void*)(long)(done + i)) != 0)
                return 0;
        for (int i = 0; i < batch; ++i) {
            void* value;
            if (pthread_join(threads[i], &value) != 0 || value != (char*)(long)(done + i) + 1)
                return 0;
        }
    }
    return 1;
}

// Ids: each thread reports getpid, gettid and getppid.
struct ids {
    pid_t pid, tid, ppid;
};
static void* report_ids(void* arg)
{
    struct ids* out = arg;
    out->pid = getpid();
    out->tid = (pid_t)syscall(SYS_gettid);
    out->ppid = getppid();
    return NULL;
}

// __thread: each worker sets its own copy and checks it after the others have set theirs.
static __thread long tls_value = -1;
static pthread_barrier_t tls_barrier;
static void* check_tls(void* arg)
{
    long mine = (long)arg;
    int fresh = tls_value == -1; // a new thread sees the initial value, not the main thread's
    tls_value = mine * 1000;
    pthread_barrier_wait(&tls_barrier);
    for (int i = 0; i < 1000; ++i)
        if (tls_value != mine * 1000)
            return (void*)0;
        else
            sched_yield();
    return (void*)(long)fresh;
}

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
#define INCREMENTS 20000
static void* increment(void* arg)
{
    (void)arg;
    for (int i = 0; i < INCREMENTS; ++i) {
        pthread_mutex_lock(&counter_lock);
        long seen = counter;
        if (i % 64 == 0)
            sched_yield(); // hand over inside the critical section now and then
        counter = seen + 1;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

// A bounded queue: producers and consumers on one mutex and two condition variables.
#define ITEMS 20000
#define QUEUE 16
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static int queue[QUEUE], queue_head, queue_count;
static long consumed_sum;
static void* produce(void* arg)
{
    long first = (long)arg;
    for (long i = first; i < ITEMS; i += 2) {
        pthread_mutex_lock(&queue_lock);
        while (queue_count == QUEUE)
            pthread_cond_wait(&not_full, &queue_lock);
        queue[(queue_head + queue_count++) % QUEUE] = (int)i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&queue_lock);
    }
    return NULL;
}
static void* consume(void* arg)
{
    long count = (long)arg;
    for (long n = 0; n < count; ++n) {
        pthread_mutex_lock(&queue_lock);
        while (queue_count == 0)
            pthread_cond_wait(&not_empty, &queue_lock);
        consumed_sum += queue[queue_head];
        queue_head = (queue_head + 1) % QUEUE;
        --queue_count;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&queue_lock);
    }
    return NULL;
}

// rwlock: writers keep a == b; readers must never see them differ.
static pthread_rwlock_t pair_lock = PTHREAD_RWLOCK_INITIALIZER;
static long pair_a, pair_b;
static atomic_int torn_reads;
static void* write_pair(void* arg)
{
    (void)arg;
    for (int i = 0; i < 5000; ++i) {
        pthread_rwlock_wrlock(&pair_lock);
        ++pair_a;
        if (i % 32 == 0)
            sched_yield();
        ++pair_b;
        pthread_rwlock_unlock(&pair_lock);
    }
    return NULL;
}
static void* read_pair(void* arg)
{
    (void)arg;
    for (int i = 0; i < 5000; ++i) {
        pthread_rwlock_rdlock(&pair_lock);
        long a = pair_a;
        if (i % 32 == 0)
            sched_yield();
        if (pair_b != a)
            atomic_fetch_add(&torn_reads, 1);
        pthread_rwlock_unlock(&pair_lock);
    }
    return NULL;
}

// Barrier: in each round every worker adds to the round's slot; after the barrier all
// slots up to this round must be complete.
#define ROUNDS 200
static pthread_barrier_t round_barrier;
static atomic_int round_arrivals[ROUNDS];
static atomic_int barrier_errors;
static void* run_rounds(void* arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; ++r) {
        atomic_fetch_add(&round_arrivals[r], 1);
        pthread_barrier_wait(&round_barrier);
        if (atomic_load(&round_arrivals[r]) != WORKERS)
            atomic_fetch_add(&barrier_errors, 1);
    }
    return NULL;
}

static sem_t items, slots;
static long sem_sum;
static void* sem_consume(void* arg)
{
    (void)arg;
    for (int i = 0; i < ITEMS; ++i) {
        sem_wait(&items);
        sem_sum += i;
        sem_post(&slots);
    }
    return NULL;
}

static atomic_int detached_done;
static void* detached_body(void* arg)
{
    (void)arg;
    atomic_fetch_add(&detached_done, 1);
    return NULL;
}

static int status_threads(void)
{
    char buffer[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buffer, sizeof buffer - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return -1;
    buffer[n] = 0;
    char* line = strstr(buffer, "\nThreads:");
    return line ? atoi(line + 9) : -1;
}
static pthread_barrier_t status_barrier;
static void* wait_twice(void* arg)
{
    (void)arg;
    pthread_barrier_wait(&status_barrier); // all alive
    pthread_barrier_wait(&status_barrier); // main has looked
    return NULL;
}

static int run(pthread_t* threads, int n, void* (*body)(void*), long arg_step)
{
    int created = 1;
    for (int i = 0; i < n; ++i)
        created &= pthread_create(&threads[i], NULL, body, (void*)(i * arg_step)) == 0;
    for (int i = 0; i < n; ++i)
        pthread_join(threads[i], NULL);
    return created;
}

int main(void)
{
    tap_plan(11);
    alarm(60);
    pthread_t threads[WORKERS];

    ok(create_and_join_many(1000, 20), "1000 threads created and joined (20 at a time), each one's return value back");

    struct ids seen[4];
    int same_process = 1, distinct = 1;
    for (int i = 0; i < 4; ++i)
        pthread_create(&threads[i], NULL, report_ids, &seen[i]);
    for (int i = 0; i < 4; ++i)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < 4; ++i) {
        same_process &= seen[i].pid == getpid() && seen[i].ppid == getppid();
        distinct &= seen[i].tid != getpid() && seen[i].tid > 0;
        for (int j = 0; j < i; ++j)
            distinct &= seen[i].tid != seen[j].tid;
    }
    ok(same_process && distinct, "in every thread getpid and getppid are the process's, gettid is the thread's own");

    pthread_barrier_init(&tls_barrier, NULL, WORKERS);
    int tls_ok = 1;
    tls_value = 42;
    for (long i = 0; i < WORKERS; ++i)
        pthread_create(&threads[i], NULL, check_tls, (void*)(i + 1));
    for (int i = 0; i < WORKERS; ++i) {
        void* fresh;
        pthread_join(threads[i], &fresh);
        tls_ok &= fresh == (void*)1;
    }
    ok(tls_ok && tls_value == 42, "__thread: each thread starts with the initial value and keeps its own");

    run(threads, WORKERS, increment, 0);
    ok(counter == (long)WORKERS * INCREMENTS, "mutex: %d threads x %d increments = %ld", WORKERS, INCREMENTS, counter);

    pthread_create(&threads[0], NULL, produce, (void*)0);
    pthread_create(&threads[1], NULL, produce, (void*)1);
    pthread_create(&threads[2], NULL, consume, (void*)(ITEMS / 4));
    pthread_create(&threads[3], NULL, consume, (void*)(ITEMS / 4 * 3));
    for (int i = 0; i < 4; ++i)
        pthread_join(threads[i], NULL);
    ok(consumed_sum == (long)ITEMS * (ITEMS - 1) / 2 && queue_count == 0,
        "condition variables: 2 producers, 2 consumers, %d items through a %d-slot queue, sum right", ITEMS, QUEUE);

    for (int i = 0; i < WORKERS; ++i)
        pthread_create(&threads[i], NULL, i < 2 ? write_pair : read_pair, NULL);
    for (int i = 0; i < WORKERS; ++i)
        pthread_join(threads[i], NULL);
    ok(torn_reads == 0 && pair_a == 10000 && pair_b == 10000, "rwlock: 2 writers, 6 readers: no reader saw a half-done write (%d)",
        atomic_load(&torn_reads));

    pthread_barrier_init(&round_barrier, NULL, WORKERS);
    run(threads, WORKERS, run_rounds, 0);
    ok(barrier_errors == 0, "barrier: %d threads, %d rounds, nobody passed early (%d)", WORKERS, ROUNDS, atomic_load(&barrier_errors));

    sem_init(&items, 0, 0);
    sem_init(&slots, 0, 4);
    pthread_create(&threads[0], NULL, sem_consume, NULL);
    for (int i = 0; i < ITEMS; ++i) {
        sem_wait(&slots);
        sem_post(&items);
    }
    pthread_join(threads[0], NULL);
    ok(sem_sum == (long)ITEMS * (ITEMS - 1) / 2, "semaphores: %d items handed over through 4 slots", ITEMS);

    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    int created = 1;
    for (int i = 0; i < 50; ++i) {
        pthread_t t;
        created &= pthread_create(&t, &detached, detached_body, NULL) == 0;
    }
    for (int i = 0; i < 1000 && atomic_load(&detached_done) < 50; ++i)
        usleep(1000);
    ok(created && atomic_load(&detached_done) == 50, "50 detached threads ran (%d)", atomic_load(&detached_done));
    usleep(20000); // let the detached ones finish exiting

    pthread_barrier_init(&status_barrier, NULL, 4);
    for (int i = 0; i < 3; ++i)
        pthread_create(&threads[i], NULL, wait_twice, NULL);
    pthread_barrier_wait(&status_barrier);
    int during = status_threads();
    pthread_barrier_wait(&status_barrier);
    for (int i = 0; i < 3; ++i)
        pthread_join(threads[i], NULL);
    ok(during == 4, "/proc/self/status: Threads: 4 while three threads live (%d)", during);
    int after = -1;
    for (int i = 0; i < 100 && (after = status_threads()) != 1; ++i)
        usleep(1000);
    ok(after == 1, "and Threads: 1 once they are joined (%d)", after);
    return tap_done();
}
