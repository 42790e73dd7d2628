// Copy-on-write of leaf page tables at fork (see x86_page_table.h and docs/mm.md "Sharing
// page tables"): handing a child the parent's leaf tables, and giving an address space its
// own copy of a shared table before any entry in it changes.
#include "kernel/lib/assert.h"
#include "kernel/lib/profile.h"
#include "x86_page_table.h"
#include "x86_page_table_entries.h"

using namespace x86_pte;

bool X86PageTable::make_private(u64& directory_entry)
{
    PROFILE("fault: shared leaf table made private");
    FrameNumber shared = frame_of(directory_entry);
    u64* entries = table_of(shared);
    if (m_frames.ref_count(shared) == 1) {
        // The last sharer keeps the table itself. Its frames may also be mapped by copies
        // other sharers made, so write-protect every entry: a write then faults and mm
        // decides, from the frame's refcount, whether to copy or reuse it.
        for (int i = 0; i < 512; ++i)
            entries[i] &= ~WRITABLE;
    } else {
        auto copy = m_frames.allocate();
        if (copy.is_error())
            return false;
        m_frames.frame(copy.value()).flags |= Frame::PageTable;
        m_frames.frame(copy.value()).entries_in_use = m_frames.frame(shared).entries_in_use;
        u64* copied = table_of(copy.value());
        for (int i = 0; i < 512; ++i) {
            u64 entry = entries[i];
            if (entry & PRESENT) {
                m_frames.ref(frame_of(entry)); // the copy holds its own reference
                entry &= ~WRITABLE;
            }
            copied[i] = entry;
        }
        // Our share of the old table; the other sharers still hold it, so it stays.
        m_frames.unref(shared);
        directory_entry = frame_to_physical(copy.value()) | (directory_entry & ~ADDRESS_MASK);
        ++m_stats.page_tables_copied;
    }
    directory_entry |= WRITABLE;
    // The directory entry changed (and with it every translation under it).
    TlbFlush batch;
    batch.add_everything();
    flush(batch);
    return true;
}

u32 X86PageTable::leaf_table_entries(VirtAddr chunk) const
{
    u64* entry = directory_entry(chunk, false);
    if (!entry || !(*entry & PRESENT))
        return 0;
    return m_frames.frame(frame_of(*entry)).entries_in_use;
}

VirtAddr X86PageTable::next_chunk_with_table(VirtAddr chunk, VirtAddr end) const
{
    end = min<VirtAddr>(end, USER_HALF_END);
    while (chunk < end) {
        chunk = skip_absent_subtrees(chunk, end); // whole 512 GiB and 1 GiB holes at once
        if (chunk >= end)
            break;
        u64* entry = directory_entry(chunk, false);
        if (entry && (*entry & PRESENT))
            return chunk;
        chunk = end_of_entry(chunk, 1);
    }
    return end;
}

Result<u64> X86PageTable::share_leaf_tables(PageTable& child_table, VirtAddr start, VirtAddr end)
{
    PROFILE("fork: leaf tables shared");
    VERIFY(start % LEAF_TABLE_SPAN == 0 && end % LEAF_TABLE_SPAN == 0 && end <= USER_HALF_END);
    auto& child = static_cast<X86PageTable&>(child_table);
    u64 shared = 0;
    bool out_of_memory = false;
    for (VirtAddr va = start; va < end; va += LEAF_TABLE_SPAN) {
        u64* parent_entry = directory_entry(va, false);
        if (!parent_entry || !(*parent_entry & PRESENT))
            continue;
        FrameNumber child_directory;
        u64* child_entry = child.directory_entry(va, true, &child_directory);
        if (!child_entry) {
            out_of_memory = true; // what was shared so far stays consistently shared
            break;
        }
        if (*child_entry & PRESENT)
            continue; // already shared (several mappings in one chunk)
        *parent_entry &= ~WRITABLE;
        *child_entry = *parent_entry;
        ++m_frames.frame(child_directory).entries_in_use;
        m_frames.ref(frame_of(*parent_entry));
        ++child.m_table_pages;
        ++shared;
    }
    if (shared) {
        // Our writable directory entries just became read-only.
        TlbFlush batch;
        batch.add_everything();
        flush(batch);
    }
    m_stats.page_tables_shared += shared;
    if (out_of_memory)
        return Errno::NoMemory;
    return shared;
}

Result<void> X86PageTable::unshare(VirtAddr start, VirtAddr end, bool partial_only)
{
    end = min<VirtAddr>(end, USER_HALF_END);
    for (VirtAddr chunk = start & ~(LEAF_TABLE_SPAN - 1); chunk < end;) {
        u64* entry = directory_entry(chunk, false);
        if (!entry) { // no PDPT or directory here: skip the whole absent subtree (1 GiB aligned)
            chunk = skip_absent_subtrees(chunk, end);
            continue;
        }
        VirtAddr here = chunk;
        chunk += LEAF_TABLE_SPAN;
        if (!(*entry & PRESENT) || (*entry & WRITABLE))
            continue;
        bool whole = here >= start && here + LEAF_TABLE_SPAN <= end;
        if (partial_only && whole)
            continue;
        if (!make_private(*entry))
            return Errno::NoMemory;
    }
    return {};
}
