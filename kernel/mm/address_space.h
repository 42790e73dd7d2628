// AddressSpace: one process's user memory = a PageTable + a MappingTree + the program break.
// Reference-counted so a vfork() child can borrow its parent's (Process →RefPtr→ AddressSpace).
//
//   VA ──MappingTree::find──▶ Mapping (prot, shared/private, backing)
//      ──PageTable::query───▶ PTE ──▶ Frame (refcount in FrameAllocator)
//
// For anonymous memory the page table is the record of which frames the space holds: every
// present PTE owns one reference to its frame. File mappings (and MAP_SHARED|MAP_ANONYMOUS)
// map frames of a PageCache. Nothing is allocated at map time: frames arrive through the
// page-fault handler. The VM core, one concept per file (docs/mm.md):
//
//   address_space    this class: mmap, munmap, mprotect, msync, madvise, brk, teardown
//   mapping          one range and its backing (vm_area_struct); mapping_tree: their set
//   fault            the page-fault handler: the decision (pure) and one handler per case,
//                    in anonymous_fault.cpp and file_fault.cpp
//   fork             a child address space, by copy-on-write
//   user_memory      the kernel reading and writing user memory
//   reverse_map      from a page-cache page to the PTEs that map it (write-back, truncation,
//                    reclaim)
//   page_cache, page_index, pager    a file's pages in memory, and how they reach the file
//
// Locking (docs/locking.md): every operation on an address space, its mappings and page
// table, and on any page cache, runs with the VM lock held — today the kernel lock, kept
// across disk waits. Each public entry point checks it through MemoryContext::vm_lock_held,
// which the kernel binds to the real lock and host tests to a fake. Code that may sleep
// (a page-cache miss reading the disk) must assume the world changed while it slept: the
// fault path re-checks its decision afterwards (PageFault::still_valid).
#pragma once

#include "../lib/own_ptr.h"
#include "../lib/ref_counted.h"
#include "../lib/result.h"
#include "fault.h"
#include "mapping.h"
#include "mapping_tree.h"
#include "memory_context.h"
#include "page_cache.h"
#include "user_layout.h"

enum class MapPlacement {
    Anywhere, // addr is only a hint; search top-down below USER_MMAP_TOP otherwise
    Fixed, // exactly at addr, replacing whatever is there (MAP_FIXED)
    FixedNoReplace, // exactly at addr; Errno::Exists if anything is there (MAP_FIXED_NOREPLACE)
};

// msync: MS_SYNC writes the dirty pages and waits; MS_ASYNC only records what the page
// tables dirtied in the page cache, where the flusher finds it (as Linux does since 2.6.19).
enum class SyncMode {
    Async,
    Sync
};

class AddressSpace : public RefCounted<AddressSpace> {
public:
    // An empty address space with a fresh page table. NoMemory if either cannot be allocated.
    static Result<RefPtr<AddressSpace>> create(MemoryContext& context);

    PageTable& page_table() { return *m_page_table; }
    MemoryContext& context() { return m_context; }
    MappingTree const& mappings() const { return m_mappings; }
    Mapping const* find_mapping(VirtAddr va) const { return m_mappings.find(va); }
    // Changes whenever mappings are added, removed, split or re-protected: a fault that
    // slept compares it to see whether what it found before sleeping still stands (like
    // Linux's mmap sequence count).
    u64 layout_version() const { return m_layout_version; }

    // mmap(MAP_ANONYMOUS). `prot` is VM_* (= PROT_*) bits; `name` (may be null) is shown in
    // /proc/<pid>/maps. Lazy: no frame is allocated. Returns the start address. Errors as
    // Linux: Invalid (length 0, unaligned fixed addr, unknown prot bits), NoMemory (no room
    // or out of range), Exists (FixedNoReplace over a mapping), NotPermitted (below USER_BASE).
    // MAP_SHARED|MAP_ANONYMOUS memory is backed by a fresh anonymous PageCache of `length`
    // bytes owned by the mapping (and shared with fork children).
    Result<VirtAddr> map_anonymous(VirtAddr addr, u64 length, u32 prot, bool shared, MapPlacement placement, char const* name);

    // mmap of a file: maps [offset, offset+length) of `cache`'s file, MAP_SHARED or
    // MAP_PRIVATE, with the placement and errors of map_anonymous, plus Invalid for a null
    // cache or an unaligned offset and Overflow when offset + length passes the largest file.
    // Lazy; pages past the end of the file at fault time give SIGBUS. The caller checks
    // file access modes and passes what they allow as `max_prot` (Mapping::max_prot);
    // Access if prot asks for more.
    Result<VirtAddr> map_file(VirtAddr addr, u64 length, u32 prot, bool shared, MapPlacement placement, RefPtr<PageCache> cache,
        u64 offset, char const* name, u32 max_prot = VM_PROT_MASK);

