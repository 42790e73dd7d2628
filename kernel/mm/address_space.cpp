// AddressSpace: creation and teardown, mmap/munmap/mprotect/msync/madvise, brk and queries.
#include "address_space.h"
#include "../lib/assert.h"
#include "../lib/memory.h"
#include "../lib/profile.h"
#include "reverse_map.h"
#include <new>

Result<RefPtr<AddressSpace>> AddressSpace::create(MemoryContext& context)
{
    PageTable* table = TRY(context.page_tables.create());
    auto* space = new (std::nothrow) AddressSpace(context, table);
    if (!space) {
        delete table;
        return Errno::NoMemory;
    }
    return adopt_ref(space);
}

namespace {
LockClass g_parallel_fault_lock_class { "address space's parallel-fault lock" };
}

AddressSpace::AddressSpace(MemoryContext& context, PageTable* page_table)
    : m_context(context), m_parallel_fault_lock(g_parallel_fault_lock_class), m_page_table(page_table)
{ }

AddressSpace::~AddressSpace()
{
    PROFILE("exit: address space torn down");
    // Process exit: start write-back of what shared file mappings dirtied (DESIGN.md: nothing
    // written through a mapping is lost by exiting). Before the PTEs go, as write-back
    // write-protects them.
    for (Mapping const& mapping : m_mappings)
        (void)write_back_range(mapping, mapping.start(), mapping.end(), WriteBackReason::Unmap);
    // Give every frame reference back; a leaf table still shared with another address space
    // (after fork) is let go as a whole, its frames staying with the other sharers. One
    // release over the whole user range, so that a shared table holding several mappings
    // is let go as a whole too — no copy needed, and so no memory, to exit.
    MUST(release_pages(0, USER_HALF_END));
}

void AddressSpace::verify_locked() const { VERIFY(!m_context.vm_lock_held || m_context.vm_lock_held()); }

PageAccess AddressSpace::access_for(Mapping const& mapping)
{
    return PageAccess {
        .writable = mapping.is_writable(),
        .executable = mapping.is_executable(),
        .accessible = mapping.prot() != VM_NONE,
    };
}

Result<void> AddressSpace::release_pages(VirtAddr start, VirtAddr end)
{
    return m_page_table->unmap(start, end, [&](VirtAddr, PteInfo const& pte) { m_context.frames.unref(pte.frame); });
}

Result<Mapping*> AddressSpace::insert_mapping(OwnPtr<Mapping> mapping)
{
    mapping->set_address_space(this);
    ++m_layout_version;
    return m_mappings.insert(static_cast<OwnPtr<Mapping>&&>(mapping));
}

Result<void> AddressSpace::split_at(VirtAddr va, bool limited)
{
    Mapping* mapping = m_mappings.find(va);
    if (mapping && mapping->start() != va) {
        if (limited && m_mappings.count() >= MAX_MAP_COUNT)
            return Errno::NoMemory;
        TRY(m_mappings.split(*mapping, va));
        ++m_layout_version;
    }
    return {};
}

Result<VirtAddr> AddressSpace::place_mapping(VirtAddr addr, u64 length, MapPlacement placement)
{
    if (placement == MapPlacement::Anywhere) {
        // Linux takes a hint when the page-aligned range there is free and in user space.
        VirtAddr hint = page_round_down(addr);
        if (hint != 0 && is_user_range(hint, length) && m_mappings.is_free(hint, hint + length))
            return hint;
        return m_mappings.find_free_range(length, USER_MMAP_BASE, m_mmap_top);
    }
    if (!is_page_aligned(addr))
        return Errno::Invalid;
    if (addr < USER_BASE)
        return Errno::NotPermitted; // Linux: below mmap_min_addr
    if (!is_user_range(addr, length))
        return Errno::NoMemory;
    if (!m_mappings.is_free(addr, addr + length)) {
        if (placement == MapPlacement::FixedNoReplace)
            return Errno::Exists;
        TRY(unmap(addr, length));
    }
    return addr;
}

Result<VirtAddr> AddressSpace::map_anonymous(
    VirtAddr addr, u64 length, u32 prot, bool shared, MapPlacement placement, char const* name)
{
    verify_locked();
    if (length == 0 || (prot & ~VM_PROT_MASK))
        return Errno::Invalid;
    if (length > USER_TOP)
        return Errno::NoMemory;
    length = page_round_up(length);
    if (m_mappings.count() > MAX_MAP_COUNT)
        return Errno::NoMemory; // as Linux's do_mmap counts: one past the limit is allowed
    if (shared) {
        // Shared anonymous memory is a nameless tmpfs-like file, so that fork children share
        // even the pages nobody has touched yet.
        RefPtr<PageCache> cache = TRY(PageCache::create_anonymous(m_context, length));
        return map_file(addr, length, prot, true, placement, static_cast<RefPtr<PageCache>&&>(cache), 0, name);
    }
    VirtAddr start = TRY(place_mapping(addr, length, placement));
    auto* mapping = new (std::nothrow) Mapping(start, start + length, prot, MappingSharing::Private, name);
    if (!mapping)
        return Errno::NoMemory;
    mapping->set_flags(m_default_lock);
    Mapping* inserted = TRY(insert_mapping(OwnPtr<Mapping>(mapping)));
    m_mappings.merge_with_neighbours(*inserted);
    return start;
}

