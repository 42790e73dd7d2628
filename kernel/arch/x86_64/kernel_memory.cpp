#include "kernel_memory.h"
#include "cpu.h"
#include "kernel/lib/assert.h"
#include "kernel/lib/log.h"
#include "kernel/mm/frame_allocator.h"
#include "multiboot.h"
#include "per_cpu.h"
#include "tlb_shootdown.h"

extern "C" char __kernel_end[];

namespace {

constexpr u64 PTE_PRESENT = 1 << 0;
constexpr u64 PTE_WRITABLE = 1 << 1;
constexpr u64 PTE_WRITE_THROUGH = 1 << 3;
constexpr u64 PTE_CACHE_DISABLE = 1 << 4;
constexpr u64 PTE_LARGE = 1 << 7;
constexpr u64 PTE_GLOBAL = 1 << 8;
constexpr u64 PTE_NO_EXECUTE = 1ull << 63;
constexpr u64 PTE_ADDRESS_MASK = 0x000FFFFFFFFFF000ull;
constexpr u64 TWO_MIB = 2 * MiB;

u64 g_kernel_pml4;
u64 g_direct_map_end;
u64 g_next_device_page = KERNEL_DEVICE_AREA;

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
constexpr usize DMA_AREA_SIZE = 256 * KiB;
u8* g_dma_next;
u8* g_dma_end;
u64 g_stack_slots_used[KERNEL_STACK_SLOTS / 64]; // bit set: the slot holds a stack

// The kernel page-table entry for `va`, creating missing tables if asked (nullptr if absent
// or out of frames). Every upper-half PDPT exists from boot, so a table added here is seen
// by every address space.
u64* kernel_leaf_entry(u64 va, bool allocate)
{
    u64 table_physical = g_kernel_pml4;
    for (int level = 3; level > 0; --level) {
        u64& entry = table(table_physical)[(va >> (12 + 9 * level)) & 0x1FF];
        if (!(entry & PTE_PRESENT)) {
            if (!allocate)
                return nullptr;
            auto frame = g_frame_allocator->allocate();
            if (frame.is_error())
                return nullptr;
            u64 physical = frame_to_physical(frame.value());
            for (int i = 0; i < 512; ++i)
                table(physical)[i] = 0;
            entry = physical | PTE_PRESENT | PTE_WRITABLE;
        }
        table_physical = entry & PTE_ADDRESS_MASK;
    }
    return &table(table_physical)[(va >> 12) & 0x1FF];
}

bool stack_slot_used(u64 slot) { return g_stack_slots_used[slot / 64] & (1ull << (slot % 64)); }

// Freed stacks kept mapped for the next thread (Linux keeps a few vmap stacks cached too):
// creating and ending threads (fork, vfork) then maps and unmaps nothing. Every stack has
// the same size, so any cached one fits.
constexpr usize STACK_CACHE_CAPACITY = 32;
u64 g_cached_stacks[STACK_CACHE_CAPACITY]; // slot numbers
usize g_cached_stack_count;
usize g_cached_stack_size;
alignas(FrameAllocator) u8 g_frame_allocator_storage[sizeof(FrameAllocator)];

}

u64 kernel_pml4_physical() { return g_kernel_pml4; }

void activate_kernel_page_table()
{
    this_cpu().loaded_pml4 = g_kernel_pml4;
    cpu::write_cr3(g_kernel_pml4);
}

u64 virtual_to_physical(void const* address)
{
    u64 va = reinterpret_cast<u64>(address);
    if (va >= KERNEL_VIRTUAL_BASE)
        return va - KERNEL_VIRTUAL_BASE;
    if (va >= KERNEL_STACK_AREA) {
        u64* entry = kernel_leaf_entry(va, false);
        VERIFY(entry && (*entry & PTE_PRESENT));
        return (*entry & PTE_ADDRESS_MASK) | (va & (PAGE_SIZE - 1));
    }
    return va - DIRECT_MAP_BASE;
}

