// Thin wrappers over x86_64 instructions the kernel needs. Everything here is one instruction.
#pragma once

#include "kernel/lib/types.h"

namespace cpu {

inline void out8(u16 port, u8 value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
inline void out16(u16 port, u16 value) { asm volatile("outw %0, %1" : : "a"(value), "Nd"(port)); }
inline void out32(u16 port, u32 value) { asm volatile("outl %0, %1" : : "a"(value), "Nd"(port)); }
inline u8 in8(u16 port)
{
    u8 value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline u32 in32(u16 port)
{
    u32 value;
    asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

inline u64 read_msr(u32 msr)
{
    u32 low, high;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return (u64(high) << 32) | low;
}
inline void write_msr(u32 msr, u64 value) { asm volatile("wrmsr" : : "c"(msr), "a"(u32(value)), "d"(u32(value >> 32))); }

inline u64 read_cr2()
{
    u64 value;
    asm volatile("mov %%cr2, %0" : "=r"(value));
    return value;
}
inline u64 read_cr3()
{
    u64 value;
    asm volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}
inline void write_cr3(u64 value) { asm volatile("mov %0, %%cr3" : : "r"(value) : "memory"); }
inline u64 read_cr0()
{
    u64 value;
    asm volatile("mov %%cr0, %0" : "=r"(value));
    return value;
}
inline void write_cr0(u64 value) { asm volatile("mov %0, %%cr0" : : "r"(value)); }
inline u64 read_cr4()
{
    u64 value;
    asm volatile("mov %%cr4, %0" : "=r"(value));
    return value;
}
inline void write_cr4(u64 value) { asm volatile("mov %0, %%cr4" : : "r"(value)); }

inline void invalidate_page(u64 virtual_address) { asm volatile("invlpg (%0)" : : "r"(virtual_address) : "memory"); }
inline u64 read_tsc()
{
    u32 low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (u64(high) << 32) | low;
}

inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
inline bool interrupts_enabled()
{
    u64 flags;
    asm volatile("pushfq; pop %0" : "=r"(flags));
    return flags & (1 << 9);
}
// Enables interrupts and halts until the next one, atomically (sti's one-instruction shadow).
inline void wait_for_interrupt() { asm volatile("sti; hlt" ::: "memory"); }
inline void pause() { asm volatile("pause"); }

inline void cpuid(u32 leaf, u32 subleaf, u32& a, u32& b, u32& c, u32& d)
{
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(subleaf));
}

constexpr u32 MSR_EFER = 0xC0000080;
constexpr u32 MSR_STAR = 0xC0000081;
constexpr u32 MSR_LSTAR = 0xC0000082;
constexpr u32 MSR_FMASK = 0xC0000084;
constexpr u32 MSR_FS_BASE = 0xC0000100;
constexpr u32 MSR_GS_BASE = 0xC0000101;
constexpr u32 MSR_KERNEL_GS_BASE = 0xC0000102;

// Saves the interrupt flag and disables interrupts for the guard's lifetime. The kernel runs
// on one CPU, so this is its only mutual exclusion between threads and interrupt handlers.
class InterruptsDisabled {
public:
    InterruptsDisabled() : m_were_enabled(interrupts_enabled()) { disable_interrupts(); }
    ~InterruptsDisabled()
    {
        if (m_were_enabled)
            enable_interrupts();
    }
    InterruptsDisabled(InterruptsDisabled const&) = delete;

private:
    bool m_were_enabled;
};

}
