// Whether user mode may read the time-stamp counter: CR4.TSD makes rdtsc and rdtscp at
// CPL 3 raise #GP, which the trap layer turns into SIGSEGV — prctl(PR_SET_TSC,
// PR_TSC_SIGSEGV) for the threads that ask (Thread::rdtsc_faults). Each CPU keeps the bit
// as its running thread wants it; a switch writes CR4 only when that changes.
#pragma once

#include "cpu.h"
#include "per_cpu.h"

inline void set_user_rdtsc_faults(bool faults)
{
    if (this_cpu().rdtsc_faults == faults)
        return;
    constexpr u64 CR4_TIME_STAMP_DISABLE = 1 << 2;
    cpu::write_cr4(cpu::read_cr4() ^ CR4_TIME_STAMP_DISABLE);
    this_cpu().rdtsc_faults = faults;
}
