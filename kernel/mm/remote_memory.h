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
// A forced write, as a debugger's or /proc/<pid>/mem's (Linux's FOLL_FORCE): where the
// mapping permits writing, a plain remote_write; in a private mapping that does not (a
// PROT_READ text or file mapping), the bytes go into the space's own copy of the page, made
// as a write fault would make it but mapped read-only as the mapping is. Never into the
// page cache's frame, the zero frame or a frame still shared since fork: each page is
// written only once it is a frame of this space's alone (Dirty COW wrote the cache frame
// when its retry forgot that the copy it had made was gone). A shared mapping without
// PROT_WRITE, PROT_NONE and gaps are BadAddress.
usize remote_write_forced(AddressSpace&, VirtAddr destination, void const* source, usize n, Errno& error);
// compare_exchange_user's walk (user_memory.h): the word's frame, made present and writable
// as a write fault would, then one atomic compare-exchange on its bytes with nothing that can
// sleep in between.
Result<u32> remote_compare_exchange(AddressSpace&, VirtAddr address, u32 expected, u32 desired);
// A NUL-terminated string of at most capacity bytes including the NUL: its length without
// the NUL; NameTooLong when no NUL lies within capacity bytes.
Result<usize> remote_read_string(AddressSpace&, char* destination, VirtAddr source, usize capacity);
