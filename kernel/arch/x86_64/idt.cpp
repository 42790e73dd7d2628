#include "idt.h"
#include "kernel/lib/types.h"
#include "trap_frame.h"

namespace {

struct [[gnu::packed]] Gate {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attributes;
    u16 offset_middle;
    u32 offset_high;
    u32 reserved;
};

struct [[gnu::packed]] IdtPointer {
    u16 limit;
    u64 base;
};

alignas(16) Gate g_idt[256];

}

// One stub per vector, emitted by interrupts.S in order: exceptions, the PIC's IRQs and the
// local APIC's vectors (local_apic.h).
constexpr int TRAP_STUB_COUNT = 64;
extern "C" u64 const trap_stub_table[TRAP_STUB_COUNT];

void idt_initialize()
{
    for (int vector = 0; vector < TRAP_STUB_COUNT; ++vector) {
        u64 handler = trap_stub_table[vector];
        Gate& gate = g_idt[vector];
        gate.offset_low = handler & 0xFFFF;
        gate.offset_middle = (handler >> 16) & 0xFFFF;
        gate.offset_high = handler >> 32;
        gate.selector = KERNEL_CODE_SELECTOR;
        gate.type_attributes = 0x8E; // present, ring 0, 64-bit interrupt gate (clears IF)
        // The breakpoint instruction may be used from user mode (int3 -> SIGTRAP).
        if (vector == 3)
            gate.type_attributes = 0xEE;
        gate.ist = vector == DOUBLE_FAULT_VECTOR ? 1 : 0;
    }
    idt_load();
}

void idt_load()
{
    IdtPointer pointer { sizeof(g_idt) - 1, reinterpret_cast<u64>(g_idt) };
    asm volatile("lidt %0" : : "m"(pointer));
}
