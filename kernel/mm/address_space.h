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
//   address_space    this class: mmap, munmap, mprotect, msync, brk, teardown; and in
//                    their own files: mremap (remap.cpp), mlock and friends
//                    (memory_lock.cpp), faulting ranges in (populate.cpp), madvise
//                    (advice.cpp), mincore (residency.cpp), MAP_GROWSDOWN growth
//                    (stack_growth.cpp)
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
#include "../lib/spin_lock.h"
#include "fault.h"
#include "mapping.h"
#include "mapping_tree.h"
#include "memory_context.h"
#include "page_cache.h"
#include "user_layout.h"

enum class MapPlacement {
    Anywhere, // addr is only a hint; search top-down below mmap_top() otherwise
    Fixed, // exactly at addr, replacing whatever is there (MAP_FIXED)
    FixedNoReplace, // exactly at addr; Errno::Exists if anything is there (MAP_FIXED_NOREPLACE)
};

// madvise's advice, as far as Pagoda acts on it (advice.cpp; sys_madvise maps Linux's
// numbers and refuses the rest).
enum class Advice {
    Normal, // MADV_NORMAL, RANDOM, SEQUENTIAL: read-ahead hints, nothing to tune here
    WillNeed, // MADV_WILLNEED: a hint (no read-ahead, no swap to read back)
    DontNeed, // MADV_DONTNEED: drop the pages (EINVAL on locked memory)
    DontNeedLocked, // MADV_DONTNEED_LOCKED: the same, locked memory included
    Free, // MADV_FREE: private anonymous only; freed at once (Linux may wait)
    Remove, // MADV_REMOVE: punch a hole in the memory of a shared memory-only file
    DontFork, // MADV_DONTFORK / MADV_DOFORK: VM_DONTCOPY on / off
    DoFork,
    WipeOnFork, // MADV_WIPEONFORK / MADV_KEEPONFORK: VM_WIPEONFORK on / off
    KeepOnFork,
    DontDump, // MADV_DONTDUMP / MADV_DODUMP: VM_DONTDUMP on / off
    DoDump,
    Cold, // MADV_COLD, MADV_PAGEOUT: LRU hints; EINVAL on locked memory, else nothing
    PopulateRead, // MADV_POPULATE_READ / _WRITE: fault the range in now
    PopulateWrite,
};

// mremap (remap.cpp). sys_mremap has checked the flags and page-aligned the lengths.
struct RemapRequest {
    VirtAddr old_start; // page aligned
    u64 old_length; // page aligned; 0 asks for a second mapping of shared memory
    u64 new_length; // page aligned, not 0
    bool may_move; // MREMAP_MAYMOVE
    bool fixed; // MREMAP_FIXED: at new_start exactly, replacing what is there
    bool keep_old; // MREMAP_DONTUNMAP: the old range stays mapped, emptied of its pages
    VirtAddr new_start; // where, with fixed; a hint with keep_old alone
};

// msync: MS_SYNC writes the dirty pages and waits; MS_ASYNC only records what the page
// tables dirtied in the page cache, where the flusher finds it (as Linux does since 2.6.19).
enum class SyncMode {
    Async,
    Sync
};

// msync's MS_INVALIDATE: with a unified page cache there is nothing to invalidate, but Linux
// refuses it (EBUSY) on a locked mapping, whose pages it may not drop.
enum class InvalidateCache {
    No,
    Yes
};

class AddressSpace : public RefCounted<AddressSpace> {
public:
    // An empty address space with a fresh page table. NoMemory if either cannot be allocated.
    static Result<RefPtr<AddressSpace>> create(MemoryContext& context);

    PageTable& page_table() { return *m_page_table; }
    MemoryContext& context() { return m_context; }
    // What page faults running beside each other in this space hold while they fill an
    // entry of its page table (parallel_fault.h). Nothing else needs it: all other changes
    // to the space happen with no such fault running anywhere (the kernel-mode lock).
    SpinLock& parallel_fault_lock() { return m_parallel_fault_lock; }
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
    // after syncing the mapped parts); the Pager's error (IoError) if a write failed; Busy
    // for InvalidateCache::Yes at the first locked mapping (the ones before it are synced).
    Result<void> sync_range(VirtAddr addr, u64 length, SyncMode mode, InvalidateCache invalidate = InvalidateCache::No);

