// futex_waitv — waiting on several futex words at once (syscall 449):
//   - a FUTEX_WAKE of any one word ends the wait, which returns that word's index; the same
//     with shared (not FUTEX2_PRIVATE) words in a MAP_SHARED page woken from a fork child;
//   - the other words then hold no waiter (a wake of them wakes nobody);
//   - a signal handler without SA_RESTART ends the wait with EINTR; with SA_RESTART the
//     wait goes on and a later wake still returns its index;
//   - EAGAIN when any word differs from its value, ETIMEDOUT at an absolute time-out on
//     CLOCK_MONOTONIC and CLOCK_REALTIME;
//   - EINVAL for flags, 0 or 129 words, a NULL array, a clock other than those two, a word
//     size other than FUTEX2_SIZE_U32, unknown word flags, __reserved set, an unaligned
//     word; EFAULT for an unmapped word or array.
// Waiters get 100 ms to fall asleep before a wake; the index the call returns and the count
// FUTEX_WAKE returns are what is checked. alarm(30) fails a lost waiter.
#include "tap.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX2_SIZE_U8 0x00
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE 128
#define SYS_FUTEX_WAITV 449
#define WORDS 8

struct futex_waitv {
    uint64_t val;
    uint64_t uaddr;
    uint32_t flags;
    uint32_t reserved;
};

static long waitv(struct futex_waitv* w, unsigned count, unsigned flags, struct timespec* timeout, int clock)
{
    return syscall(SYS_FUTEX_WAITV, w, count, flags, timeout, clock);
}

static long wake(uint32_t* word, int private_flag)
{
    return syscall(SYS_futex, word, FUTEX_WAKE | private_flag, 1, NULL, NULL, 0);
}

static uint32_t words[WORDS];
static struct futex_waitv list[WORDS];

static void fill(uint32_t* base, uint32_t flags)
{
    for (int i = 0; i < WORDS; ++i)
        list[i] = (struct futex_waitv) { .val = 0, .uaddr = (uintptr_t)&base[i], .flags = flags };
}

static struct timespec in_seconds(int clock, int seconds)
{
    struct timespec t;
    clock_gettime(clock, &t);
    t.tv_sec += seconds;
    return t;
}

static void* waiter_body(void* arg)
{
    (void)arg;
    struct timespec t = in_seconds(CLOCK_MONOTONIC, 10);
    return (void*)waitv(list, WORDS, 0, &t, CLOCK_MONOTONIC);
}

static void settle(void) { usleep(100000); }

static volatile sig_atomic_t handled;
static void on_signal(int signal) { (void)signal, ++handled; }
static void catch_usr1(int flags)
{
    struct sigaction action = { .sa_handler = on_signal, .sa_flags = flags };
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
}

static void* errno_waiter_body(void* arg)
{
    (void)arg;
    struct timespec t = in_seconds(CLOCK_MONOTONIC, 10);
    long r = waitv(list, WORDS, 0, &t, CLOCK_MONOTONIC);
    return (void*)(r < 0 ? (long)-errno : r);
}

static int fails_with(long r, int expected_errno) { return r == -1 && errno == expected_errno; }

