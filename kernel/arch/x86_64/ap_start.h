// Starting the application processors: every CPU the MADT lists besides the boot CPU.
// Each is woken with INIT and STARTUP IPIs into a real-mode trampoline copied below 1 MiB
// (ap_start.S), brought to long mode on the kernel's page table with a stack of its own,
// given its own GDT and TSS, the shared IDT and its local APIC, and then halts with
// interrupts on until the scheduler starts, when it enters the scheduler's code for it
// (docs/boot.md, "Several CPUs").
#pragma once

#include "kernel/lib/types.h"

struct MachineTopology;

// Starts the CPUs of `topology` one after the other, waiting for each to report in; when
// one does not within a second it is logged and no further CPU is started. Needs the timer (for the delays),
// the kernel heap (stacks) and the boot CPU's local APIC. Returns the number of CPUs online,
// the boot CPU included.
usize start_application_processors(MachineTopology const& topology);
// Every started CPU takes the kernel-mode lock and calls
// `entry` (which never returns): the scheduler's loop for that CPU.
void application_processors_start_scheduling(void (*entry)());
// IPI_WAKE_VECTOR arrived (trap_dispatch): counted, so that starting a CPU can check that
// it answers IPIs (each started CPU is sent one).
void ipi_wake_received();
// How many CPUs are online (1 until start_application_processors()).
usize cpus_online();
