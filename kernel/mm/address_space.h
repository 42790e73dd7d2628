// AddressSpace: one process's user memory = a PageTable + a MappingSet. Reference-counted so a
// vfork() child can borrow its parent's (Process →RefPtr→ AddressSpace).
//
//   VA ──MappingSet::find──▶ Mapping (prot, shared/private, backing)
//      ──PageTable::query──▶ PTE ──▶ Frame (refcount in FrameAllocator)
//
// For anonymous memory the page table is the record of which frames the space holds: every
// present PTE owns one reference to its frame. File mappings (and MAP_SHARED|MAP_ANONYMOUS)
// map frames of a PageCache (page_cache.h, file_mapping.cpp); the cache finds their PTEs
// through its mapping list and Mapping::address_space() for write-back and truncation. Nothing is allocated at map time; frames
// arrive through handle_fault() (fault.cpp), are shared copy-on-write by fork() (fork.cpp),
// and kernel accesses to user memory go through the user-copy functions (user_copy.cpp).
//
// Locking: none, on purpose. Pagoda runs on a single CPU and the kernel executes system calls
// and page faults with interrupts off, so nothing can run between the steps of an operation
// here; in particular a fault keeps its Mapping alive simply by not yielding.
#pragma once

#include "../lib/own_ptr.h"
#include "../lib/ref_counted.h"
#include "../lib/result.h"
#include "fault.h"
#include "mapping.h"
#include "memory_context.h"
#include "page_cache.h"
#include "user_layout.h"

enum class MapPlacement {
    Anywhere,       // addr is only a hint; search top-down below USER_MMAP_TOP otherwise
    Fixed,          // exactly at addr, replacing whatever is there (MAP_FIXED)
    FixedNoReplace, // exactly at addr; Errno::Exists if anything is there (MAP_FIXED_NOREPLACE)
};

// msync flags: MS_ASYNC starts write-back, MS_SYNC waits for it (the Pager is synchronous,
// so both write the pages before returning).
enum class SyncMode { Async, Sync };

class AddressSpace : public RefCounted<AddressSpace> {
public:
    // An empty address space with a fresh page table. NoMemory if either cannot be allocated.
    static Result<RefPtr<AddressSpace>> create(MemoryContext& context);

    PageTable& page_table() { return *m_page_table; }
    MemoryContext& context() { return m_context; }

    // mmap(MAP_ANONYMOUS). `prot` is VM_* (= PROT_*) bits; `name` (may be null) is shown in
    // /proc/<pid>/maps. Lazy: no frame is allocated. Returns the start address. Errors as
    // Linux: Invalid (length 0, unaligned fixed addr, unknown prot bits), NoMemory (no room
    // or out of range), Exists (FixedNoReplace over a mapping), NotPermitted (below USER_BASE).
    // MAP_SHARED|MAP_ANONYMOUS memory is backed by a fresh anonymous PageCache of `length`
    // bytes owned by the mapping (and shared with fork children).
    Result<VirtAddr> map_anonymous(VirtAddr addr, u64 length, u32 prot, bool shared, MapPlacement placement, char const* name);

    // mmap of a file: maps [offset, offset+length) of `cache`'s file, MAP_SHARED or
    // MAP_PRIVATE, with the placement and errors of map_anonymous, plus Invalid for a null
    // cache, an unaligned offset, or offset + length overflowing. Lazy; pages past the end of
    // the file at fault time give SIGBUS. The caller checks file access modes (EACCES).
    Result<VirtAddr> map_file(VirtAddr addr, u64 length, u32 prot, bool shared, MapPlacement placement,
        RefPtr<PageCache> cache, u64 offset, char const* name);

    // munmap: removes [addr, addr+length rounded up), splitting mappings at the ends and
    // dropping every frame reference of the unmapped pages. Dirty pages of shared file
    // mappings are written back first (errors leave them dirty in the cache, never lost).
    // Holes are fine. Invalid for an
    // unaligned addr, zero length or a range outside user space; NoMemory if a split cannot
    // allocate (nothing is unmapped then).
    Result<void> unmap(VirtAddr addr, u64 length);