    // madvise(MADV_DONTNEED): drops the pages of [addr, addr+length rounded up); the next
    // touch zero-fills private anonymous memory and re-reads the cache for file mappings
    // (private copies are discarded; shared data is kept by the cache). Invalid for an
    // unaligned addr or a range that wraps; NoMemory if part of the range is unmapped
    // (mapped parts are still dropped).
    Result<void> discard(VirtAddr addr, u64 length);

    // madvise (advice.cpp): applies `advice` to every mapping of [addr, addr+length
    // rounded up) in address order, as Linux walks its VMAs. Invalid for an unaligned addr,
    // a range that wraps, or advice a mapping refuses (DontNeed or Remove on locked memory,
    // Free on anything but private anonymous memory, WipeOnFork on a shared or file
    // mapping); NotSupported for Remove on a file with a backing store; Access for Remove
    // through a mapping that may not write; NoMemory when part of the range is unmapped
    // (after the mapped parts took the advice); populate's errors for Populate*.
    Result<void> advise(VirtAddr addr, u64 length, Advice advice);

    // mremap (remap.cpp): resizes [old_start, +old_length) and moves it when asked or when
    // it cannot grow where it is. A move carries the page-table entries over — the frames
    // and their references go with them, nothing is copied — and a shrink unmaps the tail.
    // Errors as Linux: Invalid (a silly new length or address, overlapping ranges with a
    // new address, a second mapping of private memory), BadAddress (old_start not mapped, or
    // the old range running past its mapping), NoMemory (no room to grow without may_move,
    // no room anywhere, out of memory — nothing changed then). Returns the new start.
    Result<VirtAddr> remap(RemapRequest const& request);

    // mlock, mlock2 and munlock (memory_lock.cpp): gives every mapping of [start, start +
    // length) (page aligned) the lock flags `lock` (VM_LOCKED, VM_LOCKED|VM_LOCKONFAULT or 0),
    // splitting at the ends, then faults in what VM_LOCKED alone asks for. Invalid if the
    // range wraps; NoMemory if part of it is unmapped (mappings before the hole changed),
    // or if a page cannot be faulted in (past the end of its file); TryAgain when frames
    // run out while faulting in (POSIX's errnos for mlock, as Linux gives them).
    Result<void> set_lock(VirtAddr start, u64 length, u32 lock);
    // mlockall: `current` locks every mapping now (and faults them in unless `lock` has
    // VM_LOCKONFAULT); `future` makes every later mapping locked — mmap, brk, mremap
    // growth (Linux's mm->def_flags). Without `future` later mappings are not locked.
    void lock_all(u32 lock, bool current, bool future);
    // munlockall: no mapping locked, now or later.
    void unlock_all();
    // The lock flags every new mapping gets (0 unless mlockall(MCL_FUTURE)).
    u32 default_lock() const { return m_default_lock; }
    // Bytes in locked mappings: /proc's VmLck, and what RLIMIT_MEMLOCK weighs; and those
    // of them inside [start, end).
    u64 locked_bytes() const;
    u64 locked_bytes_in(VirtAddr start, VirtAddr end) const;

    // Faults in every page of [start, end) (populate.cpp) as MAP_POPULATE and mlock do: a
    // write fault for private writable memory (copy-on-write broken now), a read fault
    // for the rest; PROT_NONE mappings and VM_LOCKONFAULT ones are skipped, and so are the
    // gaps. Read or Write faults every page so (MADV_POPULATE_READ/WRITE). Pages that
    // are there already cost one page-table lookup. BadAddress for a page that cannot be
    // had (past the end of a file), Invalid when an explicit Read or Write is more than a
    // mapping allows, NoMemory when frames run out; what came before stays faulted in.
    enum class PopulateAccess {
        AsMapped, // what a first touch of the mapping would do
        Read,
        Write,
    };
    Result<void> populate(VirtAddr start, VirtAddr end, PopulateAccess access = PopulateAccess::AsMapped);

    // mincore (residency.cpp): for `count` pages from `start` (page aligned) up to the end
    // of the mapping holding `start`, writes 1 into `vector[i]` for each page resident in
    // memory — present in the page table, or in the page cache of the file behind it — and
    // 0 otherwise. Returns how many entries it wrote; NoMemory if no mapping holds `start`.
    Result<u64> residency(VirtAddr start, u64 count, u8* vector) const;

