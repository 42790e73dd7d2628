// The architecture's way of copying to and from user memory *through the MMU*: plain loads
// and stores at user addresses, translated by the hardware page tables of the address space
// that is loaded, as the user's own accesses are (arch/x86_64/user_copy.S). A fault inside
// one of these copies is resolved by resolve_mmu_copy_fault() exactly as the user's fault
// would be — demand zero, copy-on-write, a file page read from disk — and the copy goes on
// where it stopped; a fault that cannot be resolved ends the copy early, with a reason.
//
// mm uses it only for the address space loaded on this CPU (PageTable::is_loaded) and only
// over mappings that allow the access (user_memory.cpp says why); everything else goes
// through the software walk of remote_memory.h. The kernel binds it at boot
// (MemoryContext::mmu_user_copy); host tests leave it null, so every copy there walks.
#pragma once

#include "../lib/types.h"
#include "fault.h"

class AddressSpace;

// Why a copy through the MMU ended before its last byte (the value sits in a register:
// the trap path hands it to the copy's fixup, user_copy.S).
enum class MmuCopyStop : u64 {
    None, // every byte was done (or, from resolve_mmu_copy_fault: run the access again)
    BadAddress, // the fault is the program's error: the user would get SIGSEGV or SIGBUS
    NoMemory, // resolving the fault needed a frame there was none of
    Recheck, // the fault slept and the address space changed meanwhile: decide the rest afresh
    StringEnd, // copy_string copied the NUL: the string is complete
};

// Returned in two registers: how many of the n bytes were not done, and why.
struct MmuCopyResult {
    usize not_done;
    MmuCopyStop stop;
};

// The routines; `space` is the loaded address space the user addresses belong to (its
// faults are resolved in it). `to` or `from` is the user address, the other a kernel one.
struct MmuUserCopy {
    MmuCopyResult (*copy)(void* to, void const* from, usize n, AddressSpace* space);
    MmuCopyResult (*zero)(void* to, usize n, AddressSpace* space);
    // Copies bytes up to and including the first NUL (then StringEnd), at most n of them.
    MmuCopyResult (*copy_string)(char* to, char const* from, usize n, AddressSpace* space);
};

// The trap path's half (kernel mode, at one of the routines' user accesses, `address` below
// USER_TOP): resolves the fault like the user's own access would be. None means run the
// access again. Caller holds the VM lock (the copy's caller does).
MmuCopyStop resolve_mmu_copy_fault(AddressSpace&, VirtAddr address, FaultAccess access);
