// futex_ops — the futex operations beyond WAIT/WAKE that C libraries use, between threads:
//   - WAKE_BITSET wakes only the waiters whose WAIT_BITSET bitset shares a bit with it;
//   - CMP_REQUEUE wakes some waiters and moves others to a second word (EAGAIN if the first
//     word changed); the moved ones then answer a wake of the second word;
//   - WAKE_OP changes a second word (ADD) and wakes its waiters when the old value passes
//     the comparison;
//   - bitset 0 is EINVAL; CLOCK_REALTIME with plain FUTEX_WAIT is ENOSYS.
// Waiters are given 100 ms to fall asleep before each wake (they only need microseconds);
// the counts the calls return are what is checked. alarm(30) fails a lost waiter.
#include "tap.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define OP(op, oparg, cmp, cmparg) (((op) << 28) | ((cmp) << 24) | ((oparg) << 12) | (cmparg))

static long futex(uint32_t* word, int op, uint32_t value, uintptr_t timeout_or_count, uint32_t* second, uint32_t value3)
{
    return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, value, timeout_or_count, second, value3);
}

static uint32_t word_a, word_b;
static atomic_int returned;

struct waiter {
    uint32_t* word;
    uint32_t expected;
    uint32_t bitset;
};
static void* wait_body(void* arg)
{
    struct waiter* w = arg;
    long r = w->bitset ? futex(w->word, FUTEX_WAIT_BITSET, w->expected, 0, NULL, w->bitset)
                       : futex(w->word, FUTEX_WAIT, w->expected, 0, NULL, 0);
    atomic_fetch_add(&returned, 1);
    return (void*)r;
}

static void settle(void) { usleep(100000); }

static void start(pthread_t* t, struct waiter* w) { pthread_create(t, NULL, wait_body, w); }

int main(void)
{
    tap_plan(8);
    alarm(30);
    pthread_t t[4];

    struct waiter low = { &word_a, 0, 1 }, high = { &word_a, 0, 2 };
    start(&t[0], &low);
    start(&t[1], &high);
    settle();
    long woken = futex(&word_a, FUTEX_WAKE_BITSET, 10, 0, NULL, 2);
    pthread_join(t[1], NULL);
    ok(woken == 1 && atomic_load(&returned) == 1, "WAKE_BITSET 2 wakes the waiter with bitset 2 only (%ld)", woken);
    woken = futex(&word_a, FUTEX_WAKE_BITSET, 10, 0, NULL, 1);
    pthread_join(t[0], NULL);
    ok(woken == 1, "and WAKE_BITSET 1 the other (%ld)", woken);

    atomic_store(&returned, 0);
    struct waiter on_a = { &word_a, 0, 0 };
    for (int i = 0; i < 3; ++i)
        start(&t[i], &on_a);
    settle();
    errno = 0;
    long r = futex(&word_a, FUTEX_CMP_REQUEUE, 1, 2, &word_b, 99);
    ok(r == -1 && errno == EAGAIN, "CMP_REQUEUE when the word is not the expected value: EAGAIN (errno %d)", errno);
    r = futex(&word_a, FUTEX_CMP_REQUEUE, 1, 2, &word_b, 0);
    settle();
    ok(r == 3 && atomic_load(&returned) == 1, "CMP_REQUEUE wake 1, move 2: returns 3, one waiter returned (%ld, %d)", r,
        atomic_load(&returned));
    long on_first = futex(&word_a, FUTEX_WAKE, 10, 0, NULL, 0);
    long on_second = futex(&word_b, FUTEX_WAKE, 10, 0, NULL, 0);
    for (int i = 0; i < 3; ++i)
        pthread_join(t[i], NULL);
    ok(on_first == 0 && on_second == 2, "the two moved waiters answer a wake of the second word (%ld, %ld)", on_first, on_second);

    word_b = 10;
    struct waiter on_b = { &word_b, 10, 0 };
    start(&t[0], &on_b);
    settle();
    r = futex(&word_a, FUTEX_WAKE_OP, 1, 1, &word_b, OP(1 /* ADD */, 5, 0 /* EQ */, 10));
    pthread_join(t[0], NULL);
    ok(r == 1 && word_b == 15, "WAKE_OP: the second word 10 + 5 = %u, and its waiter woke because the old value was 10 (%ld)",
        word_b, r);

    errno = 0;
    r = futex(&word_a, FUTEX_WAIT_BITSET, 0, 0, NULL, 0);
    ok(r == -1 && errno == EINVAL, "WAIT_BITSET with bitset 0: EINVAL (errno %d)", errno);
    struct timespec ms = { 0, 1000000 };
    errno = 0;
    r = futex(&word_a, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, (uintptr_t)&ms, NULL, 0);
    ok(r == -1 && errno == ENOSYS, "CLOCK_REALTIME with FUTEX_WAIT: ENOSYS (errno %d)", errno);
    return tap_done();
}
