#include "per_cpu.h"
#include "acpi_madt.h"
#include "cpu.h"
#include "gdt.h"
#include "kernel/lib/assert.h"

namespace {
PerCpu g_per_cpu[MAX_CPUS];
}

void per_cpu_initialize(unsigned index)
{
    VERIFY(index < MAX_CPUS);
    PerCpu& cpu = g_per_cpu[index];
    cpu.self = &cpu;
    cpu.index = index;
    cpu::write_msr(cpu::MSR_GS_BASE, reinterpret_cast<u64>(&cpu));
    cpu::write_msr(cpu::MSR_KERNEL_GS_BASE, 0);
}

PerCpu& per_cpu(unsigned index)
{
    VERIFY(index < MAX_CPUS);
    return g_per_cpu[index];
}

void set_kernel_entry_stack(u64 stack_top)
{
    PerCpu& cpu = this_cpu();
    cpu.kernel_stack_top = stack_top;
    tss_set_kernel_stack(cpu.index, stack_top);
}
