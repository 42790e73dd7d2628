// mremap: a mapping resized where it is, or moved elsewhere.
//
//   shrink        [old_start ......... old_end)  →  [old_start .. new_end)  the tail unmapped
//   grow in place [old_start .. old_end)  free   →  [old_start ......... new_end)
//   move          [old_start .. old_end)         →  [new_start .. +old_length .. +new_length)
//
// A move makes a new Mapping with the same backing (the file offset of old_start), carries
// every page-table entry of the old range over to it — the same frame with the same
// rights, its reference moving with it — and then drops the old range: not one frame is
// copied or even touched, as Linux's move_page_tables does. The checks and their errnos
// follow Linux's do_mremap, in its order, because a call with several faults gets the
// errno of the first.
#include "address_space.h"
#include "reverse_map.h"

namespace {

// Whether Linux charges growth of the mapping to its commit count (VM_ACCOUNT), and so
// weighs it against all of memory: private writable memory and shared anonymous memory.
bool is_charged(Mapping const& mapping) { return mapping.is_private() ? mapping.is_writable() : mapping.is_anonymous(); }

// Linux's vma_to_resize: may [addr, addr + old_length) of `mapping` become new_length long?
Result<void> check_resize(MemoryContext const& context, Mapping const& mapping, VirtAddr addr, u64 old_length, u64 new_length)
{
    // A second mapping of the same pages makes sense only for memory that is shared.
    if (old_length == 0 && !mapping.is_shared())
        return Errno::Invalid;
    if (old_length > mapping.end() - addr)
        return Errno::BadAddress; // the range may not run past its mapping
    if (new_length > old_length && is_charged(mapping) && exceeds_all_memory(context, new_length - old_length))
        return Errno::NoMemory;
    return {};
}

}

bool AddressSpace::can_grow_in_place(Mapping const& mapping, u64 delta) const
{
    VirtAddr end = mapping.end();
    return delta <= USER_TOP - end && m_mappings.is_free(end, end + delta);
}

Result<void> AddressSpace::move_entries(Mapping const& destination, VirtAddr from, u64 length, VirtAddr to)
{
    // A window at a time, because for_each_present's visitor may not change the table.
    constexpr usize WINDOW_PAGES = 64;
    struct Entry {
        VirtAddr va;
        PteInfo pte;
    };
    Entry window[WINDOW_PAGES];
    bool accessible = destination.prot() != VM_NONE;
    VirtAddr end = from + length;
    for (VirtAddr start = from; start < end; start += WINDOW_PAGES * PAGE_SIZE) {
        usize count = 0;
        m_page_table->for_each_present(start, min(end, start + WINDOW_PAGES * PAGE_SIZE), [&](VirtAddr va, PteInfo const& pte) {
            window[count++] = { va, pte };
        });
        for (usize i = 0; i < count; ++i) {
            PteInfo const& pte = window[i].pte;
            PageAccess access { .writable = pte.writable, .executable = pte.executable, .accessible = accessible };
            if (m_page_table->map(to + (window[i].va - from), pte.frame, access).is_error()) {
                // Out of page-table pages: take back what was placed. Those entries held no
                // references of their own, and their tables are this space's alone.
                MUST(m_page_table->unmap(to, to + length, [](VirtAddr, PteInfo const&) {}));
                return Errno::NoMemory;
            }
        }
    }
    // The references now belong to the new entries.
    MUST(m_page_table->unmap(from, end, [](VirtAddr, PteInfo const&) {}));
    return {};
}

