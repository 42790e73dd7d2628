// The interrupt descriptor table: every vector enters through a stub in interrupts.S that
// saves a TrapFrame and calls trap_dispatch() (traps.cpp).
#pragma once

// Fills the table and loads it on the boot CPU; idt_load() loads it on another CPU.
void idt_initialize();
void idt_load();

constexpr int DOUBLE_FAULT_VECTOR = 8;
constexpr int PAGE_FAULT_VECTOR = 14;
