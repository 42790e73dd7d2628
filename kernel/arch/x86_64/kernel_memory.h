// The kernel's view of physical memory: every physical byte is reachable at
// DIRECT_MAP_BASE + physical address (the "direct map"), and the kernel image runs at
// KERNEL_VIRTUAL_BASE + physical address.
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

constexpr u64 DIRECT_MAP_BASE = 0xffff800000000000;
constexpr u64 KERNEL_VIRTUAL_BASE = 0xffffffff80000000;

inline void* physical_to_virtual(u64 physical) { return reinterpret_cast<void*>(physical + DIRECT_MAP_BASE); }
// The physical address behind a kernel address: the direct map, the kernel image, or a page
// mapped into one of the regions below (walked in the kernel page table). Only pages are
// contiguous in the mapped regions: a DMA buffer from the heap is split at page edges.
u64 virtual_to_physical(void const* address);

struct BootInfo;

// The least memory (QEMU -m, in MiB) with which Pagoda boots and runs a small static program
// (hello, busybox sh) from an ext2 root, found by trying: the kernel image and its boot
// tables take about 1.3 MiB, the rest goes to the heap, exec's 2 MiB buffer for a new
// program's arguments and the program itself. tools/pagoda-run refuses less, reading the
// number from this line.
constexpr u64 MINIMUM_MEMORY_MIB = 6;

// Builds the kernel page table (direct map of all RAM, kernel image) and the frame allocator,
// carving the frame table and the kernel heap out of free RAM. Panics, saying so, if the
// machine has less than MINIMUM_MEMORY_MIB.
void initialize_kernel_memory(BootInfo const&);
// Physical address of the kernel's PML4; its upper half is shared by every address space.
u64 kernel_pml4_physical();

class FrameAllocator;
FrameAllocator& kernel_frame_allocator();

// The end of the direct map: every physical address below it is reachable through
// physical_to_virtual() (all RAM, rounded up to 2 MiB, with the firmware's tables among it).
u64 direct_map_end();

// Maps `length` bytes of device registers at `physical` (memory-mapped I/O, such as the local
// APIC's) uncached into a kernel region of their own, and returns their address; nullptr when
// out of frames for page tables. Mappings are made at boot and never undone.
constexpr u64 KERNEL_DEVICE_AREA = 0xffffd00000000000;
constexpr u64 KERNEL_DEVICE_AREA_SIZE = 1 * GiB;
void volatile* map_device_memory(u64 physical, usize length);

// Loads the kernel's own page table (no user half): for threads without an address space.
void activate_kernel_page_table();

// The kernel heap's region (runtime/heap.cpp grows into it on demand).
constexpr u64 KERNEL_HEAP_AREA = 0xffffc80000000000;
constexpr u64 KERNEL_HEAP_MAX = 64 * GiB;
// Maps fresh frames at [start, end) (page aligned) of a kernel region, writable, not
// executable; contents undefined. NoMemory (nothing left mapped) when frames run out.
Result<void> map_kernel_pages(u64 start, u64 end);
// Unmaps [start, end) (page aligned) of a kernel region and frees its frames; pages not
// mapped are skipped. Never allocates (the page tables stay).
void unmap_kernel_pages(u64 start, u64 end);

// Physically contiguous memory for device rings (virtio queues), taken once at boot from a
// small reserved area and never freed. Page aligned, zeroed; nullptr when the area is used up.
void* allocate_dma_memory(usize bytes);

// Kernel stacks live in a region of their own, one per slot, each with an unmapped guard
// page just below it: an overflow faults at once instead of overwriting whatever lies
// below. Returns the lowest byte of `size` mapped bytes (size <= KERNEL_STACK_SLOT - one
// page); NoMemory when out of frames or slots.
constexpr u64 KERNEL_STACK_AREA = 0xffffc00000000000;
constexpr u64 KERNEL_STACK_SLOT = 64 * KiB;
constexpr u64 KERNEL_STACK_SLOTS = 8192;
Result<u8*> allocate_kernel_stack(usize size);
void free_kernel_stack(u8* stack);
// Bytes of the kernel stacks allocated and not freed (/proc/meminfo KernelStack).
u64 kernel_stack_bytes();
// True if `address` lies in the unmapped part of a kernel stack's slot (the panic report
// calls that a stack overflow).
bool is_kernel_stack_guard(u64 address);