void unmap_kernel_pages(u64 start, u64 end)
{
    // Every CPU may have these pages in its TLB (a kernel stack of a thread that ran
    // there, the heap): the frames go back only once all have forgotten them.
    TlbFlush batch;
    for (u64 va = start; va < end; va += PAGE_SIZE) {
        u64* entry = kernel_leaf_entry(va, false);
        if (!entry || !(*entry & PTE_PRESENT))
            continue;
        *entry &= ~PTE_PRESENT;
        cpu::invalidate_page(va);
        batch.add_page(va);
    }
    if (batch.is_empty())
        return;
    tlb_shootdown_kernel(batch);
    for (u64 va = start; va < end; va += PAGE_SIZE) {
        u64* entry = kernel_leaf_entry(va, false);
        if (!entry || !*entry)
            continue;
        g_frame_allocator->unref(physical_to_frame(*entry & PTE_ADDRESS_MASK));
        *entry = 0;
    }
}

Result<void> map_kernel_pages(u64 start, u64 end)
{
    VERIFY(is_page_aligned(start) && is_page_aligned(end) && start >= KERNEL_STACK_AREA && end < KERNEL_VIRTUAL_BASE);
    for (u64 va = start; va < end; va += PAGE_SIZE) {
        u64* entry = kernel_leaf_entry(va, true);
        auto frame = entry ? g_frame_allocator->allocate() : Result<FrameNumber>(Errno::NoMemory);
        if (frame.is_error()) {
            unmap_kernel_pages(start, va);
            return Errno::NoMemory;
        }
        *entry = frame_to_physical(frame.value()) | PTE_PRESENT | PTE_WRITABLE | PTE_NO_EXECUTE;
    }
    return {};
}

u64 direct_map_end() { return g_direct_map_end; }

