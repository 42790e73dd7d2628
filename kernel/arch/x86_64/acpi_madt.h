// The CPUs and interrupt controllers the firmware describes in ACPI's MADT ("APIC" table),
// found through the RSDP (in the BIOS area below 1 MiB) and the RSDT or XSDT it points to.
// Layouts from the ACPI specification 6.5, sections 5.2.5 to 5.2.12.
#pragma once

#include "kernel/lib/types.h"

constexpr usize MAX_CPUS = 8;

struct MachineTopology {
    u64 local_apic_physical { 0xFEE00000 }; // every CPU sees its own local APIC here
    u64 io_apic_physical { 0 }; // the first IO-APIC (0: none described)
    u8 cpu_apic_ids[MAX_CPUS] {}; // local APIC ids of the usable CPUs, in MADT order
    usize cpu_count { 0 };
    usize cpus_ignored { 0 }; // usable CPUs beyond MAX_CPUS
};

// Reads the MADT. Returns false (leaving `out` at one CPU's worth of defaults) when the
// firmware has no ACPI tables or they fail their checksums: the machine is then run as one CPU.
bool acpi_read_madt(MachineTopology& out);
