// What each CPU's one-shot timer is set for, and the two rules local_timer.h keeps with it
// (the bookkeeping alone, without the hardware, so that host tests can check it):
//   - a request only ever moves a CPU's timer earlier;
//   - a deadline needs no timer of its own if some CPU's fires by then already.
#pragma once

#include "kernel/arch/x86_64/acpi_madt.h"
#include "kernel/lib/types.h"

class TimerRequests {
public:
    static constexpr u64 NOTHING = ~0ull; // a timer set for nothing

    // CPU `cpu`'s timer is to fire at `at_ns` or earlier. True if it must be set for `at_ns`
    // (it was set for later, or for nothing); it is then counted as set for it.
    bool request(u32 cpu, u64 at_ns)
    {
        if (at_ns >= m_fires_at[cpu])
            return false;
        m_fires_at[cpu] = at_ns;
        return true;
    }
    // Some timer of CPUs 0..cpus-1 is to fire by `deadline_ns`: true if none does, and so
    // CPU `cpu`'s must be set for it (counted as done).
    bool cover(u32 cpu, u32 cpus, u64 deadline_ns)
    {
        for (u32 i = 0; i < cpus; ++i)
            if (m_fires_at[i] <= deadline_ns)
                return false;
        return request(cpu, deadline_ns);
    }
    // CPU `cpu`'s timer fired: it is set for nothing until asked again.
    void expired(u32 cpu) { m_fires_at[cpu] = NOTHING; }
    u64 fires_at(u32 cpu) const { return m_fires_at[cpu]; }

private:
    u64 m_fires_at[MAX_CPUS] = { NOTHING, NOTHING, NOTHING, NOTHING, NOTHING, NOTHING, NOTHING, NOTHING };
    static_assert(MAX_CPUS == 8, "one NOTHING per CPU above");
};
