// tlb_stale_reads — what a multi-CPU kernel must get right about translations cached in
// another CPU's TLB (docs/locking.md, "TLB shootdown"). Run with threads that may sit on
// different CPUs (the host's cores; Pagoda with tools/pagoda-run --cpus 2):
//   - two threads fault one never-touched page at the same moment, one reading, one
//     writing: they share one frame afterwards (what each writes, the other reads);
//   - two threads read a page in a loop while another, generation after generation, maps
//     the range with new contents and unmaps it again: once munmap has returned, the
//     readers never see that generation's contents again (they see a later generation, a
//     fresh zero page, or take SIGSEGV) — a CPU that kept the old translation would read
//     the old, possibly already reused, frame;
//   - the same with each generation mapped over the last one (mmap MAP_FIXED replacing it,
//     no munmap): once that mmap has returned, the replaced generation is never seen again.
// Neither check depends on timing; alarm(60) fails a hang.
#include "tap.h"
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define GENERATIONS 300 // for each of the two ways
#define READERS 2

static pthread_barrier_t go;
static volatile uint64_t* fresh;

static void* fault_by_reading(void* arg)
{
    (void)arg;
    pthread_barrier_wait(&go);
    uint64_t seen = fresh[0]; // the read fault (a zero page, or the writer's frame)
    pthread_barrier_wait(&go); // both faults done
    fresh[1] = 0x2222;
    pthread_barrier_wait(&go); // both writes done
    return (void*)(uintptr_t)(fresh[0] == 0x1111 && (seen == 0 || seen == 0x1111));
}

static void* fault_by_writing(void* arg)
{
    (void)arg;
    pthread_barrier_wait(&go);
    fresh[0] = 0x1111;
    pthread_barrier_wait(&go);
    pthread_barrier_wait(&go);
    return (void*)(uintptr_t)(fresh[1] == 0x2222);
}

// The generation race. `window` is mapped as generation g holding g in every word; after
// munmap (or the mmap replacing it) returns, `unmapped` is set to g (release). A reader
// loads `unmapped` first, then a word: a nonzero word <= the generation it loaded is stale.
static volatile uint64_t* window;
static _Atomic uint64_t unmapped;
static atomic_int stop;
static atomic_long reads, faults;
static _Atomic uint64_t stale_value, stale_unmapped;
static __thread sigjmp_buf reader_return;

static void on_segv(int signal)
{
    (void)signal;
    siglongjmp(reader_return, 1);
}

static void* read_window(void* arg)
{
    (void)arg;
    struct sigaction action = { .sa_handler = on_segv };
    sigaction(SIGSEGV, &action, NULL);
    if (sigsetjmp(reader_return, 1))
        atomic_fetch_add(&faults, 1);
    while (!atomic_load(&stop)) {
        uint64_t gone = atomic_load_explicit(&unmapped, memory_order_acquire);
        uint64_t value = window[(gone * 7) % (PAGE / 8)];
        if (atomic_fetch_add(&reads, 1) % 8192 == 0)
            sched_yield(); // more readers than free CPUs: let the mapping thread run
        if (value != 0 && value <= gone && atomic_load(&stale_value) == 0) {
            atomic_store(&stale_unmapped, gone);
            atomic_store(&stale_value, value);
        }
    }
    return NULL;
}

int main(void)
{
    tap_plan(3);
    alarm(60);

    fresh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pthread_t reader, writer;
    void *reader_saw, *writer_saw;
    pthread_barrier_init(&go, NULL, 2);
    pthread_create(&reader, NULL, fault_by_reading, NULL);
    pthread_create(&writer, NULL, fault_by_writing, NULL);
    pthread_join(reader, &reader_saw);
    pthread_join(writer, &writer_saw);
    ok(reader_saw && writer_saw, "two threads fault one fresh page at once (a read and a write): one frame, each sees the other's write");

    // The range is reserved (PROT_NONE: the reader takes SIGSEGV there) before the reader
    // thread's stack is mapped, so that the stack cannot land in it; nothing else maps
    // memory while the generations run. Each maps over it with MAP_FIXED and unmaps it.
    void* range = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    window = range;
    pthread_t watchers[READERS];
    for (int i = 0; i < READERS; ++i)
        pthread_create(&watchers[i], NULL, read_window, NULL);
    int mapping_failed = 0;
    // Generations 1..GENERATIONS: mmap, fill, munmap. Then as many again, each mapped over
    // the one before (its mmap is what unmaps the old one).
    for (uint64_t generation = 1; generation <= 2 * GENERATIONS && !mapping_failed; ++generation) {
        int replacing = generation > GENERATIONS;
        void* at = mmap(range, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (at != range) {
            mapping_failed = 1;
            break;
        }
        if (replacing && generation > GENERATIONS + 1)
            atomic_store_explicit(&unmapped, generation - 1, memory_order_release);
        for (int i = 0; i < PAGE / 8; ++i)
            ((volatile uint64_t*)at)[i] = generation;
        long before = atomic_load(&reads);
        // Until a reader has looked at least once (yielding now and then, for one CPU).
        for (long spins = 1; atomic_load(&reads) == before; ++spins)
            if (spins % 4096 == 0)
                sched_yield();
        if (!replacing || generation == 2 * GENERATIONS) {
            munmap(range, PAGE);
            atomic_store_explicit(&unmapped, generation, memory_order_release);
        }
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < READERS; ++i)
        pthread_join(watchers[i], NULL);
    ok(!mapping_failed, "%d generations of mmap(MAP_FIXED), fill, munmap at one address, then %d mapped each over the last",
        GENERATIONS, GENERATIONS);
    ok(atomic_load(&stale_value) == 0,
        "%d readers never see an unmapped or replaced generation's data (%ld reads, %ld SIGSEGV; stale: %llu after %llu was unmapped)",
        READERS, atomic_load(&reads), atomic_load(&faults), (unsigned long long)atomic_load(&stale_value),
        (unsigned long long)atomic_load(&stale_unmapped));
    return tap_done();
}
