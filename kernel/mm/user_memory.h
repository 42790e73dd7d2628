// The kernel reading and writing a process's user memory, as Linux's copy_to_user and
// copy_from_user do. When the address space is the one loaded on this CPU — every system
// call's own process — the copy runs through the MMU: plain loads and stores at the user
// addresses, whose faults the trap path resolves exactly as the user's own access would be
// (a write to a COW page copies it, a read of untouched memory maps the zero frame, a file
// page is read from disk) and resumes, or turns into an early end with EFAULT
// (mmu_user_copy.h, arch/x86_64/user_copy.S). Any other address space, and any part of a
// range that does not lie in mappings allowing the access (a PROT_NONE page, a gap), goes
// through the software walk (remote_memory.h), which decides it page by page. A user
// address at or above USER_TOP is never dereferenced. docs/mm.md, "Copying to and from user
// memory".
//
// Errors: BadAddress (EFAULT) where the user would get SIGSEGV or SIGBUS, NoMemory when out
// of frames. The whole-range copies may leave a prefix copied on failure, as on Linux; the
// *_partial ones report that prefix, for read() and write(), which return what they moved.
#pragma once

#include "../lib/result.h"
#include "page_table.h"

class AddressSpace;

Result<void> copy_to_user(AddressSpace&, VirtAddr destination, void const* source, usize n);
Result<void> copy_from_user(AddressSpace&, void* destination, VirtAddr source, usize n);
Result<void> zero_user(AddressSpace&, VirtAddr destination, usize n);
// As much of the range as can be copied from its start: the count if it is at least one
// byte (or n is 0), else the error that stopped the first byte.
Result<usize> copy_to_user_partial(AddressSpace&, VirtAddr destination, void const* source, usize n);
Result<usize> copy_from_user_partial(AddressSpace&, void* destination, VirtAddr source, usize n);
// Atomically, as one locked instruction that the user's own threads on other CPUs see whole:
// if the 32-bit word at `address` (4-aligned, so within one page) holds `expected`, replaces
// it with `desired`. Returns the value the word held — `expected` exactly when it was
// replaced. The page is made writable first, as a user write would make it (a COW copy,
// a file page read in), so the same errors as copy_to_user. What futexes need for the words
// user space changes with its own atomic instructions (PI locks, futex.cpp).
Result<u32> compare_exchange_user(AddressSpace&, VirtAddr address, u32 expected, u32 desired);
// Copies a NUL-terminated string of at most capacity bytes including the NUL; returns its
// length without the NUL. NameTooLong when no NUL lies within capacity bytes.
Result<usize> copy_string_from_user(AddressSpace&, char* destination, VirtAddr source, usize capacity);