    // mprotect: sets prot on [addr, addr+length rounded up). Invalid for an unaligned addr or
    // unknown bits; NoMemory when part of the range is unmapped (nothing changes then).
    // Existing PTEs are downgraded at once; an upgrade never makes a COW-shared or zero-frame
    // page writable: it stays read-only and the next write takes the COW/zero fault.
    Result<void> protect(VirtAddr addr, u64 length, u32 prot);

    // msync: for every MAP_SHARED file mapping in [addr, addr+length rounded up), moves PTE
    // dirty bits into the cache and writes back the dirty pages the range covers. Invalid
    // for an unaligned addr; NoMemory if part of the range is unmapped (as Linux, after
    // syncing the mapped parts); the Pager's error (IoError) if a write failed.
    Result<void> sync_range(VirtAddr addr, u64 length, SyncMode mode);

    // madvise(MADV_DONTNEED): drops the pages of [addr, addr+length rounded up); the next
    // touch zero-fills private anonymous memory and re-reads the cache for file mappings
    // (private copies are discarded; shared data is kept by the cache). Invalid for an
    // unaligned addr; NoMemory if part of the range is unmapped (mapped parts still dropped).
    Result<void> discard(VirtAddr addr, u64 length);

    // The page-fault handler (also used by user copies). Resolves the fault or says which
    // signal the faulting thread gets. Counts every call in stats.page_faults. Out of frames
    // → OutOfMemory with nothing leaked.
    FaultResult handle_fault(VirtAddr va, FaultAccess access);

    // A child address space with the same mappings and contents, by copy-on-write or eager
    // copy as context().fork_mode says. NoMemory with everything allocated released.
    Result<RefPtr<AddressSpace>> fork();

    // Kernel access to user memory: walks the page table in software, resolving absent or
    // copy-on-write pages with handle_fault() exactly as the user access would. BadAddress
    // (EFAULT) where the user would get SIGSEGV/SIGBUS; NoMemory when out of frames. A failure
    // may leave a prefix of the range copied, as on Linux.
    Result<void> copy_to_user(VirtAddr dst, void const* src, usize n);
    Result<void> copy_from_user(void* dst, VirtAddr src, usize n);
    Result<void> zero_user(VirtAddr dst, usize n);
    // Copies a NUL-terminated string of at most capacity bytes including the NUL; returns its
    // length without the NUL. NameTooLong when no NUL lies within capacity bytes.
    Result<usize> copy_string_from_user(char* dst, VirtAddr src, usize capacity);

    // brk: the program break starts at `base` (end of the loaded image); brk(0) reads it.
    void set_brk_base(VirtAddr base);
    // Linux brk(): 0 or an address below the base returns the current break; growing maps
    // anonymous read-write "[heap]" memory (merged into one mapping), shrinking unmaps.
    // On failure the old break is returned.
    VirtAddr brk(VirtAddr requested);
    VirtAddr brk_base() const { return m_brk_base; }
    VirtAddr current_brk() const { return m_brk; }

    // Queries, for /proc/<pid>/maps, /proc/<pid>/statm and tests.
    Mapping const* find_mapping(VirtAddr va) const { return m_mappings.find(va); }
    MappingSet const& mappings() const { return m_mappings; }
    // Pages with a present PTE, not counting the shared zero frame (Linux's RSS rule).
    u64 resident_pages() const;

private:
    friend class RefCounted<AddressSpace>;
    friend class PageCache; // write_protect_file_page, unmap_file_pages

    AddressSpace(MemoryContext& context, PageTable* page_table);
    ~AddressSpace(); // unmaps everything, drops every frame reference, deletes the page table

