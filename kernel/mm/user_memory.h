// The kernel reading and writing a process's user memory. Instead of touching user
// addresses and fixing up hardware faults, the kernel walks the page table in software and
// reaches frames through PhysicalAccess; a page that is absent, or read-only for a write,
// goes through handle_page_fault() exactly as the user's own access would (so a write to a
// COW page copies it, and a read of untouched memory maps the zero frame).
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
// Copies a NUL-terminated string of at most capacity bytes including the NUL; returns its
// length without the NUL. NameTooLong when no NUL lies within capacity bytes.
Result<usize> copy_string_from_user(AddressSpace&, char* destination, VirtAddr source, usize capacity);
