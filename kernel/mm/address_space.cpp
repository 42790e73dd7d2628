// AddressSpace: creation, destruction, mmap/munmap/mprotect, brk and queries. The fault
// handlers live in fault.cpp, fork in fork.cpp, user copies in user_copy.cpp.
#include "address_space.h"
#include "../lib/profile.h"

#include "../lib/assert.h"
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

AddressSpace::AddressSpace(MemoryContext& context, PageTable* page_table)
    : m_context(context)
    , m_page_table(page_table)
{
}

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
    // is let go as a whole too (no copy needed — and no memory — to exit).
    release_pages(0, USER_TOP);
}

PageAccess AddressSpace::access_for(Mapping const& mapping)
{
    return PageAccess {
        .writable = mapping.is_writable(),
        .executable = mapping.is_executable(),
        .accessible = mapping.prot() != VM_NONE,
    };
}

Result<FrameNumber> AddressSpace::allocate_zeroed_frame()
{
    FrameNumber frame = TRY(m_context.frames.allocate());
    __builtin_memset(m_context.physical.map_frame(frame), 0, PAGE_SIZE);
    return frame;
}

void AddressSpace::copy_frame(FrameNumber to, FrameNumber from)
{
    __builtin_memcpy(m_context.physical.map_frame(to), m_context.physical.map_frame(from), PAGE_SIZE);
}

void AddressSpace::release_pages(VirtAddr start, VirtAddr end)
{
    // A leaf table shared with another address space (after fork) and wholly inside the
    // range is let go as a whole; every other entry gives its frame reference back.
    m_page_table->release_range(start, end, [&](VirtAddr, PteInfo const& pte) { m_context.frames.unref(pte.frame); });
}

Result<void> AddressSpace::split_at(VirtAddr va)
{
    Mapping* mapping = m_mappings.find(va);
    if (mapping && mapping->start() != va)
        TRY(m_mappings.split(*mapping, va));
    return {};
}

Result<VirtAddr> AddressSpace::place_mapping(VirtAddr addr, u64 length, MapPlacement placement)
{
    if (placement == MapPlacement::Anywhere) {
        // Linux takes a hint when the page-aligned range there is free and in user space.
        VirtAddr hint = page_round_down(addr);
        if (hint != 0 && is_user_range(hint, length) && m_mappings.is_free(hint, hint + length))
            return hint;
        return m_mappings.find_free_range(length, USER_MMAP_BASE, USER_MMAP_TOP);
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

Result<VirtAddr> AddressSpace::map_anonymous(VirtAddr addr, u64 length, u32 prot, bool shared, MapPlacement placement, char const* name)
{
    if (length == 0 || (prot & ~VM_PROT_MASK))
        return Errno::Invalid;
    if (length > USER_TOP)
        return Errno::NoMemory;
    length = page_round_up(length);
    if (shared) {
        // Shared anonymous memory is a nameless tmpfs-like file, so that fork children share
        // even the pages nobody has touched yet.
        RefPtr<PageCache> cache = TRY(PageCache::create_anonymous(m_context, length));
        return map_file(addr, length, prot, true, placement, std::move(cache), 0, name);
    }

    VirtAddr start = TRY(place_mapping(addr, length, placement));
    auto* mapping = new (std::nothrow) Mapping(start, start + length, prot, MappingSharing::Private, name);
    if (!mapping)
        return Errno::NoMemory;
    mapping->set_address_space(this);
    Mapping* inserted = TRY(m_mappings.insert(OwnPtr<Mapping>(mapping)));
    m_mappings.merge_with_neighbours(*inserted);
    return start;
}

void AddressSpace::remove_mapping(Mapping& mapping)
{
    (void)write_back_range(mapping, mapping.start(), mapping.end(), WriteBackReason::Unmap);
    release_pages(mapping.start(), mapping.end());
    m_mappings.remove(mapping);
}

Result<void> AddressSpace::unmap(VirtAddr addr, u64 length)
{
    if (!is_page_aligned(addr) || length == 0 || length > USER_TOP)
        return Errno::Invalid;
    VirtAddr end = addr + page_round_up(length);
    if (addr > USER_TOP || end > USER_TOP)
        return Errno::Invalid;

    // Leaf tables shared since a fork and cut by the range get private copies first, so
    // nothing below can fail half-way for want of memory.
    TRY(m_page_table->unshare(addr, end, true));
    // Both splits first: if the second fails, the first only cut one mapping into two
    // equivalent halves, which changes nothing a process can observe.
    TRY(split_at(addr));
    TRY(split_at(end));
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
    if (!is_page_aligned(addr) || (prot & ~VM_PROT_MASK))
        return Errno::Invalid;
    if (length == 0)
        return {};
    if (length > USER_TOP || addr + page_round_up(length) > USER_TOP)
        return Errno::NoMemory;
    VirtAddr end = addr + page_round_up(length);
    if (!m_mappings.is_fully_mapped(addr, end))
        return Errno::NoMemory;

    // Entries change below, and refcounts decide: shared leaf tables become private first.
    TRY(m_page_table->unshare(addr, end, false));
    TRY(split_at(addr));
    TRY(split_at(end));
    Mapping* mapping = m_mappings.find(addr);
    while (mapping && mapping->start() < end) {
        mapping->set_prot(prot);
        PageAccess wanted = access_for(*mapping);
        bool shared = mapping->is_shared();
        // Shared pages of a backed file stay read-only until a write fault marks them dirty.
        bool write_notify = shared && mapping->cache() && mapping->cache()->is_backed();
        m_page_table->for_each_present(mapping->start(), mapping->end(), [&](VirtAddr va, PteInfo const& pte) {
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
            m_page_table->protect(va, access);
        });
        mapping = m_mappings.next(*mapping);
    }
    // Merge afterwards, from the mapping ending at addr to the one starting at end: merging
    // while walking would delete mappings the walk still points at.
    mapping = m_mappings.first_ending_after(addr - 1);
    while (mapping && mapping->start() <= end)
        mapping = m_mappings.next(*m_mappings.merge_with_neighbours(*mapping));
    return {};
}

void AddressSpace::set_brk_base(VirtAddr base)
{
    m_brk_base = base;
    m_brk = base;
}

VirtAddr AddressSpace::brk(VirtAddr requested)
{
    if (requested == 0 || requested < m_brk_base || requested > USER_MMAP_TOP)
        return m_brk;
    VirtAddr old_end = page_round_up(m_brk);
    VirtAddr new_end = page_round_up(requested);
    if (new_end > old_end) {
        auto result = map_anonymous(old_end, new_end - old_end, VM_READ | VM_WRITE, false,
            MapPlacement::FixedNoReplace, "[heap]");
        if (result.is_error())
            return m_brk;
    } else if (new_end < old_end) {
        if (unmap(new_end, old_end - new_end).is_error())
            return m_brk;
    }
    m_brk = requested;
    return m_brk;
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
