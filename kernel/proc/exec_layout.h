// Where execve puts a new program's pieces: the stack's top, the top of the mmap area (below
// which the interpreter, the vDSO and mmap(NULL, ...) go, top-down), the base of an ET_DYN
// executable that has an interpreter, and how far above the image the heap starts. Chosen
// once per execve, at random unless address-space randomization is off (boot option
// aslr=off), with Linux x86_64's numbers:
//
//   USER_TOP ─────────────── stack's top, minus up to 16 GiB (22 bits of pages, Linux's
//                            STACK_RND_MASK) and up to 8 KiB within the page (arch_align_stack)
//            stack gap       USER_STACK_GAP, plus the 16 GiB the stack may have moved down
//   mmap top ─────────────── minus up to 1 TiB more (28 bits of pages: mmap_rnd_bits)
//            ...
//   0x555555554000 ───────── ELF_ET_DYN_BASE (2/3 of the 47-bit space), plus up to 1 TiB
//            program image, then the heap up to 32 MiB above its end (arch_randomize_brk)
//
// With aslr=off the layout is Linux's with randomize_va_space=0: stack top 0x7ffffffff000,
// mmap area just below the gap (so the first library lands at 0x7ffff7fxx000), a PIE at
// 0x555555554000, the heap right after the image.
#pragma once

#include "kernel/mm/page_table.h"

struct ExecLayout {
    VirtAddr stack_end; // page aligned: the [stack] mapping ends here
    VirtAddr stack_top; // 16-byte aligned, at or below stack_end: argv, envp, auxv start here
    VirtAddr mmap_top; // page aligned: mmap(NULL, ...) searches top-down below it
    VirtAddr dynamic_base; // page aligned: bias of an ET_DYN program that has an interpreter
    u64 brk_offset; // page multiple: the heap starts this far past the end of the image
    bool randomized; // chosen at random (else Linux's fixed places)
};

// Linux's ELF_ET_DYN_BASE on x86_64, page aligned as the loader uses it.
constexpr VirtAddr ELF_DYNAMIC_BASE = 0x0000555555554000;

// aslr=off at boot turns randomization off for every later execve (/proc/sys/kernel/
// randomize_va_space then reads 0, otherwise 2, Linux's default).
void set_address_randomization(bool enabled);
bool address_randomization();

// A fresh layout for one execve: at random if `randomize` (address_randomization(), and the
// process's personality lacks ADDR_NO_RANDOMIZE, as Linux's PF_RANDOMIZE).
ExecLayout choose_exec_layout(bool randomize);
