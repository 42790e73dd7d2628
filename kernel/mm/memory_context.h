// MemoryContext: the machine-wide services an AddressSpace works with. The kernel builds one
// at boot over the real frame table, direct map and x86 page tables; a host test builds one
// over fakes. Every AddressSpace keeps a reference to it, so it must outlive them all.
#pragma once

#include "../lib/result.h"
#include "frame_allocator.h"
#include "page_table.h"
#include "physical_access.h"
#include "vm_stats.h"

// How fork() treats private writable pages (a boot option, for comparing the two).
enum class ForkMode {
    CopyOnWrite, // share and write-protect; copy on the first write (the default)
    EagerCopy, // copy every private writable page at fork time ("traditional fork")
};

class PageCacheList;
struct MmuUserCopy;

struct MemoryContext {
    FrameAllocator& frames;
    PhysicalAccess& physical;
    PageTableFactory& page_tables;
    VmStats& stats;
    FrameNumber zero_frame;
    ForkMode fork_mode;
    // Every page cache with a backing store: where the flusher and reclaim look for pages
    // (page_cache.h). Owned by whoever builds the context.
    PageCacheList* backed_caches { nullptr };
    // Monotonic nanoseconds, for the age of dirty page-cache pages (write-back). mm has no
    // clock of its own; the kernel sets it at boot. Null reads as 0 (every page equally old).
    u64 (*clock_ns)() { nullptr };
    // True if the caller holds the lock that protects the VM (address_space.h). Null: not
    // checked. The kernel binds the kernel lock; host tests a flag they can clear.
    bool (*vm_lock_held)() { nullptr };
    // True if the thread mm works for has a fatal signal pending: a long walk (populating a
    // range) stops early then, as Linux's killable ones do. Null: never.
    bool (*caller_dying)() { nullptr };
    // Called between the pages of a long walk: may let other threads run (and change the
    // address space) before it returns (sched's offer_cpu). Null: never.
    void (*offer_cpu)() { nullptr };
    // The architecture's copy to and from user memory through the MMU (mmu_user_copy.h).
    // Null: every user copy walks the page table in software (host tests).
    MmuUserCopy const* mmu_user_copy { nullptr };
};

// User frames with contents (FrameUse::User: they stop at the reserve): a fresh frame of
// zeros, and a copy of a frame (NoMemory).
Result<FrameNumber> allocate_zeroed_frame(MemoryContext&);
Result<FrameNumber> allocate_copy_of(MemoryContext&, FrameNumber original);

// Linux's overcommit heuristic (vm.overcommit_memory = 0, its default). Memory is handed out
// lazily, so together the mappings may promise more than is free; but one request for more
// than the machine has at all — its RAM, as Pagoda has no swap — is refused at once (ENOMEM)
// rather than killing the program later, when it touches the memory. The requests Linux
// weighs are the ones it charges to its commit count: private writable and shared anonymous
// mmaps (without MAP_NORESERVE), brk growth, and a program's writable segments and bss.
bool exceeds_all_memory(MemoryContext const&, u64 bytes);

// The kernel's one MemoryContext, built at boot (kernel_main). Code above mm reaches the
// machine's VM services through it; mm itself only ever uses the context it was given, so
// the host tests can build their own.
MemoryContext& kernel_memory_context();

// Allocates a frame, fills it with zeros and marks it as the shared zero frame, which read
// faults of untouched anonymous memory map read-only. Called once at boot (and per test).
Result<FrameNumber> create_zero_frame(FrameAllocator& frames, PhysicalAccess& physical);
