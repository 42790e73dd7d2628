// ELF64 executable parsing for execve(): checks a file the way Linux's binfmt_elf does and
// describes what the loader must map. Pure parsing over bytes already in kernel memory: no
// I/O, no allocation, so it builds freestanding and runs in host tests.
//
//   file:  [Ehdr][...][Phdr table][...][segment bytes ...]
//   image: PT_LOAD #0 [vaddr, vaddr+filesz) from file, [.., vaddr+memsz) zero (bss)
//          PT_LOAD #1 ...                       (sorted by vaddr, never overlapping)
//
// Every rejection is Errno::NoExec, as execve(2) reports a malformed ELF file.
#pragma once

#include "../lib/result.h"
#include "../lib/types.h"

// Constants from the ELF specification and the x86_64 psABI.
constexpr u64 ELF_HEADER_SIZE = 64; // sizeof(Elf64_Ehdr)
constexpr u64 ELF_PROGRAM_HEADER_SIZE = 56; // sizeof(Elf64_Phdr)
constexpr u16 ELF_TYPE_EXEC = 2; // ET_EXEC
constexpr u16 ELF_TYPE_DYN = 3; // ET_DYN
constexpr u16 ELF_MACHINE_X86_64 = 62; // EM_X86_64
constexpr u32 ELF_PT_LOAD = 1;
constexpr u32 ELF_PT_INTERP = 3;
constexpr u32 ELF_PT_PHDR = 6;
constexpr u32 ELF_PT_GNU_STACK = 0x6474e551;

// mmap()-style protection bits, as the loader hands them to the address space.
constexpr u32 ELF_PROT_READ = 1;
constexpr u32 ELF_PROT_WRITE = 2;
constexpr u32 ELF_PROT_EXEC = 4;

// First address above user space (Linux TASK_SIZE on x86_64 with 4-level paging).
constexpr u64 ELF_USER_SPACE_END = 0x00007fff'ffff'f000;

// Linux refuses program-header tables above 64 KiB (binfmt_elf's load_elf_phdrs); Pagoda
// also keeps at most ELF_MAX_LOAD_SEGMENTS loadable segments.
constexpr u64 ELF_MAX_PROGRAM_HEADER_BYTES = 65536;
constexpr u64 ELF_MAX_LOAD_SEGMENTS = 16;

// One PT_LOAD segment. Addresses are as linked: add ElfImage::bias-to-be for a static-pie.
// Two segments never overlap byte-wise, but they may share a page at their boundary (the
// linker packs e.g. .rodata's tail and .data's head); the loader must merge such pages.
struct ElfSegment {
    u64 vaddr; // p_vaddr
    u64 memsz; // p_memsz; [vaddr+filesz, vaddr+memsz) is zero-filled
    u64 file_offset; // p_offset, congruent to vaddr modulo PAGE_SIZE
    u64 filesz; // p_filesz <= memsz
    u32 prot; // ELF_PROT_* from p_flags
    u64 alignment; // p_align if a power of two above PAGE_SIZE, else PAGE_SIZE
};

// The header fields later steps need; validate_elf_header() fills it from the first 64 bytes.
struct ElfHeader {
    u16 type; // ELF_TYPE_EXEC or ELF_TYPE_DYN
    u64 entry; // e_entry, as linked
    u64 phoff; // e_phoff: file offset of the program-header table
    u16 phentsize; // always ELF_PROGRAM_HEADER_SIZE once validated
    u16 phnum; // 1..(64 KiB / 56)

    u64 program_headers_size() const { return u64(phentsize) * phnum; }
};

struct ElfImage {
    u64 entry; // e_entry as linked, inside an executable segment
    u16 type; // ELF_TYPE_EXEC or ELF_TYPE_DYN
    bool position_independent; // ET_DYN: the loader chooses a bias and adds it everywhere
    bool has_interpreter; // PT_INTERP present: a dynamic binary, run by its interpreter
    u64 interpreter_offset; // PT_INTERP path bytes in the file (0/0 without one)
    u64 interpreter_size;
    bool executable_stack; // PT_GNU_STACK has PF_X. Absent means not executable: since
                           // Linux 5.8, x86_64 no longer implies READ_IMPLIES_EXEC
    u64 phdr_vaddr; // AT_PHDR as linked: from PT_PHDR, else from the PT_LOAD
                    // holding e_phoff; 0 when the table is not loaded at all
    u16 phent_size; // AT_PHENT
    u16 phnum; // AT_PHNUM
    u64 lowest_vaddr; // page_round_down(first segment's vaddr)
    u64 highest_vaddr; // page_round_up(end of the last segment): the image span
    u64 max_alignment; // largest segment alignment, for choosing a static-pie bias
    u64 segment_count; // 1..ELF_MAX_LOAD_SEGMENTS
    ElfSegment segments[ELF_MAX_LOAD_SEGMENTS]; // sorted by vaddr
};

// Checks identity and layout of an ELF64 header (magic, class, data, version, machine,
// type, phentsize, phnum). `data` holds at least the file's first `size` bytes.
// Returns the fields later checks need, or NoExec.
Result<ElfHeader> validate_elf_header(u8 const* data, u64 size);

// Validates the program-header table of `header` (bytes `phdrs`, `phdrs_size` of them, read
// from header.phoff) against a file of `file_size` bytes and builds the load description.
// Lets exec read only the headers instead of the whole file. Returns NoExec on any defect.
Result<ElfImage> parse_elf_program_headers(ElfHeader const& header, u8 const* phdrs, u64 phdrs_size, u64 file_size);

// Convenience for a whole file in memory: validate_elf_header + parse_elf_program_headers.
Result<ElfImage> parse_elf(u8 const* data, u64 size);
