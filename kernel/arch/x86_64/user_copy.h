// Copying to and from user memory through the MMU, the x86_64 half (user_copy.S holds the
// routines and their exception table; kernel/mm/mmu_user_copy.h is the contract mm uses).
#pragma once

#include "kernel/mm/mmu_user_copy.h"
#include "trap_frame.h"

// The routines, for MemoryContext::mmu_user_copy (bound at boot, kernel/main.cpp).
MmuUserCopy const& x86_mmu_user_copy();

// A page fault in kernel mode (trap_dispatch): if it was taken at one of the routines' user
// accesses, at a user address, resolves it like the user's own fault and returns true — the
// frame then resumes the access, or its fixup with the reason the copy stops. False for
// any other fault, which is a kernel bug. The fault address and access are read from the
// frame (CR2 saved at entry, the error code's write bit).
bool resolve_user_copy_fault(TrapFrame&);
