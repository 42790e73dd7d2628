// The kernel heap, for kernel objects (processes, threads, mappings, inodes, path buffers):
// a first-fit allocator with coalescing over a region of the kernel half that grows on
// demand — when no free block fits, fresh frames are mapped at the heap's end — and gives
// frames back when more than 1 MiB at its end is free. So kernel memory grows with need, up
// to what the frame allocator has (the heap may use the frames reserved for the kernel:
// mm/frame_allocator.h), instead of a size fixed at boot. Page frames for user memory and
// page tables come from the FrameAllocator directly.
#pragma once

#include "kernel/lib/types.h"

// Maps the heap's first pages; call once the frame allocator exists.
void heap_initialize();
// Returns 16-byte aligned memory, or nullptr when no frames are left to grow into.
void* heap_allocate(usize size);
// Never allocates, so freeing works however little memory is left; may unmap the heap's
// free tail.
void heap_free(void*);
// Bytes mapped for the heap, and of those the bytes in use (block headers included).
usize heap_bytes_mapped();
usize heap_bytes_used();
// Blocks in use (/proc/vmstat kernel_heap_objects: the fuzzer's leak check counts objects too).
usize heap_blocks_used();
