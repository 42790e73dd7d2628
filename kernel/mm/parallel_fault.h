// Page faults on several CPUs at once. The kernel runs on one CPU at a time (the kernel-mode
// lock, docs/locking.md), so two threads that fault at once take turns even when their
// faults touch nothing in common — and the commonest fault of all, the first write to a
// page of private anonymous memory, is mostly the one thing that needs no turn: filling a
// fresh frame with zeros. So that fault alone may run beside others of its kind, while no
// other kernel code runs anywhere (the caller holds the kernel-mode lock shared, and the
// kernel lock is free: nobody sleeps in the middle of a change). What such faults share
// then has a lock of its own:
//
//   the mapping tree       only read (every change to it is other kernel code)
//   the page table         AddressSpace::parallel_fault_lock, around the fill of one entry
//   the frame allocator    its free-list lock (frame_allocator.h)
//   the VM counters        atomic increments here (the serial path's plain ones never
//                          run at the same time)
//
// Anything else — a read, a copy-on-write, a file page, a leaf table shared since fork, a
// tracer, low memory — is NotHere: the caller takes the kernel-mode lock and the serial
// path (fault.h) as ever, which decides it again from scratch.
#pragma once

#include "address_space.h"

enum class ParallelFault {
    Handled, // the page is mapped now (by this fault, or by one that got there first)
    NotHere, // nothing was changed: take the serial path
};

ParallelFault try_parallel_anonymous_fault(AddressSpace&, VirtAddr fault_address, FaultAccess);
