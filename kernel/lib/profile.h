// Stage profiling: where the time of a kernel path goes. A ProfileScope adds the time
// between its construction and destruction to a named stage. The kernel sets the clock
// (the TSC, which under QEMU -icount counts guest instructions) when booted with `profile`;
// without a clock — by default, and in host tests — a scope costs one test of a pointer.
// The stages are printed with the VM counters at shutdown (tools/pagoda-run --profile).
#pragma once

#include "types.h"

struct ProfileStage {
    char const* name;
    u64 calls { 0 };
    u64 ticks { 0 };
    ProfileStage* next { nullptr };
    bool registered { false };
};

using ProfileClock = u64 (*)();
void profile_set_clock(ProfileClock);
ProfileClock profile_clock();
void profile_register(ProfileStage&);
// Calls `print` once per stage that ran, in registration order.
void profile_for_each(void (*print)(ProfileStage const&));

class ProfileScope {
public:
    explicit ProfileScope(ProfileStage& stage) : m_stage(stage), m_clock(profile_clock())
    {
        if (m_clock)
            m_start = m_clock();
    }
    ~ProfileScope()
    {
        if (!m_clock)
            return;
        if (!m_stage.registered)
            profile_register(m_stage);
        ++m_stage.calls;
        m_stage.ticks += m_clock() - m_start;
    }
    ProfileScope(ProfileScope const&) = delete;

private:
    ProfileStage& m_stage;
    ProfileClock m_clock;
    u64 m_start { 0 };
};

// PROFILE("fork: address space"); — times the rest of the enclosing block.
#define PROFILE_CONCAT2(a, b) a##b
#define PROFILE_CONCAT(a, b) PROFILE_CONCAT2(a, b)
#define PROFILE(name)                                                                                                            \
    static ProfileStage PROFILE_CONCAT(profile_stage_, __LINE__) { name };                                                       \
    ProfileScope PROFILE_CONCAT(profile_scope_, __LINE__)(PROFILE_CONCAT(profile_stage_, __LINE__))
