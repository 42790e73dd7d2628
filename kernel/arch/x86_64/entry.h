// The entry code's calls into the layers above it — the only calls in the kernel that go
// upward. Each is declared here, where the entry code can see it, and defined by the
// layer named beside it (Linux's arch code calls into kernel/entry the same way).
#pragma once

#include "traps.h"

// An exception raised by user code (proc/user_trap.cpp): resolve a page fault, or deliver
// the signal. Returns to the user (perhaps into a signal handler) unless the process dies.
void handle_user_trap(TrapFrame&, UserTrap const&);
// Called first for a user page fault, before the kernel-mode lock is taken
// (proc/user_trap.cpp): true if the fault was one that runs beside other CPUs' and was
// served so (mm/parallel_fault.h); false, having changed nothing, otherwise.
bool resolve_page_fault_in_parallel(UserTrap const&);
// Every return to user mode after an interrupt or exception (proc/user_trap.cpp): act on
// the signals that arrived meanwhile.
void prepare_return_to_user(TrapFrame&);
// The syscall instruction (syscall/table.cpp), called from interrupts.S.
extern "C" void syscall_dispatch(TrapFrame*);
// An exception in kernel mode (kernel/panic.cpp): report the registers and stop.
[[noreturn]] void panic_with_trap_frame(TrapFrame const&, char const* reason);
