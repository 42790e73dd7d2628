#include "oom_policy.h"

OomDecision decide_oom(OomCandidate const* candidates, usize count, u32 faulter_pid)
{
    // A faulter that was itself killed for memory only has to go.
    for (usize i = 0; i < count; ++i)
        if (candidates[i].pid == faulter_pid && candidates[i].state != OomCandidate::State::Normal)
            return { OomDecision::Action::KillFaulter, faulter_pid };
    for (usize i = 0; i < count; ++i)
        if (candidates[i].state == OomCandidate::State::Dying)
            return { OomDecision::Action::Wait, candidates[i].pid };

    OomCandidate const* victim = nullptr;
    for (usize i = 0; i < count; ++i) {
        OomCandidate const& candidate = candidates[i];
        if (candidate.pid == INIT_PID || candidate.state != OomCandidate::State::Normal)
            continue;
        if (!victim || candidate.resident_pages > victim->resident_pages
            || (candidate.resident_pages == victim->resident_pages && candidate.pid > victim->pid))
            victim = &candidate;
    }
    if (!victim || victim->pid == faulter_pid)
        return { OomDecision::Action::KillFaulter, faulter_pid };
    return { OomDecision::Action::KillVictim, victim->pid };
}
