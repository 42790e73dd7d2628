// The registers saved on the kernel stack on every entry from an interrupt, exception or
// system call (see interrupts.S), in the order they sit in memory.
#pragma once

#include "kernel/lib/types.h"

struct TrapFrame {
    u64 padding; // keeps the frame a multiple of 16 bytes (the stack stays aligned)
    u64 cr2; // the fault address, read at entry (only meaningful for a page fault)
    u64 r15, r14, r13, r12, r11, r10, r9, r8;
    u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector; // SYSCALL_VECTOR for system calls
    u64 error_code; // pushed by the CPU for some exceptions, 0 otherwise; the number for syscalls
    // Pushed by the CPU (or by syscall_entry imitating it).
    u64 rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) == 3; }
};
static_assert(sizeof(TrapFrame) == 24 * 8);

constexpr u64 SYSCALL_VECTOR = 0x100;

// Segment selectors (gdt.cpp lays out the table in this order; syscall/sysret need it).
constexpr u16 KERNEL_CODE_SELECTOR = 0x08;
constexpr u16 KERNEL_DATA_SELECTOR = 0x10;
constexpr u16 USER_DATA_SELECTOR = 0x20 | 3;
constexpr u16 USER_CODE_SELECTOR = 0x28 | 3;
constexpr u16 TSS_SELECTOR = 0x30;

constexpr u64 RFLAGS_INTERRUPT_ENABLE = 1 << 9;