void volatile* map_device_memory(u64 physical, usize length)
{
    u64 first = page_round_down(physical);
    u64 pages = (page_round_up(physical + length) - first) / PAGE_SIZE;
    if (g_next_device_page + pages * PAGE_SIZE > KERNEL_DEVICE_AREA + KERNEL_DEVICE_AREA_SIZE)
        return nullptr;
    u64 start = g_next_device_page;
    for (u64 i = 0; i < pages; ++i) {
        u64* entry = kernel_leaf_entry(start + i * PAGE_SIZE, true);
        if (!entry)
            return nullptr;
        *entry = (first + i * PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE | PTE_WRITE_THROUGH | PTE_CACHE_DISABLE | PTE_NO_EXECUTE;
    }
    g_next_device_page += pages * PAGE_SIZE;
    return reinterpret_cast<u8 volatile*>(start + (physical - first));
}

void* allocate_dma_memory(usize bytes)
{
    bytes = page_round_up(bytes);
    if (static_cast<usize>(g_dma_end - g_dma_next) < bytes)
        return nullptr;
    void* result = g_dma_next;
    g_dma_next += bytes;
    return result;
}

// The bytes of kernel stacks handed out and not yet freed (/proc/meminfo's KernelStack; the
// freed stacks kept mapped for reuse are not in it, as Linux counts only live tasks' stacks).
static u64 g_kernel_stack_bytes;

u64 kernel_stack_bytes() { return g_kernel_stack_bytes; }

Result<u8*> allocate_kernel_stack(usize size)
{
    VERIFY(size > 0 && size <= KERNEL_STACK_SLOT - PAGE_SIZE && is_page_aligned(size));
    if (g_cached_stack_count > 0 && g_cached_stack_size == size) {
        u64 slot = g_cached_stacks[--g_cached_stack_count];
        g_kernel_stack_bytes += size;
        return reinterpret_cast<u8*>(KERNEL_STACK_AREA + (slot + 1) * KERNEL_STACK_SLOT - size);
    }
    u64 slot = KERNEL_STACK_SLOTS;
    for (u64 word = 0; word < KERNEL_STACK_SLOTS / 64 && slot == KERNEL_STACK_SLOTS; ++word)
        if (~g_stack_slots_used[word])
            slot = word * 64 + __builtin_ctzll(~g_stack_slots_used[word]);
    if (slot == KERNEL_STACK_SLOTS)
        return Errno::NoMemory;
    // The stack sits at the top of its slot; the pages below it, the guard among them,
    // stay unmapped.
    u64 top = KERNEL_STACK_AREA + (slot + 1) * KERNEL_STACK_SLOT;
    TRY(map_kernel_pages(top - size, top));
    g_stack_slots_used[slot / 64] |= 1ull << (slot % 64);
    g_kernel_stack_bytes += size;
    return reinterpret_cast<u8*>(top - size);
}

void free_kernel_stack(u8* stack)
{
    u64 slot = (reinterpret_cast<u64>(stack) - KERNEL_STACK_AREA) / KERNEL_STACK_SLOT;
    VERIFY(slot < KERNEL_STACK_SLOTS && stack_slot_used(slot));
    u64 top = KERNEL_STACK_AREA + (slot + 1) * KERNEL_STACK_SLOT;
    usize size = top - reinterpret_cast<u64>(stack);
    g_kernel_stack_bytes -= size;
    if (g_cached_stack_count < STACK_CACHE_CAPACITY && (g_cached_stack_count == 0 || g_cached_stack_size == size)) {
        g_cached_stack_size = size;
        g_cached_stacks[g_cached_stack_count++] = slot; // still mapped, still marked used
        return;
    }
    unmap_kernel_pages(reinterpret_cast<u64>(stack), top);
    g_stack_slots_used[slot / 64] &= ~(1ull << (slot % 64));
}

bool is_kernel_stack_guard(u64 address)
{
    if (address < KERNEL_STACK_AREA || address >= KERNEL_STACK_AREA + KERNEL_STACK_SLOTS * KERNEL_STACK_SLOT)
        return false;
    u64* entry = kernel_leaf_entry(address, false);
    return stack_slot_used((address - KERNEL_STACK_AREA) / KERNEL_STACK_SLOT) && !(entry && (*entry & PTE_PRESENT));
}

FrameAllocator& kernel_frame_allocator() { return *g_frame_allocator; }

void initialize_kernel_memory(BootInfo const& boot)
{
    u64 ram_end = 0;
    for (usize i = 0; i < boot.ram_count; ++i)
        ram_end = max(ram_end, boot.ram[i].base + boot.ram[i].length);
    ram_end = page_round_down(ram_end);
    // Firmware keeps a little of the top for itself, so -m N shows as a bit less than N MiB.
    u64 ram_mib = (ram_end + MiB - 1) / MiB;
    if (ram_mib < MINIMUM_MEMORY_MIB)
        PANIC("memory: the machine has %lu KiB of RAM; Pagoda needs at least %lu MiB (QEMU -m %lu)", ram_end / KiB,
            MINIMUM_MEMORY_MIB, MINIMUM_MEMORY_MIB);

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
    g_direct_map_end = (ram_end + TWO_MIB - 1) & ~(TWO_MIB - 1);
    map_large_pages(bump, g_kernel_pml4, DIRECT_MAP_BASE, g_direct_map_end);
    map_large_pages(bump, g_kernel_pml4, KERNEL_VIRTUAL_BASE, page_round_up(bump.next + 64 * MiB) & ~(TWO_MIB - 1));
    // Pre-create every upper-half PDPT slot so address spaces can copy the kernel half once.
    u64* pml4 = table(g_kernel_pml4);
    for (int i = 256; i < 512; ++i)
        if (!(pml4[i] & PTE_PRESENT))
            pml4[i] = bump.allocate(PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE;
    cpu::write_cr3(g_kernel_pml4);

    // Device rings need physically contiguous memory: a small area set aside now.
    g_dma_next = static_cast<u8*>(physical_to_virtual(bump.allocate(DMA_AREA_SIZE)));
    g_dma_end = g_dma_next + DMA_AREA_SIZE;

    g_frame_allocator
        = new (g_frame_allocator_storage) FrameAllocator(static_cast<Frame*>(physical_to_virtual(frame_table)), 0, frame_count);
    for (usize i = 0; i < boot.ram_count; ++i) {
        u64 start = max(page_round_up(boot.ram[i].base), bump.next);
        u64 end = page_round_down(boot.ram[i].base + boot.ram[i].length);
        if (end > start)
            g_frame_allocator->add_free_range(start / PAGE_SIZE, (end - start) / PAGE_SIZE);
    }
    g_frame_allocator->set_reserve(FrameAllocator::default_reserve(g_frame_allocator->total_frames()));
    klog("memory: %lu MiB RAM, %lu frames free (%lu reserved for the kernel), boot used %lu KiB", ram_end / MiB,
        g_frame_allocator->free_frames(), g_frame_allocator->reserve(), (bump.next - page_round_up(first_free)) / KiB);
}
