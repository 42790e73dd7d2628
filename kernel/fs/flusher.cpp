#include "flusher.h"
#include "ext2_mount.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/lib/log.h"
#include "kernel/mm/memory_context.h"
#include "kernel/mm/page_cache.h"
#include "kernel/sched/kernel_lock.h"
#include "kernel/sched/scheduler.h"

namespace {

u64 g_interval_ns;
u64 g_age_ns;

void flush_once()
{
    u64 now = monotonic_nanoseconds();
    kernel_memory_context().backed_caches->for_each([&](PageCache& cache) {
        if (cache.has_dirty_pages())
            (void)cache.write_back_older_than(now, g_age_ns); // failures stay dirty: retried next time
    });
    ext2_release_unused_inodes();
    (void)ext2_sync_metadata();
}

void flusher_main(void*)
{
    // Kernel threads run with interrupts off, like all kernel code (scheduler.h).
    for (;;) {
        // An idle sleep (Linux's TASK_IDLE): no signal reaches a kernel thread, and an
        // uninterruptible sleep would count in the load average.
        sleep_until(monotonic_nanoseconds() + g_interval_ns, SleepKind::Interruptible);
        kernel_lock_acquire();
        flush_once();
        kernel_lock_release();
    }
}

}

void flusher_start(u64 interval_ns, u64 age_ns)
{
    g_interval_ns = interval_ns;
    g_age_ns = age_ns;
    Thread* thread = MUST(Thread::create_kernel("flusher", flusher_main, nullptr));
    scheduler_add(*thread);
    klog("flusher: every %lu ms, pages dirty for %lu ms", interval_ns / 1000000, age_ns / 1000000);
}
