// The kernel heap: a first-fit allocator with coalescing over one contiguous region of RAM,
// for kernel objects (processes, threads, kernel stacks, mappings). Page frames for user
// memory and page tables come from the FrameAllocator instead.
#pragma once

#include "kernel/lib/types.h"

void heap_initialize(u8* base, usize size);
// Returns 16-byte aligned memory, or nullptr when the heap is exhausted.
void* heap_allocate(usize size);
void heap_free(void*);
usize heap_bytes_free();
