#include "local_timer.h"
#include "kernel/arch/x86_64/ap_start.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/local_apic.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/timer.h"
#include "timer_requests.h"

namespace {

// Read and written under the kernel-mode lock, by every CPU (local_timer_cover looks at the
// others' timers).
TimerRequests g_requests;

void set_this_cpus_timer(u64 at_ns)
{
    u64 now = monotonic_nanoseconds();
    local_apic_timer_fire_in(at_ns > now ? at_ns - now : 0);
}

}

void local_timer_request(u64 at_ns)
{
    cpu::InterruptsDisabled guard;
    if (g_requests.request(this_cpu().index, at_ns))
        set_this_cpus_timer(at_ns);
}

void local_timer_cover(u64 deadline_ns)
{
    cpu::InterruptsDisabled guard;
    if (g_requests.cover(this_cpu().index, static_cast<u32>(cpus_online()), deadline_ns))
        set_this_cpus_timer(deadline_ns);
}

void local_timer_expired() { g_requests.expired(this_cpu().index); }