Result<VirtAddr> AddressSpace::move_range(
    Mapping& mapping, VirtAddr old_start, u64 old_length, VirtAddr new_start, u64 new_length, bool keep_old)
{
    VirtAddr old_end = old_start + old_length;
    // A move may split the old mapping at both ends and adds one: Linux keeps room for that.
    if (m_mappings.count() + 3 >= MAX_MAP_COUNT)
        return Errno::NoMemory;
    // Entries move only out of and into tables of this space's own: then each holds exactly
    // the one reference that moves with it (a leaf table shared since fork holds one for
    // all its sharers).
    TRY(m_page_table->unshare(new_start, new_start + new_length, false));
    Mapping* source = &mapping;
    if (old_length > 0) {
        TRY(m_page_table->unshare(old_start, old_end, false));
        TRY(split_at(old_start));
        TRY(split_at(old_end));
        source = m_mappings.find(old_start);
    }
    Mapping* copy = source->clone_moved(old_start, new_start, new_length);
    if (!copy)
        return Errno::NoMemory;
    Mapping* moved = TRY(insert_mapping(OwnPtr<Mapping>(copy)));
    if (old_length > 0) {
        // PTE dirty bits do not travel (the MMU sets them; a map() starts clean): the cache
        // takes them first, so write-back still finds the pages dirty.
        collect_dirty_bits(*source, old_start, old_end);
        if (auto moved_entries = move_entries(*moved, old_start, old_length, new_start); moved_entries.is_error()) {
            m_mappings.remove(*moved);
            ++m_layout_version;
            return moved_entries.error();
        }
        // MREMAP_DONTUNMAP keeps the old range, empty now: private memory reads zeros there
        // again, shared memory its cache. Like Linux, it is no longer locked.
        if (keep_old)
            source->set_flags(source->flags() & ~VM_LOCKED_MASK);
        else
            m_mappings.remove(*source);
        ++m_layout_version;
    }
    Mapping* placed = m_mappings.merge_with_neighbours(*moved);
    if ((placed->flags() & VM_LOCKED_MASK) == VM_LOCKED && new_length > old_length)
        (void)populate(new_start + old_length, new_start + new_length); // the grown part of locked memory
    return new_start;
}

Result<VirtAddr> AddressSpace::remap(RemapRequest const& request)
{
    verify_locked();
    VirtAddr addr = request.old_start;
    u64 old_length = request.old_length, new_length = request.new_length;
    if (new_length > USER_TOP)
        return Errno::Invalid;
    bool new_address = request.fixed || request.keep_old;
    VirtAddr to = request.new_start;
    if (new_address) {
        if (to > USER_TOP - new_length || !is_page_aligned(to) || !request.may_move)
            return Errno::Invalid;
        if (request.keep_old && old_length != new_length)
            return Errno::Invalid; // MREMAP_DONTUNMAP moves, it does not resize
        if (addr + old_length > to && to + new_length > addr)
            return Errno::Invalid; // the two ranges may not overlap
    }
    Mapping* mapping = m_mappings.find(addr);
    if (!mapping)
        return Errno::BadAddress;

    if (new_address) {
        // As Linux: the target goes first, then the part of the old range that will not move.
        if (request.fixed) {
            if (to < USER_BASE)
                return Errno::NotPermitted; // below mmap_min_addr
            TRY(unmap(to, new_length));
        }
        if (old_length > new_length) {
            TRY(unmap(addr + new_length, old_length - new_length));
            old_length = new_length;
        }
        mapping = m_mappings.find(addr);
        TRY(check_resize(m_context, *mapping, addr, old_length, new_length));
        if (!request.fixed)
            to = TRY(place_mapping(to, new_length, MapPlacement::Anywhere));
        return move_range(*mapping, addr, old_length, to, new_length, request.keep_old);
    }

    if (old_length >= new_length) {
        if (old_length > new_length)
            TRY(unmap(addr + new_length, old_length - new_length));
        return addr;
    }
    TRY(check_resize(m_context, *mapping, addr, old_length, new_length));
    u64 delta = new_length - old_length;
    if (addr + old_length == mapping->end() && can_grow_in_place(*mapping, delta)) {
        VirtAddr grown_from = mapping->end();
        m_mappings.set_end(*mapping, grown_from + delta);
        ++m_layout_version;
        Mapping* grown = m_mappings.merge_with_neighbours(*mapping);
        if ((grown->flags() & VM_LOCKED_MASK) == VM_LOCKED)
            (void)populate(grown_from, grown_from + delta);
        return addr;
    }
    if (!request.may_move)
        return Errno::NoMemory;
    to = TRY(m_mappings.find_free_range(new_length, USER_MMAP_BASE, m_mmap_top));
    return move_range(*mapping, addr, old_length, to, new_length, false);
}
