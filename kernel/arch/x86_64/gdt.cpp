#include "gdt.h"
#include "acpi_madt.h"
#include "kernel/lib/assert.h"
#include "trap_frame.h"

namespace {

struct [[gnu::packed]] TaskStateSegment {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 io_map_base;
};

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

// One TSS per CPU (each has its own kernel stack for interrupts from user mode, and a TSS
// descriptor marked busy by ltr cannot be loaded on a second CPU), hence one GDT per CPU.
TaskStateSegment g_tss[MAX_CPUS];
alignas(16) u8 g_double_fault_stack[MAX_CPUS][8192];

// Access bytes and flags from the Intel SDM vol. 3, 3.4.5. L=1 for 64-bit code.
constexpr u64 KERNEL_CODE = 0x00209A0000000000;
constexpr u64 KERNEL_DATA = 0x0000920000000000;
constexpr u64 USER_CODE32 = 0x00CFFA000000FFFF; // unused; keeps sysret's layout
constexpr u64 USER_DATA = 0x0000F20000000000;
constexpr u64 USER_CODE = 0x0020FA0000000000;
// A read-only user data segment whose limit is the CPU's number (and NUMA node, 0, above
// bit 12), as Linux's GDT_ENTRY_CPUNODE: the vDSO's getcpu reads it with `lsl`, in user
// mode and without a system call. Never loaded into a segment register.
constexpr u64 CPU_NUMBER_DESCRIPTOR = 0x0000F10000000000;

alignas(16) u64 g_gdt[MAX_CPUS][9];

}

// Assembly: reloads segment registers after lgdt (interrupts.S).
extern "C" void load_gdt_and_segments(DescriptorPointer const*);

void gdt_initialize(unsigned cpu_index)
{
    VERIFY(cpu_index < MAX_CPUS);
    u64* gdt = g_gdt[cpu_index];
    TaskStateSegment& tss = g_tss[cpu_index];
    gdt[0] = 0;
    gdt[1] = KERNEL_CODE;
    gdt[2] = KERNEL_DATA;
    gdt[3] = USER_CODE32;
    gdt[4] = USER_DATA;
    gdt[5] = USER_CODE;

    u64 base = reinterpret_cast<u64>(&tss);
    u64 limit = sizeof(tss) - 1;
    gdt[6] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) | (((limit >> 16) & 0xF) << 48)
        | (((base >> 24) & 0xFF) << 56);
    gdt[7] = base >> 32;
    gdt[8] = CPU_NUMBER_DESCRIPTOR | cpu_index; // limit bits 0..15

    tss.io_map_base = sizeof(tss);
    tss.ist[0] = reinterpret_cast<u64>(g_double_fault_stack[cpu_index] + sizeof g_double_fault_stack[cpu_index]);

    DescriptorPointer pointer { sizeof(g_gdt[0]) - 1, reinterpret_cast<u64>(gdt) };
    load_gdt_and_segments(&pointer);
    asm volatile("ltr %w0" : : "r"(TSS_SELECTOR));
}

void tss_set_kernel_stack(unsigned cpu_index, u64 stack_top) { g_tss[cpu_index].rsp[0] = stack_top; }
