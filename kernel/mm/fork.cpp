#include "fork.h"
#include "../lib/profile.h"
#include "reverse_map.h"

namespace {

// A sparse table is cheaper to copy entry by entry now than to copy whole at the first
// write after fork (a process's stack and data chunks are usually sparse).
constexpr u32 MINIMUM_SHARED_ENTRIES = 64;

bool chunk_is_shareable(AddressSpace& parent, VirtAddr chunk, u64 span)
{
    if (parent.page_table().leaf_table_entries(chunk) < MINIMUM_SHARED_ENTRIES)
        return false;
    MappingTree const& mappings = parent.mappings();
    // (A mapping the child gets without its pages must not hand them over in a shared table.)
    for (Mapping* m = mappings.first_ending_after(chunk); m && m->start() < chunk + span; m = mappings.next(*m))
        if (!m->is_private() || m->has(VM_DONTCOPY | VM_WIPEONFORK))
            return false;
    return true;
}

// Gives `child` an entry for every present page of [start, end) of `mapping` and
// write-protects the parent's copy-on-write pages, in one pass (PageTable::fork_range).
Result<void> fork_pages_one_by_one(
    AddressSpace& parent, Mapping const& mapping, AddressSpace& child, VirtAddr start, VirtAddr end)
{
    PROFILE("fork: entries copied one by one");
    MemoryContext& context = parent.context();
    bool copy_on_write = mapping.is_private() && mapping.is_writable();
    bool eager = context.fork_mode == ForkMode::EagerCopy;
    PageAccess full = AddressSpace::access_for(mapping);
    return parent.page_table().fork_range(
        child.page_table(), start, end, [&](VirtAddr va, PteInfo const& pte) -> Result<ForkedEntry> {
            PageAccess unchanged = full;
            unchanged.writable = pte.writable;
            // Private writable pages that are neither the zero frame nor a page-cache frame (those
            // are read-only everywhere already) are the ones fork must protect or copy.
            bool cow_page = copy_on_write && pte.frame != context.zero_frame
                && !(mapping.cache() && maps_cache_frame(mapping, va, pte.frame));
            if (cow_page && eager) {
                // The copy is the child's alone, so it is writable even if the parent's page is
                // still COW-shared with someone else.
                FrameNumber copy = TRY(allocate_copy_of(context, pte.frame));
                return ForkedEntry { .child_frame = copy, .child_access = full, .parent_access = unchanged };
            }
            PageAccess shared = unchanged;
            if (cow_page)
                shared.writable = false; // both sides read-only: the first write copies or reuses
            context.frames.ref(pte.frame);
            return ForkedEntry { .child_frame = pte.frame, .child_access = shared, .parent_access = shared };
        });
}

// Walks a mapping chunk by chunk; runs of shareable chunks go to the page table at once.
Result<void> fork_mapping_pages(AddressSpace& parent, Mapping const& mapping, AddressSpace& child)
{
    u64 span = parent.page_table().leaf_table_span();
    bool share = parent.context().fork_mode != ForkMode::EagerCopy && mapping.is_private() && span != 0;
    if (!share)
        return fork_pages_one_by_one(parent, mapping, child, mapping.start(), mapping.end());
    VirtAddr position = mapping.start();
    while (position < mapping.end()) {
        VirtAddr chunk = position & ~(span - 1);
        VirtAddr chunk_end = min(chunk + span, mapping.end());
        if (parent.page_table().leaf_table_entries(chunk) == 0) {
            // Nothing mapped here yet: nothing to share or copy, up to the next table.
            position = max(chunk_end, parent.page_table().next_chunk_with_table(chunk_end, mapping.end()));
            continue;
        }
        if (!chunk_is_shareable(parent, chunk, span)) {
            TRY(fork_pages_one_by_one(parent, mapping, child, position, chunk_end));
            position = chunk_end;
            continue;
        }
        VirtAddr run_end = chunk + span;
        while (run_end < mapping.end() && chunk_is_shareable(parent, run_end, span))
            run_end += span;
        TRY(parent.page_table().share_leaf_tables(child.page_table(), chunk, run_end));
        position = min(run_end, mapping.end());
    }
    return {};
}

}

Result<RefPtr<AddressSpace>> fork_address_space(AddressSpace& parent)
{
    PROFILE("fork: fork_address_space");
    parent.verify_locked();
    // On any failure below, returning drops `child`, whose destructor releases every frame
    // reference it took.
    RefPtr<AddressSpace> child = TRY(AddressSpace::create(parent.context()));
    child->set_brk(parent.brk_base(), parent.current_brk());
    child->set_mmap_top(parent.mmap_top());
    for (Mapping const& mapping : parent.mappings()) {
        if (mapping.has(VM_DONTCOPY))
            continue; // madvise(MADV_DONTFORK): not the child's at all
        Mapping* copy = mapping.clone();
        if (!copy)
            return Errno::NoMemory;
        copy->set_flags(copy->flags() & ~VM_LOCKED_MASK); // memory locks are not inherited
        TRY(child->insert_mapping(OwnPtr<Mapping>(copy)));
        if (!mapping.has(VM_WIPEONFORK)) // MADV_WIPEONFORK: the child's starts out empty
            TRY(fork_mapping_pages(parent, mapping, *child));
    }
    ++parent.context().stats.forks;
    return child;
}
