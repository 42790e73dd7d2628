// The interrupt descriptor table: every vector enters through a stub in interrupts.S that
// saves a TrapFrame and calls trap_dispatch() (traps.cpp).
#pragma once

void idt_initialize();

constexpr int DOUBLE_FAULT_VECTOR = 8;
constexpr int PAGE_FAULT_VECTOR = 14;
