#include "cpu_features.h"
#include "cpu.h"
#include "trap_frame.h"

extern "C" void syscall_entry();

namespace {

void enable_sse()
{
    // CR0: clear EM (no x87 emulation), set MP; CR4: OSFXSR and OSXMMEXCPT, so user programs
    // may use SSE and the kernel can save their registers with fxsave.
    cpu::write_cr0((cpu::read_cr0() & ~(1ull << 2)) | (1ull << 1));
    cpu::write_cr4(cpu::read_cr4() | (1 << 9) | (1 << 10));
}

void enable_syscall_instruction()
{
    // STAR: kernel CS in bits 32..47; bits 48..63 = base from which sysret derives the user
    // selectors (base+8 = data, base+16 = 64-bit code), matching the GDT layout.
    cpu::write_msr(cpu::MSR_STAR, (u64(0x18 | 3) << 48) | (u64(KERNEL_CODE_SELECTOR) << 32));
    cpu::write_msr(cpu::MSR_LSTAR, reinterpret_cast<u64>(syscall_entry));
    // Cleared on entry: IF (the kernel runs with interrupts off), DF, TF, AC.
    cpu::write_msr(cpu::MSR_FMASK, (1 << 9) | (1 << 10) | (1 << 8) | (1 << 18));
}

}

void cpu_enable_features()
{
    enable_sse();
    enable_syscall_instruction();
}
