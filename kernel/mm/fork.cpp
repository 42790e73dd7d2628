// AddressSpace::fork(): the child gets the same mappings and, page by page, the same frames.
//
//   ForkMode::CopyOnWrite (default)          ForkMode::EagerCopy ("traditional fork")
//   private writable page: write-protect in   private writable page: copy into a fresh
//     parent AND child, refcount + 1            frame for the child, parent untouched
//   read-only page / zero frame: shared as it is, refcount + 1 (both modes)
//   shared mapping: same frame, writable as it is, refcount + 1 (both modes); shared
//     anonymous memory has a PageCache too, so untouched pages are shared as well
//   private file mapping: a page still mapping the cache frame stays read-only in both
//     (both modes); a page already copied is COW like anonymous memory
//
// A write fault later sorts out COW pages: refcount 1 → reuse, otherwise copy (fault.cpp).
#include "address_space.h"

#include "../lib/assert.h"

Result<RefPtr<AddressSpace>> AddressSpace::fork()
{
    // On any failure below, returning drops `child`, whose destructor releases every frame
    // reference it took; so an out-of-memory fork leaves the frame counts as they were.
    RefPtr<AddressSpace> child = TRY(create(m_context));
    child->m_brk_base = m_brk_base;
    child->m_brk = m_brk;
    for (Mapping const& mapping : m_mappings) {
        Mapping* copy = mapping.clone();
        if (!copy)
            return Errno::NoMemory;
        copy->set_address_space(child.ptr());
        TRY(child->m_mappings.insert(OwnPtr<Mapping>(copy)));
        TRY(fork_mapping_pages(mapping, *child));
    }
    ++m_context.stats.forks;
    return child;
}

// Gives `child` (which already has a copy of `mapping`) an entry for every present page of
// `mapping`, per the table at the top of this file. NoMemory stops at the first failure;
// what the child got so far is released with the child.
Result<void> AddressSpace::fork_mapping_pages(Mapping const& mapping, AddressSpace& child)
{
    bool eager = m_context.fork_mode == ForkMode::EagerCopy;
    // Copy-on-write of page tables: the 2 MiB chunks wholly inside a private mapping are
    // handed to the child as shared leaf tables — no entry is visited, whatever the number
    // of pages (page_table.h). Only the ragged ends are copied entry by entry.
    constexpr u64 SPAN = 2 * MiB;
    VirtAddr inner_start = (mapping.start() + SPAN - 1) & ~(SPAN - 1);
    VirtAddr inner_end = mapping.end() & ~(SPAN - 1);
    if (!eager && mapping.is_private() && inner_start < inner_end && m_page_table->can_share_leaf_tables()) {
        TRY(m_page_table->share_leaf_tables(*child.m_page_table, inner_start, inner_end));
        TRY(fork_pages_one_by_one(mapping, child, mapping.start(), inner_start));
        return fork_pages_one_by_one(mapping, child, inner_end, mapping.end());
    }
    return fork_pages_one_by_one(mapping, child, mapping.start(), mapping.end());
}

Result<void> AddressSpace::fork_pages_one_by_one(Mapping const& mapping, AddressSpace& child, VirtAddr start, VirtAddr end)
{
    bool copy_on_write = mapping.is_private() && mapping.is_writable();
    bool eager = m_context.fork_mode == ForkMode::EagerCopy;
    bool failed = false;
    m_page_table->for_each_present(start, end, [&](VirtAddr va, PteInfo const& pte) {
        if (failed)
            return;
        PageAccess access = access_for(mapping);
        access.writable = pte.writable;
        bool cache_frame = mapping.cache() && maps_cache_frame(mapping, va, pte.frame);
        if (copy_on_write && pte.frame != m_context.zero_frame && !cache_frame) {
            if (eager) {
                auto copy = m_context.frames.allocate();
                if (copy.is_error()) {
                    failed = true;
                    return;
                }
                copy_frame(copy.value(), pte.frame);
                // The copy is the child's alone, so it is writable even if the parent's
                // page is still COW-shared with someone else.
                if (child.m_page_table->map(va, copy.value(), access_for(mapping)).is_error()) {
                    m_context.frames.unref(copy.value());
                    failed = true;
                }
                return;
            }
            if (pte.writable) {
                access.writable = false;
                m_page_table->protect(va, access);
            }
        }
        if (child.m_page_table->map(va, pte.frame, access).is_error()) {
            failed = true;
            return;
        }
        m_context.frames.ref(pte.frame);
    });
    if (failed)
        return Errno::NoMemory;
    return {};
}
