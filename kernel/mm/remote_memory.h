// Reaching the memory of an address space that need not be the one the CPU runs in — a new
// program's stack built by execve, a child's tid written at clone, a dying thread's robust
// list — or, for any address space, the part of a copy the MMU path leaves (user_memory.h):
// the kernel walks the page table in software and reaches frames through PhysicalAccess. A
// page that is absent, or read-only for a write, goes through handle_page_fault() exactly as
// the user's own access would (so a write to a COW page copies it, and a read of untouched
// memory maps the zero frame).
//
// Each returns how many bytes it did, from the start of the range, and in `error` why it
// stopped short: BadAddress where the user would get SIGSEGV or SIGBUS (or the address is
// not a user address at all), NoMemory when out of frames. About 500 instructions a page
// more than a copy through the MMU (docs/benchmarks.md), so not the path for the current
// process's own system calls. Caller holds the VM lock.
#pragma once

#include "../lib/result.h"
#include "page_table.h"

class AddressSpace;

usize remote_write(AddressSpace&, VirtAddr destination, void const* source, usize n, Errno& error);
usize remote_read(AddressSpace&, void* destination, VirtAddr source, usize n, Errno& error);
usize remote_zero(AddressSpace&, VirtAddr destination, usize n, Errno& error);
// A NUL-terminated string of at most capacity bytes including the NUL: its length without
// the NUL; NameTooLong when no NUL lies within capacity bytes.
Result<usize> remote_read_string(AddressSpace&, char* destination, VirtAddr source, usize capacity);
