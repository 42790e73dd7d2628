// The ELF loader: maps one ELF file's PT_LOAD segments into an address space at a bias.
// execve runs it twice for a dynamically linked program — once for the executable, once for
// its interpreter (PT_INTERP: ld-linux-x86-64.so.2, ld-musl-x86_64.so.1) — and once for a
// static one. The same code for both, as Linux's binfmt_elf has elf_map for both.
//
//   file (page cache)                      address space
//   [Ehdr][Phdrs]...[text]...[data]  ──▶   bias + p_vaddr: text  r-x  private file mapping
//                                          bias + p_vaddr: data  rw-  private file mapping
//                                                          bss   rw-  anonymous
//
// Text pages are the page cache's frames, so every process running the program (or using
// the interpreter) shares them until one writes; data pages become private copies on the
// first write.
#pragma once

#include "elf.h"
#include "kernel/lib/ref_counted.h"
#include "kernel/mm/address_space.h"

// One ELF file exec is about to map: its page cache and its checked headers.
struct ElfFile {
    RefPtr<PageCache> cache;
    ElfImage elf;
};

// Reads and checks the ELF header and program headers through the page cache. NoExec for
// a malformed file (elf.h), the cache's error if it cannot be read.
Result<ElfImage> read_elf(PageCache& cache);

// The bias that puts `elf`'s lowest page at or below `top` as high as its alignment allows:
// where the first mmap(NULL, span) of an empty mmap area would land it, top-down. Used for
// an interpreter and for a program that is its own loader (a static-pie). NoMemory if it
// does not fit above USER_BASE.
Result<u64> bias_below(ElfImage const& elf, VirtAddr top);

// Maps every PT_LOAD segment of `file` at `bias`, named `name` in /proc/<pid>/maps.
// NoMemory (a segment larger than all of memory, or no room), Exists if the range is taken.
Result<void> load_elf(AddressSpace& space, ElfFile const& file, u64 bias, char const* name);