    // munmap: removes [addr, addr+length rounded up), splitting mappings at the ends and
    // dropping every frame reference of the unmapped pages. Dirty pages of shared file
    // mappings are written back first (errors leave them dirty in the cache, never lost).
    // Holes are fine. Invalid for an unaligned addr, zero length or a range outside user
    // space; NoMemory if a split cannot allocate (nothing is unmapped then).
    Result<void> unmap(VirtAddr addr, u64 length);

    // mprotect: sets prot on [addr, addr+length rounded up). Invalid for an unaligned addr or
    // unknown bits; NoMemory when part of the range is unmapped; Access when prot exceeds
    // the max_prot of a mapping in the range (in both cases nothing changes).
    // Existing PTEs are downgraded at once; an upgrade never makes a COW-shared or zero-frame
    // page writable: it stays read-only and the next write takes the COW/zero fault.
    Result<void> protect(VirtAddr addr, u64 length, u32 prot);

    // msync: for every MAP_SHARED file mapping in [addr, addr+length rounded up), moves PTE
    // dirty bits into the cache and (Sync) writes back the dirty pages the range covers.
    // Invalid for an unaligned addr; NoMemory if part of the range is unmapped (as Linux,
    // after syncing the mapped parts); the Pager's error (IoError) if a write failed.
    Result<void> sync_range(VirtAddr addr, u64 length, SyncMode mode);

    // madvise(MADV_DONTNEED): drops the pages of [addr, addr+length rounded up); the next
    // touch zero-fills private anonymous memory and re-reads the cache for file mappings
    // (private copies are discarded; shared data is kept by the cache). Invalid for an
    // unaligned addr or a range that wraps; NoMemory if part of the range is unmapped
    // (mapped parts are still dropped).
    Result<void> discard(VirtAddr addr, u64 length);

    // brk: the program break starts at `base` (end of the loaded image); brk(0) reads it.
    void set_brk(VirtAddr base, VirtAddr current);
    // Linux brk(): 0 or an address below the base returns the current break; growing maps
    // anonymous read-write "[heap]" memory (merged into one mapping), shrinking unmaps.
    // Growth by more than all of memory is refused (exceeds_all_memory, Linux's overcommit
    // heuristic). On failure the old break is returned.
    VirtAddr brk(VirtAddr requested);
    VirtAddr brk_base() const { return m_brk_base; }
    VirtAddr current_brk() const { return m_brk; }

    // Pages with a present PTE, not counting the shared zero frame (Linux's RSS rule).
    u64 resident_pages() const;
    // The sizes RLIMIT_AS and RLIMIT_DATA limit (Linux's total_vm and data_vm): every
    // mapping, and the private writable ones that are not the stack. A walk over the
    // mappings: callers ask only when a limit is set.
    u64 mapped_bytes() const;
    u64 data_bytes() const;

    // --- For the rest of the VM core (fork, the fault handler, the reverse map) ---
    // Takes a new mapping (its range free) into this space. Exists if it overlaps.
    Result<Mapping*> insert_mapping(OwnPtr<Mapping>);
    // PTE permissions for a page of `mapping` that the process may write if the mapping may.
    static PageAccess access_for(Mapping const& mapping);
    // Drops the PTEs and frame references of the pages in [start, end) (no write-back).
    Result<void> release_pages(VirtAddr start, VirtAddr end);
    // Asserts that the caller holds the VM lock (see the top of this file).
    void verify_locked() const;

private:
    friend class RefCounted<AddressSpace>;

    AddressSpace(MemoryContext& context, PageTable* page_table);
    ~AddressSpace(); // writes back shared dirty pages, drops every frame reference, deletes the page table

    // Picks the start of a new mapping per map_anonymous's rules, unmapping for Fixed.
    Result<VirtAddr> place_mapping(VirtAddr addr, u64 length, MapPlacement placement);
    // Writes back the dirty cache pages that [start, end) of a MAP_SHARED file mapping
    // covers (msync, munmap, teardown); a no-op for other mappings.
    Result<void> write_back_range(Mapping const& mapping, VirtAddr start, VirtAddr end, WriteBackReason reason);
    // Removes a mapping: write-back if shared, PTEs and frame references, then the mapping.
    void remove_mapping(Mapping& mapping);
    // Splits mappings so that none straddles `va`. NoMemory leaves the set unchanged.
    Result<void> split_at(VirtAddr va);

    // All protected by the VM lock (see the top of this file).
    MemoryContext& m_context; // outlives every address space
    OwnPtr<PageTable> m_page_table; // every present entry holds one reference to its frame
    MappingTree m_mappings;
    u64 m_layout_version { 0 }; // bumped by every change to m_mappings
    VirtAddr m_brk_base { 0 };
    VirtAddr m_brk { 0 };
};
