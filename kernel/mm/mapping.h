// Mapping: one contiguous, page-aligned, half-open range [start, end) of a user address space
// with one protection and one backing (Linux's vm_area_struct, Serenity's Region). An
// address space keeps its mappings in a MappingTree (mapping_tree.h).
//
//   AddressSpace ──▶ MappingTree ──▶ Mapping [start,end) prot shared/private name
//        ▲                             ├─ backing: anonymous (page table is the record of its
//        └──── raw back pointer ───────┤  frames), or RefPtr<PageCache> + file offset of start
//                                      └─ m_cache_node: in the cache's list of its mappings
//
// A Mapping with a cache is linked into that cache's mapping list for as long as it exists
// (set_backing() links, clone() links the copy, the destructor unlinks), so write-back and
// truncation can find every PTE of the file through Mapping::address_space(); the cache's
// MappingObserver, if it has one, hears of each link and unlink.
//
// Locking: a Mapping is protected by what protects its AddressSpace (address_space.h).
#pragma once

#include "../lib/intrusive_list.h"
#include "../lib/own_ptr.h"
#include "../lib/ref_counted.h"
#include "../lib/result.h"
#include "../lib/types.h"
#include "page_table.h"

// Protection bits with the values of Linux's PROT_READ/PROT_WRITE/PROT_EXEC, so a syscall
// passes `prot` straight through. Named like Linux's VM_* flags so that they never collide
// with the PROT_* macros of <sys/mman.h> in hosted code.
constexpr u32 VM_NONE = 0;
constexpr u32 VM_READ = 1;
constexpr u32 VM_WRITE = 2;
constexpr u32 VM_EXEC = 4;
constexpr u32 VM_PROT_MASK = VM_READ | VM_WRITE | VM_EXEC;

// What a mapping is besides its protection (Linux's other vm_flags, with their names),
// kept in Mapping::flags(). Mappings merge only when these are equal too.
constexpr u32 VM_LOCKED = 1 << 0; // mlock: every page faulted in and kept (Pagoda has no swap)
constexpr u32 VM_LOCKONFAULT = 1 << 1; // mlock2(MLOCK_ONFAULT): kept once faulted, not populated
constexpr u32 VM_DONTCOPY = 1 << 2; // madvise(MADV_DONTFORK): a fork child does not get it
constexpr u32 VM_WIPEONFORK = 1 << 3; // madvise(MADV_WIPEONFORK): a fork child gets it empty
constexpr u32 VM_GROWSDOWN = 1 << 4; // mmap(MAP_GROWSDOWN): a fault just below grows it (stack_growth.cpp)
constexpr u32 VM_DONTDUMP = 1 << 5; // madvise(MADV_DONTDUMP): left out of core dumps (proc/core_dump.h)
constexpr u32 VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;

class AddressSpace;
class Mapping;
class PageCache;

// Told when a mapping of a page cache comes into being and when it goes (Linux's
// vm_operations open and close): mmap, a fork child's copy, each half of a split, mremap's
// new range; munmap, exit, exec, the old half of a move. System V shared memory counts its
// attaches this way (shm_nattch is Linux's count of such mappings). Called with the VM
// lock held; the observer must not change any address space.
class MappingObserver {
public:
    virtual void mapping_opened(Mapping const&) = 0;
    virtual void mapping_closed(Mapping const&) = 0;

protected:
    ~MappingObserver() = default;
};

enum class MappingSharing : u8 {
    Private, // MAP_PRIVATE: writes are the process's own (COW after fork)
    Shared, // MAP_SHARED: writes are seen by every process mapping the same memory
};

class Mapping {
public:
    static constexpr usize NAME_CAPACITY = 64; // longer names are truncated

    // start/end page aligned, start < end. `name` may be null (shown blank in maps).
    Mapping(VirtAddr start, VirtAddr end, u32 prot, MappingSharing sharing, char const* name);
    Mapping(Mapping const&) = delete;
    Mapping& operator=(Mapping const&) = delete;
    ~Mapping(); // unlinks from the cache's mapping list and drops the cache reference

    // A copy of this mapping's range, attributes, backing and address space, not in any
    // tree (for split and fork; fork then sets the child's address space). The copy
    // is linked into the cache's mapping list. Null when out of memory.
    Mapping* clone() const;
    // The same, but over [start, start + length) (page aligned), mapping from the file
    // offset this mapping's `from` (inside it) maps: what mremap moves a range to.
    Mapping* clone_moved(VirtAddr from, VirtAddr start, u64 length) const;