Result<VirtAddr> AddressSpace::map_file(VirtAddr addr, u64 length, u32 prot, bool shared, MapPlacement placement,
    RefPtr<PageCache> cache, u64 offset, char const* name, u32 max_prot)
{
    verify_locked();
    if (!cache || length == 0 || (prot & ~VM_PROT_MASK) || !is_page_aligned(offset))
        return Errno::Invalid;
    if (prot & ~max_prot)
        return Errno::Access;
    if (length > USER_TOP)
        return Errno::NoMemory;
    length = page_round_up(length);
    if (m_mappings.count() > MAX_MAP_COUNT)
        return Errno::NoMemory;
    constexpr u64 limit = PageIndex::MAX_PAGES * PAGE_SIZE;
    if (offset >= limit || length > limit - offset)
        return Errno::Overflow;
    VirtAddr start = TRY(place_mapping(addr, length, placement));
    auto* mapping = new (std::nothrow)
        Mapping(start, start + length, prot, shared ? MappingSharing::Shared : MappingSharing::Private, name);
    if (!mapping)
        return Errno::NoMemory;
    mapping->set_backing(static_cast<RefPtr<PageCache>&&>(cache), offset);
    mapping->set_max_prot(max_prot);
    mapping->set_flags(m_default_lock);
    TRY(insert_mapping(OwnPtr<Mapping>(mapping)));
    return start;
}

Result<void> AddressSpace::write_back_range(Mapping const& mapping, VirtAddr start, VirtAddr end, WriteBackReason reason)
{
    PageCache* cache = mapping.cache();
    if (!mapping.is_shared() || !cache || !cache->is_backed() || start >= end)
        return {};
    collect_dirty_bits(mapping, start, end);
    return cache->write_back(mapping.file_index(start), mapping.file_index(end - 1), reason);
}

void AddressSpace::remove_mapping(Mapping& mapping)
{
    (void)write_back_range(mapping, mapping.start(), mapping.end(), WriteBackReason::Unmap);
    // Shared leaf tables cut by the range were made private before (unmap), so this
    // cannot fail for want of memory.
    MUST(release_pages(mapping.start(), mapping.end()));
    m_mappings.remove(mapping);
    ++m_layout_version;
}

Result<void> AddressSpace::unmap(VirtAddr addr, u64 length)
{
    verify_locked();
    VirtAddr end;
    if (!is_page_aligned(addr) || length == 0 || !page_range_end(addr, length, end) || end > USER_TOP)
        return Errno::Invalid;
    // Leaf tables shared since a fork and cut by the range get private copies first, so
    // nothing below can fail half-way for want of memory.
    // Only a hole in the middle of one mapping adds a mapping: Linux refuses it at the limit.
    Mapping const* first = m_mappings.find(addr);
    if (first && first->start() < addr && end < first->end() && m_mappings.count() >= MAX_MAP_COUNT)
        return Errno::NoMemory;
    TRY(m_page_table->unshare(addr, end, true));
    // Both splits first: if the second fails, the first only cut one mapping into two
    // equivalent halves, which changes nothing a process can observe.
    TRY(split_at(addr, false));
    TRY(split_at(end, false));
    Mapping* mapping = m_mappings.first_ending_after(addr);
    while (mapping && mapping->start() < end) {
        Mapping* following = m_mappings.next(*mapping);
        remove_mapping(*mapping);
        mapping = following;
    }
    return {};
}

