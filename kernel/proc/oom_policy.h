// The out-of-memory policy: whom to kill when a user page fault finds no frame. A pure
// decision over a list of candidates, so that the host tests can check every rule
// (tests/host/proc/oom_policy_test.cpp); proc/oom.cpp gathers the candidates and acts.
//
//   1. A process already killed for memory that has not exited yet will give its memory
//      back soon: the faulter waits for it and retries (Wait). Unless it has been dying for
//      a long time (Stuck): then it is passed over like the rest below.
//   2. Otherwise the victim is the process with the most resident pages — the faulter
//      included, pid 1 (init) never, processes already killed never. Ties go to the higher
//      pid (the younger process). If the victim is another process it is killed and the
//      faulter retries (KillVictim); if it is the faulter, the faulter dies (KillFaulter).
//   A faulter that was itself killed for memory just dies (KillFaulter).
//   3. No victim at all (the faulter is init, alone or with only dying processes): init
//      dies (KillFaulter) — the machine then stops, and the kernel says why.
#pragma once

#include "kernel/lib/types.h"

struct OomCandidate {
    enum class State {
        Normal,
        Dying, // killed for memory a short while ago, not exited yet
        Stuck, // killed for memory long ago and still not exited
    };
    u32 pid;
    u64 resident_pages;
    State state { State::Normal };
};

struct OomDecision {
    enum class Action {
        Wait, // retry the fault once a dying victim has gone
        KillVictim, // kill `victim`, then retry the fault
        KillFaulter, // the faulting process dies
    };
    Action action;
    u32 victim; // KillVictim: whom; KillFaulter: the faulter
};

constexpr u32 INIT_PID = 1;

// `candidates`: every live process (no zombies), the faulter among them.
OomDecision decide_oom(OomCandidate const* candidates, usize count, u32 faulter_pid);
