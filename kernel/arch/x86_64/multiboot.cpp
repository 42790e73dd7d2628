#include "multiboot.h"
#include "kernel/lib/assert.h"
#include "kernel_memory.h"

namespace {

constexpr u32 BOOTLOADER_MAGIC = 0x2BADB002;
char g_command_line[sizeof(BootInfo::command_line)];

// Layouts from the Multiboot 0.6.96 specification.
struct [[gnu::packed]] MultibootInfo {
    u32 flags;
    u32 mem_lower, mem_upper;
    u32 boot_device;
    u32 cmdline;
    u32 mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
};
struct [[gnu::packed]] MultibootModule {
    u32 start, end, string, reserved;
};
struct [[gnu::packed]] MultibootMemoryEntry {
    u32 size;
    u64 base;
    u64 length;
    u32 type; // 1 = available RAM
};

void copy_string(char* out, usize capacity, u64 physical)
{
    auto const* text = static_cast<char const*>(physical_to_virtual(physical));
    usize i = 0;
    for (; i + 1 < capacity && text[i]; ++i)
        out[i] = text[i];
    out[i] = '\0';
}

}

void parse_multiboot(u32 magic, u64 info_physical, BootInfo& out)
{
    if (magic != BOOTLOADER_MAGIC)
        PANIC("not started by a multiboot loader (magic %x)", magic);
    auto const& info = *static_cast<MultibootInfo const*>(physical_to_virtual(info_physical));

    if (info.flags & (1 << 2)) {
        copy_string(out.command_line, sizeof out.command_line, info.cmdline);
        copy_string(g_command_line, sizeof g_command_line, info.cmdline);
    }

    if (info.flags & (1 << 3)) {
        auto const* modules = static_cast<MultibootModule const*>(physical_to_virtual(info.mods_addr));
        for (u32 i = 0; i < info.mods_count && out.module_count < 4; ++i) {
            auto& module = out.modules[out.module_count++];
            module.start = modules[i].start;
            module.end = modules[i].end;
            copy_string(module.name, sizeof module.name, modules[i].string);
        }
    }

    if (!(info.flags & (1 << 6)))
        PANIC("boot loader gave no memory map");
    u64 offset = 0;
    while (offset < info.mmap_length && out.ram_count < 32) {
        auto const& entry = *static_cast<MultibootMemoryEntry const*>(physical_to_virtual(info.mmap_addr + offset));
        if (entry.type == 1 && entry.length > 0)
            out.ram[out.ram_count++] = { entry.base, entry.length };
        offset += entry.size + sizeof(entry.size);
    }
}

char const* boot_command_line() { return g_command_line; }
