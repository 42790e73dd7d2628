// The survivor protocol: how one thread ends all the others of its process. exit_group, a
// fatal signal and execve must leave one thread — the *survivor* — and the others may be
// asleep in the kernel (a futex, a pipe, a disk read), on kernel stacks that no thread but
// their own can unwind. So the survivor only claims the group and interrupts the others;
// each of them, at its next return towards user mode, sees that it must end and ends
// itself; the survivor waits until it is alone. Nothing shared is torn down before that, so
// no thread ever comes back from a sleep into a freed address space.
//
//   A: claim → Survivor ─ interrupts B, C ─ waits ……………………………… finished (1 left)
//   B: claim → Yield (A was first): must end     ─ ends ┘        │
//   C: asleep in read() ─ interrupted ─ must end ─ ends ─────────┘
//
// Two threads that start it at once: the first to claim wins, the second is one that must
// end (exit statuses: the winner's). A thread made while the group ends must end too. Once
// the survivor is alone the claim is over, and a later thread is free again.
// Pure bookkeeping, host-tested (tests/host/proc/group_ending_test.cpp); Process does the
// interrupting and the waiting (thread_group.cpp) and signal delivery asks must_end().
#pragma once

#include "kernel/lib/types.h"

class Thread;

class GroupEnding {
public:
    enum class Claim {
        Alone, // nothing to end: the asker is the only thread
        Survivor, // the asker ends the others: interrupt them, then wait until finished()
        Yield, // another thread is ending the group: the asker is one that must end
    };

    Claim claim(Thread const& asker, usize thread_count)
    {
        if (m_survivor && m_survivor != &asker)
            return Claim::Yield;
        if (thread_count == 1)
            return Claim::Alone;
        m_survivor = &asker;
        return Claim::Survivor;
    }

    // True while another thread is the survivor: `thread` is to end itself.
    bool must_end(Thread const& thread) const { return m_survivor && m_survivor != &thread; }

    // The survivor's check each time a thread ended: true once it is alone, which ends the
    // claim.
    bool finished(usize thread_count)
    {
        if (thread_count > 1)
            return false;
        m_survivor = nullptr;
        return true;
    }

private:
    Thread const* m_survivor { nullptr };
};