    // Makes this a file mapping of `cache` at `file_offset` (page aligned) for start() and
    // links it into the cache's mapping list. Only on a fresh mapping with no backing yet.
    void set_backing(RefPtr<PageCache> cache, u64 file_offset);
    // The address space whose MappingTree holds this mapping (set by AddressSpace).
    AddressSpace* address_space() const { return m_address_space; }
    void set_address_space(AddressSpace* space) { m_address_space = space; }

    VirtAddr start() const { return m_start; }
    VirtAddr end() const { return m_end; }
    u64 size() const { return m_end - m_start; }
    u64 page_count() const { return size() / PAGE_SIZE; }
    bool contains(VirtAddr va) const { return va >= m_start && va < m_end; }

    u32 prot() const { return m_prot; }
    bool is_readable() const { return m_prot & VM_READ; }
    bool is_writable() const { return m_prot & VM_WRITE; }
    bool is_executable() const { return m_prot & VM_EXEC; }
    void set_prot(u32 prot) { m_prot = prot & VM_PROT_MASK; }
    // The most that mprotect may grant (Linux's VM_MAY* bits): a shared mapping of a file
    // opened read-only may never become writable, or it would write to the file through
    // memory what write(2) could not. Everything, unless set_max_prot() narrowed it.
    u32 max_prot() const { return m_max_prot; }
    void set_max_prot(u32 max_prot) { m_max_prot = max_prot & VM_PROT_MASK; }
    bool allows(u32 prot) const { return (prot & ~m_max_prot) == 0; }

    // VM_LOCKED, VM_DONTCOPY, ... (above); set by mlock, madvise and mlockall(MCL_FUTURE).
    u32 flags() const { return m_flags; }
    bool has(u32 flag) const { return m_flags & flag; }
    void set_flags(u32 flags) { m_flags = flags; }
    bool is_locked() const { return m_flags & VM_LOCKED; }

    MappingSharing sharing() const { return m_sharing; }
    bool is_shared() const { return m_sharing == MappingSharing::Shared; }
    bool is_private() const { return m_sharing == MappingSharing::Private; }

    // The page cache behind the mapping: a file's, or the private one of MAP_SHARED|
    // MAP_ANONYMOUS memory. Null for private anonymous memory.
    PageCache* cache() const { return m_cache.ptr(); }
    // True for private anonymous memory and shared anonymous memory (no file behind it).
    bool is_anonymous() const;
    // File offset of start(); kept correct across splits, 0 for private anonymous memory.
    u64 file_offset() const { return m_file_offset; }
    // The file page index that `va` (inside the mapping) maps.
    u64 file_index(VirtAddr va) const { return (m_file_offset + (va - m_start)) / PAGE_SIZE; }
    // File page indices [first_file_index(), last_file_index()] covered by the mapping.
    u64 first_file_index() const { return m_file_offset / PAGE_SIZE; }
    u64 last_file_index() const { return first_file_index() + page_count() - 1; }
    // The address at which file page `index` is mapped; index must be within the mapping.
    VirtAddr address_of_index(u64 index) const { return m_start + (index - first_file_index()) * PAGE_SIZE; }

    char const* name() const { return m_name; }

    // True when `next` starts where this ends and the two could be one mapping: same prot,
    // flags, sharing and name, both private with no cache (shared ones are distinct
    // objects, like Linux).
    bool can_merge_with(Mapping const& next) const;

    // The tree's links (mapping_tree.h); meaningful while the mapping is in a tree.
    struct TreeLinks {
        Mapping* parent { nullptr };
        Mapping* left { nullptr };
        Mapping* right { nullptr };
        int height { 1 };
        u64 gap { 0 }; // start minus the end of the mapping before it (or 0)
        u64 max_gap { 0 }; // the largest gap in this subtree
    };

private:
    friend class MappingTree; // moves m_start/m_end on split and merge, owns m_tree
    friend class PageCache; // names m_cache_node for its list

    void set_name(char const* name);

    VirtAddr m_start;
    VirtAddr m_end;
    u32 m_prot;
    u32 m_max_prot { VM_PROT_MASK };
    u32 m_flags { 0 };
    MappingSharing m_sharing;
    u64 m_file_offset { 0 };
    RefPtr<PageCache> m_cache;
    AddressSpace* m_address_space { nullptr }; // raw: the space owns this mapping
    char m_name[NAME_CAPACITY];
    TreeLinks m_tree; // in the owning address space's MappingTree
    ListNode m_cache_node; // in m_cache->m_mappings while m_cache is set
};
