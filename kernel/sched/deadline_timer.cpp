#include "deadline_timer.h"
#include "kernel/arch/x86_64/cpu.h"
#include "local_timer.h"

namespace {
IntrusiveList<DeadlineTimer, &DeadlineTimer::m_node> g_armed; // earliest deadline first
}

void DeadlineTimer::arm(u64 deadline_ns)
{
    cpu::InterruptsDisabled guard;
    cancel();
    m_deadline = deadline_ns;
    DeadlineTimer* later = g_armed.first();
    while (later && later->m_deadline <= deadline_ns)
        later = g_armed.next(*later);
    if (later)
        g_armed.insert_before(*later, *this);
    else
        g_armed.append(*this);
    local_timer_cover(deadline_ns);
}

void DeadlineTimer::cancel()
{
    cpu::InterruptsDisabled guard;
    if (m_node.is_linked())
        g_armed.remove(*this);
}

void deadline_timers_fire(u64 now)
{
    while (DeadlineTimer* timer = g_armed.first()) {
        if (timer->m_deadline > now)
            return;
        g_armed.remove(*timer);
        timer->m_callback(*timer);
    }
}

u64 deadline_timers_earliest()
{
    DeadlineTimer* first = g_armed.first();
    return first ? first->deadline() : ~0ull;
}
