#include "kernel_memory.h"
#include "cpu.h"
#include "kernel/log.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/runtime/heap.h"
#include "multiboot.h"

extern "C" char __kernel_end[];

namespace {

constexpr u64 PTE_PRESENT = 1 << 0;
constexpr u64 PTE_WRITABLE = 1 << 1;
constexpr u64 PTE_LARGE = 1 << 7;
constexpr u64 PTE_GLOBAL = 1 << 8;
constexpr u64 TWO_MIB = 2 * MiB;

u64 g_kernel_pml4;

// Hands out physical memory in a straight line during boot, before the frame allocator exists.
struct BumpAllocator {
    u64 next;
    u64 allocate(u64 bytes)
    {
        u64 result = next;
        next = page_round_up(next + bytes);
        u8* p = static_cast<u8*>(physical_to_virtual(result));
        for (u64 i = 0; i < bytes; ++i)
            p[i] = 0;
        return result;
    }
};

u64* table(u64 physical) { return static_cast<u64*>(physical_to_virtual(physical)); }

// Maps [virtual_base, virtual_base + length) to [0, length) with 2 MiB pages into `pml4`.
void map_large_pages(BumpAllocator& bump, u64 pml4, u64 virtual_base, u64 length)
{
    for (u64 offset = 0; offset < length; offset += TWO_MIB) {
        u64 va = virtual_base + offset;
        u64* level4 = table(pml4);
        u64& e4 = level4[(va >> 39) & 0x1FF];
        if (!(e4 & PTE_PRESENT))
            e4 = bump.allocate(PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE;
        u64& e3 = table(e4 & ~0xFFFull)[(va >> 30) & 0x1FF];
        if (!(e3 & PTE_PRESENT))
            e3 = bump.allocate(PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE;
        table(e3 & ~0xFFFull)[(va >> 21) & 0x1FF] = offset | PTE_PRESENT | PTE_WRITABLE | PTE_LARGE | PTE_GLOBAL;
    }
}

FrameAllocator* g_frame_allocator;
alignas(FrameAllocator) u8 g_frame_allocator_storage[sizeof(FrameAllocator)];

}

u64 kernel_pml4_physical() { return g_kernel_pml4; }

FrameAllocator& kernel_frame_allocator() { return *g_frame_allocator; }

void initialize_kernel_memory(BootInfo const& boot)
{
    u64 ram_end = 0;
    for (usize i = 0; i < boot.ram_count; ++i)
        ram_end = max(ram_end, boot.ram[i].base + boot.ram[i].length);
    ram_end = page_round_down(ram_end);

    // Everything the boot left in memory (kernel image, modules) lies below `first_free`.
    u64 first_free = virtual_to_physical(__kernel_end);
    for (usize i = 0; i < boot.module_count; ++i)
        first_free = max(first_free, boot.modules[i].end);
    BumpAllocator bump { page_round_up(first_free) };

    // The boot tables map only 1 GiB of direct map; the frame table and new tables must fit there.
    u64 frame_count = ram_end / PAGE_SIZE;
    u64 frame_table = bump.allocate(frame_count * sizeof(Frame));

    cpu::write_cr4(cpu::read_cr4() | (1 << 7)); // global pages survive CR3 reloads
    g_kernel_pml4 = bump.allocate(PAGE_SIZE);
    map_large_pages(bump, g_kernel_pml4, DIRECT_MAP_BASE, (ram_end + TWO_MIB - 1) & ~(TWO_MIB - 1));
    map_large_pages(bump, g_kernel_pml4, KERNEL_VIRTUAL_BASE, page_round_up(bump.next + 64 * MiB) & ~(TWO_MIB - 1));
    // Pre-create every upper-half PDPT slot so address spaces can copy the kernel half once.
    u64* pml4 = table(g_kernel_pml4);
    for (int i = 256; i < 512; ++i)
        if (!(pml4[i] & PTE_PRESENT))
            pml4[i] = bump.allocate(PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE;
    cpu::write_cr3(g_kernel_pml4);

    // The kernel heap: a contiguous run of RAM for kernel objects (stacks, processes, ...).
    u64 heap_size = min<u64>(max<u64>(ram_end / 16, 8 * MiB), 128 * MiB);
    u64 heap_physical = bump.allocate(0);
    bump.next += heap_size;
    heap_initialize(static_cast<u8*>(physical_to_virtual(heap_physical)), heap_size);

    g_frame_allocator = new (g_frame_allocator_storage)
        FrameAllocator(static_cast<Frame*>(physical_to_virtual(frame_table)), 0, frame_count);
    for (usize i = 0; i < boot.ram_count; ++i) {
        u64 start = max(page_round_up(boot.ram[i].base), bump.next);
        u64 end = page_round_down(boot.ram[i].base + boot.ram[i].length);
        if (end > start)
            g_frame_allocator->add_free_range(start / PAGE_SIZE, (end - start) / PAGE_SIZE);
    }
    klog("memory: %lu MiB RAM, %lu frames free, kernel heap %lu MiB, boot used %lu KiB",
        ram_end / MiB, g_frame_allocator->free_frames(), heap_size / MiB, (bump.next - heap_size) / KiB);
}