    // brk: the program break starts at `base` (end of the loaded image); brk(0) reads it.
    void set_brk(VirtAddr base, VirtAddr current);
    // Linux brk(): 0 or an address below the base returns the current break; growing maps
    // anonymous read-write "[heap]" memory (merged into one mapping), shrinking unmaps.
    // Growth by more than all of memory is refused (exceeds_all_memory, Linux's overcommit
    // heuristic). On failure the old break is returned.
    VirtAddr brk(VirtAddr requested);
    VirtAddr brk_base() const { return m_brk_base; }
    VirtAddr current_brk() const { return m_brk; }
    // mmap(NULL, ...) searches top-down below this (USER_MMAP_TOP unless exec chose a
    // randomized one, kernel/proc/exec_layout.h); a fork child inherits it.
    void set_mmap_top(VirtAddr top) { m_mmap_top = top; }
    VirtAddr mmap_top() const { return m_mmap_top; }

    // MAP_GROWSDOWN (stack_growth.cpp): marks the private anonymous mapping(s) of [start,
    // start + length) as growing down. The fault handler then calls grow_down_to() for a
    // fault in the unmapped gap just below one: it extends the mapping down to the faulting
    // page if Linux would (the guard gap below, RLIMIT_STACK and RLIMIT_AS, as the process
    // layer last set them with set_stack_growth_limits) and returns it, or returns null.
    Result<void> set_grows_down(VirtAddr start, u64 length);
    Mapping const* grow_down_to(VirtAddr va);
    void set_stack_growth_limits(u64 stack_bytes, u64 all_bytes)
    {
        m_stack_limit = stack_bytes;
        m_mapped_limit = all_bytes;
    }

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
    // NoMemory if a split would pass MAX_MAP_COUNT, unless `limited` is false: munmap,
    // which can add at most one mapping, checks for itself (Linux's split_vma / __split_vma).
    Result<void> split_at(VirtAddr va, bool limited = true);
    // Splits at both ends, then gives each mapping of [start, end) the flags `change`
    // returns for it and merges what became alike again (mlock, madvise). Every mapping
    // must already allow its change (the callers check first).
    Result<void> change_flags(VirtAddr start, VirtAddr end, FunctionRef<u32(Mapping const&)> change);
    // Merges the mappings from the one ending at `start` to the one starting at `end` with
    // their neighbours where they became alike.
    void merge_range(VirtAddr start, VirtAddr end);
    // mremap's two ways: grow in place, and move [old_start, +old_length) of `mapping` to a
    // new mapping at new_start of new_length (remap.cpp).
    bool can_grow_in_place(Mapping const& mapping, u64 delta) const;
    Result<VirtAddr> move_range(
        Mapping& mapping, VirtAddr old_start, u64 old_length, VirtAddr new_start, u64 new_length, bool keep_old);
    // madvise's work on [from, to) of one mapping (advice.cpp).
    Result<void> advise_mapping(Mapping& mapping, VirtAddr from, VirtAddr to, Advice advice);
    // Makes the entries of [from, from + length) appear at [to, to + length) with the same
    // frames and rights; their frame references go with them (remap.cpp). NoMemory leaves
    // nothing changed.
    Result<void> move_entries(Mapping const& destination, VirtAddr from, u64 length, VirtAddr to);

    // All protected by the VM lock (see the top of this file).
    MemoryContext& m_context; // outlives every address space
    SpinLock m_parallel_fault_lock;
    OwnPtr<PageTable> m_page_table; // every present entry holds one reference to its frame
    MappingTree m_mappings;
    u64 m_layout_version { 0 }; // bumped by every change to m_mappings
    VirtAddr m_brk_base { 0 };
    VirtAddr m_brk { 0 };
    VirtAddr m_mmap_top { USER_MMAP_TOP };
    u32 m_default_lock { 0 }; // the lock flags of new mappings (mlockall MCL_FUTURE)
    u64 m_stack_limit { ~u64(0) }, m_mapped_limit { ~u64(0) }; // RLIMIT_STACK, RLIMIT_AS for grow_down_to
};
