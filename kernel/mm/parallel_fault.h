// Page faults on several CPUs at once. The kernel runs on one CPU at a time (the kernel-mode
// lock, docs/locking.md), so two threads that fault at once take turns even when their
// faults touch nothing in common — and the commonest faults are mostly work that needs no
// turn: filling a fresh frame with zeros (the first write to private anonymous memory),
// mapping a page the page cache already holds (a program's code and data, a mapped file
// read again), copying such a page (the first write to a private file mapping). Those
// faults, and the first read of anonymous memory (the shared zero frame), may run beside
// others of their kind while no other kernel code runs anywhere (the caller holds the
// kernel-mode lock shared, and the kernel lock is free: nobody sleeps in the middle of a
// change). What such faults share then has a lock of its own:
//
//   the mapping tree       only read (every change to it is other kernel code)
//   the page table         AddressSpace::parallel_fault_lock, around the fill of one entry
//   a page cache           only read, but for a hit's bookkeeping (a read-ahead page used,
//                          the read-ahead state): PageCache::parallel_fault_lock
//   the frame allocator    its free-list lock (frame_allocator.h); the counts of frames
//                          several may map (the zero frame, cache frames) by atomic increments
//   the VM counters        atomic increments (the serial path's plain ones never run at
//                          the same time)
//
// Anything else — a present entry (copy-on-write, the zero frame), a page-cache miss or a
// read-ahead marker (a read), a write to a shared file page (it becomes dirty), a leaf table
// shared since fork, an instruction fetch from anonymous memory, a tracer, low memory — is
// NotHere: the caller takes the kernel-mode lock and the serial path (fault.h) as ever,
// which decides it again from scratch.
#pragma once

#include "address_space.h"

enum class ParallelFault {
    Handled, // the page is mapped now (by this fault, or by one that got there first)
    NotHere, // nothing was changed: take the serial path
};

ParallelFault try_parallel_fault(AddressSpace&, VirtAddr fault_address, FaultAccess);
