// The local APIC: each CPU's own interrupt controller. Pagoda uses it to start the other
// CPUs (INIT and STARTUP inter-processor interrupts), to send IPIs between CPUs, and as each
// CPU's one-shot timer (kernel/sched/local_timer.h). Device
// interrupts still come through the 8259 PIC, wired to the boot CPU's LINT0 in "virtual
// wire" mode by the firmware (docs/boot.md says why the IO-APIC is not used yet).
// Registers from the Intel SDM vol. 3, chapter 11 (xAPIC mode, memory-mapped).
#pragma once

#include "kernel/lib/types.h"

// Vectors the local APIC delivers (the PIC has 32..47; interrupts.S has stubs up to 63).
constexpr int LOCAL_APIC_FIRST_VECTOR = 48;
constexpr int IPI_WAKE_VECTOR = 48; // "look at your work": ends a halt or user mode, does nothing else
constexpr int IPI_TLB_SHOOTDOWN_VECTOR = 49; // tlb_shootdown.h
constexpr int LOCAL_TIMER_VECTOR = 50; // the local APIC timer, one-shot (sched/local_timer.h)
constexpr int LOCAL_APIC_SPURIOUS_VECTOR = 63; // low four bits set, as older CPUs require
constexpr int LOCAL_APIC_LAST_VECTOR = 63;

// Maps the registers at `physical` (from the MADT). Boot CPU, once, before any other call.
void local_apic_map(u64 physical);
// Turns on this CPU's local APIC (software enable, spurious vector, no priority masking).
// Each CPU calls it for itself.
void local_apic_enable_this_cpu();
u8 local_apic_id();
// Acknowledges the interrupt being handled (not for the spurious vector).
void local_apic_end_of_interrupt();

// Sends the INIT, STARTUP, STARTUP sequence that starts CPU `apic_id` in real mode at
// physical address `start_page` (page aligned, below 1 MiB). Waits the delays the
// Intel MP specification asks for.
void local_apic_start_cpu(u8 apic_id, u64 start_page);
// Measures the local APIC timer's rate against the TSC clock (boot CPU, once; every CPU's
// timer runs at the same rate under QEMU, as on real machines with a shared bus clock).
void local_apic_calibrate_timer();
// Sets this CPU's timer to raise LOCAL_TIMER_VECTOR once, `nanoseconds` from now (at least
// one count, at most the 32-bit counter's range: about a minute), replacing what it was set
// for. The timer counts the bus clock, not the TSC: it may end a little before or after the
// TSC clock says, so whoever sets it compares the clock with the deadline when it fires.
// (Counting mode, not TSC-deadline mode: QEMU's TCG does not offer that one.)
void local_apic_timer_fire_in(u64 nanoseconds);
// A fixed-vector interrupt to CPU `apic_id`.
void local_apic_send_ipi(u8 apic_id, u8 vector);
