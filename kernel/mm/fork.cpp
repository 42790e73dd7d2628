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
#include "../lib/profile.h"

#include "../lib/assert.h"

Result<RefPtr<AddressSpace>> AddressSpace::fork()
{
    PROFILE("fork: AddressSpace::fork");
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
// Copy-on-write of page tables: a well-filled 2 MiB chunk in which every mapping is private
// is handed to the child as a shared leaf table — no entry visited, whatever the number of
// pages (page_table.h). Other chunks are copied entry by entry.
bool AddressSpace::chunk_is_shareable(VirtAddr chunk) const
{
    // A sparse table is cheaper to copy entry by entry now than to copy whole at the first
    // write after fork (a process's stack and data chunks are usually sparse).
    constexpr u32 MINIMUM_ENTRIES = 64;
    if (m_page_table->leaf_table_entries(chunk) < MINIMUM_ENTRIES)
        return false;
    for (Mapping* m = m_mappings.first_ending_after(chunk); m && m->start() < chunk + LEAF_SPAN; m = m_mappings.next(*m))
        if (!m->is_private())
            return false;
    return true;
}

Result<void> AddressSpace::fork_mapping_pages(Mapping const& mapping, AddressSpace& child)
{
    bool share = m_context.fork_mode != ForkMode::EagerCopy && mapping.is_private() && m_page_table->can_share_leaf_tables();
    if (!share)
        return fork_pages_one_by_one(mapping, child, mapping.start(), mapping.end());
    // Walk the mapping chunk by chunk; runs of shareable chunks go to the page table at once.
    VirtAddr position = mapping.start();
    while (position < mapping.end()) {
        VirtAddr chunk = position & ~(LEAF_SPAN - 1);
        VirtAddr chunk_end = min(chunk + LEAF_SPAN, mapping.end());
        if (m_page_table->leaf_table_entries(chunk) == 0) {
            position = chunk_end; // nothing mapped here yet: nothing to share or copy
            continue;
        }
        if (!chunk_is_shareable(chunk)) {
            TRY(fork_pages_one_by_one(mapping, child, position, chunk_end));
            position = chunk_end;
            continue;
        }
        VirtAddr run_end = chunk + LEAF_SPAN;
        while (run_end < mapping.end() && chunk_is_shareable(run_end))
            run_end += LEAF_SPAN;
        TRY(m_page_table->share_leaf_tables(*child.m_page_table, chunk, run_end));
        position = min(run_end, mapping.end());
    }
    return {};
}

Result<void> AddressSpace::fork_pages_one_by_one(Mapping const& mapping, AddressSpace& child, VirtAddr start, VirtAddr end)
{
    PROFILE("fork: entries copied one by one");
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
