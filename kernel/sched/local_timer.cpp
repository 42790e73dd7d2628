#include "local_timer.h"
#include "kernel/arch/x86_64/ap_start.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/local_apic.h"
#include "kernel/arch/x86_64/per_cpu.h"
#include "kernel/arch/x86_64/timer.h"

namespace {

// When each CPU's timer is set to fire, in monotonic ns. Read and written under the
// kernel-mode lock, by every CPU (local_timer_cover looks at the others').
struct SetFor {
    u64 fires_at { ~0ull }; // set for nothing
};
SetFor g_timers[MAX_CPUS];

}

void local_timer_request(u64 at_ns)
{
    cpu::InterruptsDisabled guard;
    u64& fires_at = g_timers[this_cpu().index].fires_at;
    if (at_ns >= fires_at)
        return;
    fires_at = at_ns;
    u64 now = monotonic_nanoseconds();
    local_apic_timer_fire_in(at_ns > now ? at_ns - now : 0);
}

void local_timer_cover(u64 deadline_ns)
{
    cpu::InterruptsDisabled guard;
    for (u32 i = 0; i < cpus_online(); ++i)
        if (g_timers[i].fires_at <= deadline_ns)
            return;
    local_timer_request(deadline_ns);
}

void local_timer_expired() { g_timers[this_cpu().index] = {}; }