int main(void)
{
    tap_plan(22);
    alarm(30);

    // A wake of word 5 ends the wait with 5; the others are free of it afterwards.
    fill(words, FUTEX2_SIZE_U32 | FUTEX2_PRIVATE);
    pthread_t t;
    pthread_create(&t, NULL, waiter_body, NULL);
    settle();
    long woken = wake(&words[5], FUTEX_PRIVATE_FLAG);
    void* result;
    pthread_join(t, &result);
    ok(woken == 1, "FUTEX_WAKE of one word of the vector woke the waiter (%ld)", woken);
    ok((long)result == 5, "futex_waitv returned the index of the word woken (%ld)", (long)result);
    long stray = 0;
    for (int i = 0; i < WORDS; ++i)
        stray += wake(&words[i], FUTEX_PRIVATE_FLAG);
    ok(stray == 0, "afterwards no word holds a waiter (%ld woken)", stray);

    // The first word too (index 0), and the last.
    pthread_create(&t, NULL, waiter_body, NULL);
    settle();
    wake(&words[0], FUTEX_PRIVATE_FLAG);
    pthread_join(t, &result);
    ok((long)result == 0, "a wake of the first word returns 0 (%ld)", (long)result);
    pthread_create(&t, NULL, waiter_body, NULL);
    settle();
    wake(&words[WORDS - 1], FUTEX_PRIVATE_FLAG);
    pthread_join(t, &result);
    ok((long)result == WORDS - 1, "a wake of the last word returns %d (%ld)", WORDS - 1, (long)result);

    // Signals: without SA_RESTART the wait ends (EINTR); with it, it goes on.
    catch_usr1(0);
    pthread_create(&t, NULL, errno_waiter_body, NULL);
    settle();
    pthread_kill(t, SIGUSR1);
    pthread_join(t, &result);
    ok((long)result == -EINTR && handled == 1, "a handler without SA_RESTART: EINTR (%ld)", (long)result);
    catch_usr1(SA_RESTART);
    pthread_create(&t, NULL, errno_waiter_body, NULL);
    settle();
    pthread_kill(t, SIGUSR1);
    for (int tries = 0; tries < 100 && wake(&words[2], FUTEX_PRIVATE_FLAG) == 0; ++tries)
        usleep(20000); // until the restarted wait is back in line
    pthread_join(t, &result);
    ok((long)result == 2 && handled == 2, "with SA_RESTART the wait goes on: a later wake returns 2 (%ld)", (long)result);

    // Shared words in a MAP_SHARED page, woken by another process.
    uint32_t* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    fill(shared, FUTEX2_SIZE_U32);
    pid_t child = fork();
    if (child == 0) {
        long n = 0;
        for (int tries = 0; tries < 100 && n == 0; ++tries) {
            usleep(20000);
            n = wake(&shared[3], 0);
        }
        _exit(n == 1 ? 0 : 1);
    }
    struct timespec t10 = in_seconds(CLOCK_MONOTONIC, 10);
    long r = waitv(list, WORDS, 0, &t10, CLOCK_MONOTONIC);
    int status;
    waitpid(child, &status, 0);
    ok(r == 3, "shared words: a wake from a fork child returns its index 3 (%ld)", r);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's FUTEX_WAKE woke exactly one");

    // A differing word: EAGAIN at once.
    fill(words, FUTEX2_SIZE_U32 | FUTEX2_PRIVATE);
    list[4].val = 1;
    r = waitv(list, WORDS, 0, &t10, CLOCK_MONOTONIC);
    ok(fails_with(r, EAGAIN), "a word that differs from its value: EAGAIN (%ld, %s)", r, strerror(errno));
    list[4].val = 0;

    // Time-outs, absolute on either clock.
    struct timespec before, after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    struct timespec soon = before;
    soon.tv_nsec += 50000000;
    if (soon.tv_nsec >= 1000000000) {
        soon.tv_sec++;
        soon.tv_nsec -= 1000000000;
    }
    r = waitv(list, WORDS, 0, &soon, CLOCK_MONOTONIC);
    clock_gettime(CLOCK_MONOTONIC, &after);
    long waited_ms = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
    ok(fails_with(r, ETIMEDOUT) && waited_ms >= 49, "CLOCK_MONOTONIC deadline 50 ms ahead: ETIMEDOUT after %ld ms", waited_ms);
    struct timespec past = in_seconds(CLOCK_REALTIME, -1);
    r = waitv(list, WORDS, 0, &past, CLOCK_REALTIME);
    ok(fails_with(r, ETIMEDOUT), "CLOCK_REALTIME deadline passed: ETIMEDOUT (%ld, %s)", r, strerror(errno));

    // Bad arguments.
    ok(fails_with(waitv(list, WORDS, 1, &t10, CLOCK_MONOTONIC), EINVAL), "flags 1: EINVAL");
    ok(fails_with(waitv(list, 0, 0, &t10, CLOCK_MONOTONIC), EINVAL), "0 words: EINVAL");
    ok(fails_with(waitv(list, 129, 0, &t10, CLOCK_MONOTONIC), EINVAL), "129 words: EINVAL");
    ok(fails_with(waitv(NULL, 1, 0, &t10, CLOCK_MONOTONIC), EINVAL), "a NULL array: EINVAL");
    ok(fails_with(waitv(list, 1, 0, &t10, CLOCK_BOOTTIME), EINVAL), "CLOCK_BOOTTIME: EINVAL");
    list[1].flags = FUTEX2_SIZE_U8 | FUTEX2_PRIVATE;
    ok(fails_with(waitv(list, 2, 0, &t10, CLOCK_MONOTONIC), EINVAL), "FUTEX2_SIZE_U8: EINVAL");
    list[1].flags = FUTEX2_SIZE_U32 | FUTEX2_PRIVATE | 0x40;
    ok(fails_with(waitv(list, 2, 0, &t10, CLOCK_MONOTONIC), EINVAL), "an unknown word flag: EINVAL");
    list[1].flags = FUTEX2_SIZE_U32 | FUTEX2_PRIVATE;
    list[1].reserved = 1;
    ok(fails_with(waitv(list, 2, 0, &t10, CLOCK_MONOTONIC), EINVAL), "__reserved set: EINVAL");
    list[1].reserved = 0;
    list[1].uaddr = (uintptr_t)words + 2;
    ok(fails_with(waitv(list, 2, 0, &t10, CLOCK_MONOTONIC), EINVAL), "an unaligned word: EINVAL");
    list[1].uaddr = 0;
    long null_word = waitv(list, 2, 0, &t10, CLOCK_MONOTONIC);
    int null_errno = errno;
    void* unmapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(unmapped, 4096);
    ok(null_word == -1 && null_errno == EFAULT && fails_with(waitv(unmapped, 1, 0, &t10, CLOCK_MONOTONIC), EFAULT),
        "a NULL word and an unmapped array: EFAULT");
    return tap_done();
}