    // PTE permissions for a page of `mapping` that the process may write if the mapping may.
    static PageAccess access_for(Mapping const& mapping);
    // Drops the PTEs and frame references of the pages in [start, end).
    void release_pages(VirtAddr start, VirtAddr end);
    // Picks the start of a new mapping per map_anonymous's rules, unmapping for Fixed.
    Result<VirtAddr> place_mapping(VirtAddr addr, u64 length, MapPlacement placement);
    // Writes back the dirty cache pages that [start, end) of a MAP_SHARED file mapping
    // covers (msync, munmap, teardown); a no-op for other mappings.
    Result<void> write_back_range(Mapping const& mapping, VirtAddr start, VirtAddr end, WriteBackReason reason);
    // Moves the hardware dirty bits of [start, end) of a shared file mapping into the cache.
    void collect_pte_dirty(Mapping const& mapping, VirtAddr start, VirtAddr end);
    // Removes a mapping: write-back if shared, PTEs and frame references, then the mapping.
    void remove_mapping(Mapping& mapping);
    // True when `frame` is the cache's frame for the page at `va` of the file mapping.
    bool maps_cache_frame(Mapping const& mapping, VirtAddr va, FrameNumber frame) const;
    // For PageCache: make the PTE of file page `index` read-only in `mapping` (write-back).
    void write_protect_file_page(Mapping const& mapping, u64 index);
    // For PageCache: drop the PTEs of `mapping` for file pages >= first_index (truncation).
    void unmap_file_pages(Mapping const& mapping, u64 first_index);
    // Reclaim: removes the PTE mapping the cache frame of page `index`, if it maps it and the
    // MMU has not dirtied it (the next access faults the page in again).
    void unmap_clean_cache_page(Mapping const& mapping, u64 index);
    // Splits mappings so that none straddles `va`. NoMemory leaves the set unchanged.
    Result<void> split_at(VirtAddr va);
    Result<FrameNumber> allocate_zeroed_frame();
    void copy_frame(FrameNumber to, FrameNumber from);

    // Fault handlers, one per FaultCase (fault.cpp). `va` is page aligned.
    FaultResult handle_zero_read_fault(Mapping const&, VirtAddr va);
    FaultResult handle_zero_write_fault(Mapping const&, VirtAddr va, PteInfo const&);
    FaultResult handle_cow_reuse_fault(Mapping const&, VirtAddr va, PteInfo const&);
    FaultResult handle_cow_copy_fault(Mapping const&, VirtAddr va, PteInfo const&);
    FaultResult handle_shared_zero_fault(Mapping const&, VirtAddr va);
    FaultResult handle_shared_write_fault(Mapping const&, VirtAddr va, PteInfo const&);
    FaultResult handle_spurious_fault(Mapping const&, VirtAddr va, PteInfo const&);
    // File mappings (file_mapping.cpp).
    FaultResult handle_file_read_fault(Mapping const&, VirtAddr va);
    FaultResult handle_file_cow_fault(Mapping const&, VirtAddr va, PteInfo const&);
    void map_cached_neighbours(Mapping const&, VirtAddr va);
    FaultResult handle_shared_file_write_fault(Mapping const&, VirtAddr va, PteInfo const&);
    static FaultResult fault_result_for(Errno error);
    // Maps a fresh frame (ref 1, owned by the caller) at va, replacing a possible old entry.
    // On failure the frame is released and OutOfMemory returned.
    FaultResult install_new_frame(VirtAddr va, FrameNumber frame, PageAccess access);

    // fork.cpp helpers.
    Result<void> fork_mapping_pages(Mapping const& mapping, AddressSpace& child);
    Result<void> fork_pages_one_by_one(Mapping const& mapping, AddressSpace& child, VirtAddr start, VirtAddr end);
    static constexpr u64 LEAF_SPAN = 2 * MiB; // what one leaf page table maps
    bool chunk_is_shareable(VirtAddr chunk) const;

    // Walks one page of a user copy: the frame behind `va` after resolving faults for `access`.
    Result<u8*> user_page(VirtAddr va, FaultAccess access);

    MemoryContext& m_context;
    OwnPtr<PageTable> m_page_table;
    MappingSet m_mappings;
    VirtAddr m_brk_base { 0 };
    VirtAddr m_brk { 0 };
};
