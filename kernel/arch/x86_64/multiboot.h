// What the boot loader told us, copied out of the multiboot (v1) information structure
// before any of the memory holding it can be reused.
#pragma once

#include "kernel/lib/types.h"

struct BootInfo {
    struct MemoryRegion {
        u64 base;
        u64 length;
    };
    struct Module {
        u64 start; // physical
        u64 end;
        char name[64];
    };

    MemoryRegion ram[32]; // usable RAM only
    usize ram_count { 0 };
    Module modules[4];
    usize module_count { 0 };
    char command_line[1024] {};
};

// Parses the multiboot information at `info_physical`; panics if the magic is wrong.
void parse_multiboot(u32 magic, u64 info_physical, BootInfo& out);
// The kernel command line as the boot loader passed it (for /proc/cmdline), kept intact
// although parse_boot_options() cuts BootInfo's copy into pieces.
char const* boot_command_line();
