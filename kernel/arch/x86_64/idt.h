// The interrupt descriptor table: every vector enters through a stub in interrupts.S that
// saves a TrapFrame and calls trap_dispatch() (kernel/proc/trap_dispatch.cpp).
#pragma once

void idt_initialize();

constexpr int IRQ_BASE_VECTOR = 32; // legacy PIC IRQs 0..15 arrive as vectors 32..47
constexpr int DOUBLE_FAULT_VECTOR = 8;
constexpr int PAGE_FAULT_VECTOR = 14;
