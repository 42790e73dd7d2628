// The kernel's System V shared memory segments: the registry, told the wall-clock time and
// the calling process (shm_segment.h).
#include "kernel/dev/clock.h"
#include "process.h"
#include "shm_segment.h"
#include <new>

namespace {

i64 now_seconds() { return static_cast<i64>(realtime_seconds()); }
u32 caller_pid() { return current_process().pid(); }

}

ShmRegistry& kernel_shm_registry()
{
    // Made in place on first use: the kernel runs no global constructors for it.
    alignas(ShmRegistry) static unsigned char storage[sizeof(ShmRegistry)];
    static ShmRegistry* registry = nullptr;
    if (!registry)
        registry = new (storage) ShmRegistry(kernel_memory_context(), { now_seconds, caller_pid });
    return *registry;
}