Result<void> AddressSpace::protect(VirtAddr addr, u64 length, u32 prot)
{
    verify_locked();
    if (!is_page_aligned(addr) || (prot & ~VM_PROT_MASK))
        return Errno::Invalid;
    if (length == 0)
        return {};
    VirtAddr end;
    if (!page_range_end(addr, length, end) || end == addr || end > USER_TOP || !m_mappings.is_fully_mapped(addr, end))
        return Errno::NoMemory;
    for (Mapping* mapping = m_mappings.first_ending_after(addr); mapping && mapping->start() < end;
         mapping = m_mappings.next(*mapping))
        if (!mapping->allows(prot))
            return Errno::Access;

    // Entries change below, and refcounts decide: shared leaf tables become private first.
    TRY(m_page_table->unshare(addr, end, false));
    TRY(split_at(addr));
    TRY(split_at(end));
    ++m_layout_version;
    for (Mapping* mapping = m_mappings.find(addr); mapping && mapping->start() < end; mapping = m_mappings.next(*mapping)) {
        mapping->set_prot(prot);
        PageAccess wanted = access_for(*mapping);
        bool shared = mapping->is_shared();
        // Shared pages of a backed file stay read-only until a write fault marks them dirty.
        bool write_notify = shared && mapping->cache() && mapping->cache()->is_backed();
        MUST(m_page_table->protect(mapping->start(), mapping->end(), [&](VirtAddr va, PteInfo const& pte) {
            PageAccess access = wanted;
            // A private page may become writable only if this space holds its only
            // reference; a COW-shared, zero or page-cache frame stays read-only until the
            // write fault copies it.
            if (access.writable && !shared)
                access.writable = pte.writable
                    || (!m_context.frames.is_zero(pte.frame) && m_context.frames.ref_count(pte.frame) == 1
                        && !(mapping->cache() && maps_cache_frame(*mapping, va, pte.frame)));
            if (access.writable && write_notify)
                access.writable = pte.writable;
            return access;
        }));
    }
    merge_range(addr, end);
    // Locked private memory made writable is written now, as Linux does, so that its
    // copy-on-write happens here rather than at the program's first store.
    // (Looked up again after each: populating may sleep.)
    for (VirtAddr position = addr; (prot & VM_WRITE) && position < end;) {
        Mapping* mapping = m_mappings.first_ending_after(position);
        if (!mapping || mapping->start() >= end)
            break;
        VirtAddr to = min(end, mapping->end());
        if ((mapping->flags() & VM_LOCKED_MASK) == VM_LOCKED && mapping->is_private())
            (void)populate(max(position, mapping->start()), to);
        position = to;
    }
    return {};
}

Result<void> AddressSpace::sync_range(VirtAddr addr, u64 length, SyncMode mode, InvalidateCache invalidate)
{
    verify_locked();
    if (!is_page_aligned(addr))
        return Errno::Invalid;
    VirtAddr end;
    if (!page_range_end(addr, length, end) || end > USER_TOP)
        return Errno::NoMemory;
    if (end == addr)
        return {};
    Result<void> result;
    for (Mapping* mapping = m_mappings.first_ending_after(addr); mapping && mapping->start() < end;
         mapping = m_mappings.next(*mapping)) {
        if (invalidate == InvalidateCache::Yes && mapping->is_locked())
            return Errno::Busy;
        VirtAddr from = max(addr, mapping->start()), to = min(end, mapping->end());
        if (mode == SyncMode::Async) {
            collect_dirty_bits(*mapping, from, to);
            continue;
        }
        auto written = write_back_range(*mapping, from, to, WriteBackReason::Sync);
        if (written.is_error() && !result.is_error())
            result = written.error();
    }
    if (!m_mappings.is_fully_mapped(addr, end))
        return Errno::NoMemory;
    return result;
}

void AddressSpace::set_brk(VirtAddr base, VirtAddr current)
{
    m_brk_base = base;
    m_brk = current;
}

VirtAddr AddressSpace::brk(VirtAddr requested)
{
    verify_locked();
    if (requested == 0 || requested < m_brk_base || requested > USER_MMAP_TOP)
        return m_brk;
    VirtAddr old_end = page_round_up(m_brk);
    VirtAddr new_end = page_round_up(requested);
    if (new_end > old_end) {
        if (exceeds_all_memory(m_context, new_end - old_end))
            return m_brk; // Linux charges brk growth to its commit count (memory_context.h)
        auto result
            = map_anonymous(old_end, new_end - old_end, VM_READ | VM_WRITE, false, MapPlacement::FixedNoReplace, "[heap]");
        if (result.is_error())
            return m_brk;
        if (m_default_lock == VM_LOCKED)
            (void)populate(old_end, new_end); // mlockall(MCL_FUTURE): the new heap is locked
    } else if (new_end < old_end) {
        if (unmap(new_end, old_end - new_end).is_error())
            return m_brk;
    }
    m_brk = requested;
    return m_brk;
}

u64 AddressSpace::mapped_bytes() const
{
    u64 total = 0;
    for (Mapping const& mapping : m_mappings)
        total += mapping.size();
    return total;
}

u64 AddressSpace::data_bytes() const
{
    u64 total = 0;
    for (Mapping const& mapping : m_mappings)
        if (mapping.is_private() && mapping.is_writable() && !mapping.has(VM_GROWSDOWN) && strcmp(mapping.name(), "[stack]") != 0)
            total += mapping.size();
    return total;
}

u64 AddressSpace::resident_pages() const
{
    u64 pages = 0;
    for (Mapping const& mapping : m_mappings)
        m_page_table->for_each_present(mapping.start(), mapping.end(), [&](VirtAddr, PteInfo const& pte) {
            if (pte.frame != m_context.zero_frame)
                ++pages;
        });
    return pages;
}
