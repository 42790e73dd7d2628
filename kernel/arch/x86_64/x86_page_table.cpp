// X86PageTable: creating and destroying the tables, single-page map/query, and the range
// operations with their batched TLB invalidation. Sharing leaf tables between address
// spaces (fork) is in x86_table_sharing.cpp.
#include "x86_page_table.h"
#include "kernel/lib/assert.h"
#include "kernel/lib/profile.h"
#include "x86_page_table_entries.h"
#include <new>

using namespace x86_pte;

// What unmap() has taken out of the table but not yet handed back (Linux's mmu_gather):
// released entries and freed table frames wait here until no TLB can hold them any more
// (this CPU's and, by shootdown, every other CPU's that has the table loaded), then go to
// the caller's `release` and back to the frame allocator. A table loaded on no CPU has
// nothing in any TLB (an exiting address space, a vfork parent's child...), so then
// everything goes back at once, as Linux's full-mm gather does at exit.
class X86PageTable::Unmapped {
public:
    Unmapped(X86PageTable& table, PteVisitor release)
        : m_table(table)
        , m_release(release)
        , m_immediate(!table.m_mmu.is_loaded(table.pml4_physical()) && !table.m_mmu.is_loaded_elsewhere(table.pml4_physical()))
    { }
    ~Unmapped() { finish(); }

    // A leaf entry just cleared: `entry` as it was, under directory entry `directory`.
    void entry(VirtAddr va, u64 entry, u64 directory)
    {
        if (m_immediate)
            m_release(va, describe(entry, directory));
        else
            gather(va, entry, directory);
    }
    void table(FrameNumber frame)
    {
        if (m_immediate) {
            m_table.m_frames.unref(frame);
            return;
        }
        if (m_table_count == TABLE_CAPACITY)
            finish();
        m_tables[m_table_count++] = frame;
        m_flush.add_everything();
    }
    [[gnu::noinline]] void gather(VirtAddr va, u64 entry, u64 directory)
    {
        if (m_entry_count == ENTRY_CAPACITY)
            finish();
        m_entries[m_entry_count++] = { va, entry, directory };
        m_flush.add_page(va);
    }
    void finish()
    {
        m_table.flush(m_flush);
        m_flush.reset();
        for (usize i = 0; i < m_entry_count; ++i)
            m_release(m_entries[i].va, describe(m_entries[i].entry, m_entries[i].directory));
        for (usize i = 0; i < m_table_count; ++i)
            m_table.m_frames.unref(m_tables[i]);
        m_entry_count = m_table_count = 0;
    }

private:
    static constexpr usize ENTRY_CAPACITY = 64, TABLE_CAPACITY = 16;
    X86PageTable& m_table;
    PteVisitor m_release;
    bool m_immediate;
    // Raw entries, no PteInfo: an array of those would be zeroed at every construction.
    struct {
        VirtAddr va;
        u64 entry;
        u64 directory;
    } m_entries[ENTRY_CAPACITY];
    FrameNumber m_tables[TABLE_CAPACITY];
    usize m_entry_count { 0 }, m_table_count { 0 };
    TlbFlush m_flush;
};

Result<X86PageTable*> X86PageTable::create(Services const& services)
{
    FrameNumber pml4 = TRY(services.frames.allocate());
    services.frames.frame(pml4).flags |= Frame::PageTable;
    services.frames.frame(pml4).entries_in_use = 0;
    auto* table = reinterpret_cast<u64*>(services.physical.map_frame(pml4));
    for (int i = 0; i < 256; ++i)
        table[i] = 0;
    // The kernel half, shared by every address space (none on the host).
    if (u64 const* kernel = services.mmu.kernel_half())
        for (int i = 0; i < 256; ++i)
            table[256 + i] = kernel[i];
    else
        for (int i = 256; i < 512; ++i)
            table[i] = 0;
    auto* page_table = new (std::nothrow) X86PageTable(services, pml4);
    if (!page_table) {
        services.frames.unref(pml4);
        return Errno::NoMemory;
    }
    return page_table;
}

X86PageTable::~X86PageTable()
{
    VERIFY(!m_mmu.is_loaded(pml4_physical()));
    // CPUs that borrow this table (a kernel thread runs there on the table loaded last) let
    // go of it before its frames are freed.
    if (m_mmu.is_loaded_elsewhere(pml4_physical())) {
        TlbFlush everything;
        everything.add_everything();
        flush(everything);
    }
    // Free the user half's tables. Leaf frames belong to the AddressSpace, which has released
    // them before destroying us; a leaf table still present here is one shared with another
    // address space, and unref drops just our share of it.
    u64* pml4 = table_of(m_pml4);
    // Usually the address space's teardown has emptied the user half already.
    for (int i = 0; i < 256 && m_frames.frame(m_pml4).entries_in_use; ++i) {
        if (!(pml4[i] & PRESENT))
            continue;
        u64* pdpt = table_of(frame_of(pml4[i]));
        for (int j = 0; j < 512; ++j) {
            if (!(pdpt[j] & PRESENT))
                continue;
            u64* pd = table_of(frame_of(pdpt[j]));
            for (int k = 0; k < 512; ++k)
                if (pd[k] & PRESENT)
                    m_frames.unref(frame_of(pd[k]));
            m_frames.unref(frame_of(pdpt[j]));
        }
        m_frames.unref(frame_of(pml4[i]));
    }
    m_frames.unref(m_pml4);
}

void X86PageTable::activate() { m_mmu.load(pml4_physical()); }

void X86PageTable::flush(TlbFlush const& batch)
{
    // Only CPUs that have this table loaded can hold its entries (loading another drops
    // them): this one, and those running other threads of the address space, which must
    // have forgotten the old entries before we go on (tlb_shootdown.h).
    if (batch.is_empty())
        return;
    if (usize cpus = m_mmu.shoot_down(pml4_physical(), batch)) {
        ++m_stats.tlb_shootdowns;
        m_stats.tlb_shootdown_cpus += cpus;
        if (batch.everything())
            ++m_stats.tlb_shootdown_full;
        else
            m_stats.tlb_shootdown_pages += batch.count();
    }
    if (!m_mmu.is_loaded(pml4_physical()))
        return;
    if (batch.everything()) {
        m_mmu.invalidate_all();
        return;
    }
    for (usize i = 0; i < batch.count(); ++i)
        m_mmu.invalidate_page(batch.page(i));
}

bool X86PageTable::add_table(u64& entry, FrameNumber parent)
{
    auto frame = m_frames.allocate();
    if (frame.is_error())
        return false;
    m_frames.frame(frame.value()).flags |= Frame::PageTable;
    m_frames.frame(frame.value()).entries_in_use = 0;
    u64* table = table_of(frame.value());
    for (int i = 0; i < 512; ++i)
        table[i] = 0;
    ++m_table_pages;
    ++m_frames.frame(parent).entries_in_use;
    // Intermediate entries allow everything; the leaf decides.
    entry = frame_to_physical(frame.value()) | PRESENT | WRITABLE | USER;
    return true;
}

u64* X86PageTable::directory_entry(VirtAddr va, bool allocate, FrameNumber* directory) const
{
    VERIFY(va < USER_HALF_END);
    auto* self = const_cast<X86PageTable*>(this);
    FrameNumber table_frame = m_pml4;
    for (int level = 3; level > 1; --level) {
        u64& entry = table_of(table_frame)[index_at_level(va, level)];
        if (!(entry & PRESENT)) {
            if (!allocate || !self->add_table(entry, table_frame))
                return nullptr;
        }
        table_frame = frame_of(entry);
    }
    if (directory)
        *directory = table_frame;
    return &table_of(table_frame)[index_at_level(va, 1)];
}

VirtAddr X86PageTable::skip_absent_subtrees(VirtAddr va, VirtAddr end) const
{
    while (va < end) {
        u64 e4 = table_of(m_pml4)[index_at_level(va, 3)];
        if (!(e4 & PRESENT)) {
            va = end_of_entry(va, 3);
            continue;
        }
        if (!(table_of(frame_of(e4))[index_at_level(va, 2)] & PRESENT)) {
            va = end_of_entry(va, 2);
            continue;
        }
        break;
    }
    return va;
}

Result<void> X86PageTable::map(VirtAddr va, FrameNumber frame, PageAccess access)
{
    FrameNumber leaf;
    u64* table = private_leaf_table(va, leaf, SharedLeafTable::MakePrivate);
    if (!table)
        return Errno::NoMemory;
    u64& entry = table[index_at_level(va, 0)];
    bool was_present = entry & PRESENT;
    entry = leaf_bits(frame, access);
    if (was_present) {
        TlbFlush batch;
        batch.add_page(va);
        flush(batch);
    } else {
        ++m_frames.frame(leaf).entries_in_use;
    }
    return {};
}

PageTable::Fill X86PageTable::fill_absent(VirtAddr va, FrameNumber frame, PageAccess access)
{
    FrameNumber leaf;
    u64* table = private_leaf_table(va, leaf, SharedLeafTable::Refuse);
    if (!table)
        return Fill::Refused;
    u64& entry = table[index_at_level(va, 0)];
    if (entry & PRESENT)
        return Fill::AlreadyPresent;
    // Absent before, so no CPU can hold a translation to flush (x86 caches no absent entry).
    entry = leaf_bits(frame, access);
    ++m_frames.frame(leaf).entries_in_use;
    return Fill::Filled;
}

PteInfo X86PageTable::query(VirtAddr va) const
{
    u64* directory = directory_entry(va, false);
    if (!directory || !(*directory & PRESENT))
        return {};
    u64 entry = table_of(frame_of(*directory))[index_at_level(va, 0)];
    if (!(entry & PRESENT))
        return {};
    return describe(entry, *directory);
}

bool X86PageTable::clear_accessed(VirtAddr va)
{
    u64* directory = directory_entry(va, false);
    if (!directory || !(*directory & PRESENT))
        return false;
    u64& entry = table_of(frame_of(*directory))[index_at_level(va, 0)];
    if (!(entry & PRESENT))
        return false;
    if (!(*directory & WRITABLE))
        return true; // a shared leaf table: its entries are not ours alone to change
    if (!(entry & ACCESSED))
        return false;
    // Atomically: another CPU's page walk may be setting DIRTY in the same entry.
    __atomic_fetch_and(&entry, ~ACCESSED, __ATOMIC_RELAXED);
    TlbFlush batch;
    batch.add_page(va);
    flush(batch);
    return true;
}

void X86PageTable::for_each_present(VirtAddr start, VirtAddr end, PteVisitor visit) const
{
    end = min<VirtAddr>(end, USER_HALF_END);
    u64 const* pml4 = table_of(m_pml4);
    for (VirtAddr va = start; va < end;) {
        // Skip whole absent subtrees: 512 GiB, 1 GiB, 2 MiB at a time.
        u64 e4 = pml4[index_at_level(va, 3)];
        if (!(e4 & PRESENT)) {
            va = end_of_entry(va, 3);
            continue;
        }
        u64 e3 = table_of(frame_of(e4))[index_at_level(va, 2)];
        if (!(e3 & PRESENT)) {
            va = end_of_entry(va, 2);
            continue;
        }
        u64 e2 = table_of(frame_of(e3))[index_at_level(va, 1)];
        if (!(e2 & PRESENT)) {
            va = end_of_entry(va, 1);
            continue;
        }
        u64 const* leaf = table_of(frame_of(e2));
        VirtAddr table_end = min<VirtAddr>(end_of_entry(va, 1), end);
        for (; va < table_end; va += PAGE_SIZE) {
            u64 entry = leaf[index_at_level(va, 0)];
            if (entry & PRESENT)
                visit(va, describe(entry, e2));
        }
    }
}

Result<void> X86PageTable::update_entries(
    VirtAddr start, VirtAddr end, FunctionRef<u64(VirtAddr, u64 entry, u64 directory_entry)> updated, TlbFlush& batch)
{
    end = min<VirtAddr>(end, USER_HALF_END);
    for (VirtAddr va = start; va < end;) {
        u64* directory = directory_entry(va, false);
        if (!directory) { // no PDPT or directory here: skip the whole absent subtree
            va = skip_absent_subtrees(va, end);
            continue;
        }
        VirtAddr chunk_end = min<VirtAddr>(end_of_entry(va, 1), end);
        if (!(*directory & PRESENT)) {
            va = chunk_end;
            continue;
        }
        for (; va < chunk_end; va += PAGE_SIZE) {
            for (;;) {
                u64* entry = &table_of(frame_of(*directory))[index_at_level(va, 0)];
                u64 raw = __atomic_load_n(entry, __ATOMIC_RELAXED);
                if (!(raw & PRESENT))
                    break;
                // In a shared table the leaf's W bit is left as it was before the fork; what
                // the entry grants is without it, and that is what an update is compared against.
                bool shared = !(*directory & WRITABLE);
                u64 current = shared ? (raw & ~WRITABLE) : raw;
                u64 value = updated(va, current, *directory);
                if (value == current)
                    break;
                if (shared) {
                    if (!make_private(*directory))
                        return Errno::NoMemory;
                    continue; // decide again, on the entry in our own copy
                }
                if (replace_entry(*entry, raw, value)) {
                    batch.add_page(va);
                    break;
                }
            }
        }
    }
    return {};
}

Result<void> X86PageTable::protect_page(VirtAddr va, PageAccess access)
{
    // The fault path's one-page protect (copy-on-write reuse, write-notify): straight to
    // the entry, one invalidation.
    u64* directory = directory_entry(va, false);
    if (!directory || !(*directory & PRESENT))
        return {};
    if (!(table_of(frame_of(*directory))[index_at_level(va, 0)] & PRESENT))
        return {};
    if (!(*directory & WRITABLE) && !make_private(*directory))
        return Errno::NoMemory;
    u64& entry = table_of(frame_of(*directory))[index_at_level(va, 0)];
    for (;;) {
        u64 raw = __atomic_load_n(&entry, __ATOMIC_RELAXED);
        u64 updated = leaf_bits(frame_of(raw), access) | (raw & (ACCESSED | DIRTY));
        if (updated == raw)
            return {};
        if (replace_entry(entry, raw, updated))
            break;
    }
    TlbFlush batch;
    batch.add_page(va);
    flush(batch);
    return {};
}

Result<void> X86PageTable::protect(VirtAddr start, VirtAddr end, FunctionRef<PageAccess(VirtAddr, PteInfo const&)> decide)
{
    TlbFlush batch;
    auto result = update_entries(
        start, end,
        [&](VirtAddr va, u64 entry, u64 directory) {
            return leaf_bits(frame_of(entry), decide(va, describe(entry, directory))) | (entry & (ACCESSED | DIRTY));
        },
        batch);
    flush(batch); // also after a failure: what changed must not linger in the TLB
    return result;
}

Result<void> X86PageTable::clean(VirtAddr start, VirtAddr end, PteVisitor was_dirty)
{
    TlbFlush batch;
    auto result = update_entries(
        start, end,
        [&](VirtAddr va, u64 entry, u64 directory) {
            if (entry & DIRTY)
                was_dirty(va, describe(entry, directory));
            return entry & ~DIRTY;
        },
        batch);
    flush(batch);
    return result;
}

u64* X86PageTable::private_leaf_table(VirtAddr va, FrameNumber& frame, SharedLeafTable if_shared)
{
    FrameNumber directory_frame;
    u64* directory = directory_entry(va, true, &directory_frame);
    if (!directory)
        return nullptr;
    if (!(*directory & PRESENT) && !add_table(*directory, directory_frame))
        return nullptr;
    if (!(*directory & WRITABLE) && (if_shared == SharedLeafTable::Refuse || !make_private(*directory)))
        return nullptr;
    frame = frame_of(*directory);
    return table_of(frame);
}

Result<void> X86PageTable::fork_range(
    PageTable& child_table, VirtAddr start, VirtAddr end, FunctionRef<Result<ForkedEntry>(VirtAddr, PteInfo const&)> decide)
{
    auto& child = static_cast<X86PageTable&>(child_table);
    end = min<VirtAddr>(end, USER_HALF_END);
    TlbFlush batch;
    Result<void> result;
    for (VirtAddr va = start; va < end && !result.is_error();) {
        u64* directory = directory_entry(va, false);
        if (!directory) { // no PDPT or directory here: skip the whole absent subtree
            va = skip_absent_subtrees(va, end);
            continue;
        }
        VirtAddr chunk_end = min<VirtAddr>(end_of_entry(va, 1), end);
        if (!(*directory & PRESENT)) {
            va = chunk_end;
            continue;
        }
        // The child's leaf table for this chunk: found or made once, not per entry.
        u64* child_leaf = nullptr;
        Frame* child_leaf_record = nullptr;
        u64* leaf = table_of(frame_of(*directory));
        for (; va < chunk_end; va += PAGE_SIZE) {
            u64* entry = &leaf[index_at_level(va, 0)];
            if (!(*entry & PRESENT))
                continue;
            if (!child_leaf) {
                FrameNumber child_leaf_frame;
                if (!(child_leaf = child.private_leaf_table(va, child_leaf_frame, SharedLeafTable::MakePrivate))) {
                    result = Errno::NoMemory;
                    break;
                }
                child_leaf_record = &m_frames.frame(child_leaf_frame);
            }
            auto verdict = decide(va, describe(*entry, *directory));
            if (verdict.is_error()) {
                result = verdict.error();
                break;
            }
            ForkedEntry const& forked = verdict.value();
            if (forked.give_child) {
                u64& child_entry = child_leaf[index_at_level(va, 0)];
                if (!(child_entry & PRESENT))
                    ++child_leaf_record->entries_in_use;
                child_entry = leaf_bits(forked.child_frame, forked.child_access);
            }
            // As update_entries: compared with what the entry grants (in a shared table, no W).
            bool shared = !(*directory & WRITABLE);
            u64 current = shared ? (*entry & ~WRITABLE) : *entry;
            u64 updated = leaf_bits(frame_of(*entry), forked.parent_access) | (*entry & (ACCESSED | DIRTY));
            if (updated == current)
                continue;
            if (shared) {
                if (!make_private(*directory)) {
                    result = Errno::NoMemory;
                    break;
                }
                leaf = table_of(frame_of(*directory)); // the copy
                entry = &leaf[index_at_level(va, 0)];
            }
            // Another thread of the parent may be writing on another CPU: its page walk can
            // set DIRTY between our read and our write, and that bit must not be lost.
            for (u64 raw = *entry; !replace_entry(*entry, raw, updated); raw = *entry)
                updated = leaf_bits(frame_of(raw), forked.parent_access) | (raw & (ACCESSED | DIRTY));
            batch.add_page(va);
        }
    }
    flush(batch);
    return result;
}

Result<void> X86PageTable::unmap(VirtAddr start, VirtAddr end, PteVisitor release)
{
    end = min<VirtAddr>(end, USER_HALF_END);
    if (start >= end)
        return {};
    Unmapped unmapped(*this, release);
    // Level by level, each table's pointer found once: an unmap may span the whole user
    // half (an exiting address space), and absent 512 GiB and 1 GiB subtrees are skipped
    // an entry at a time.
    // Each scan also stops once its table has no entries left (usually long before its end).
    u64* pml4 = table_of(m_pml4);
    Frame& pml4_record = m_frames.frame(m_pml4);
    for (VirtAddr va4 = start; va4 < end && pml4_record.entries_in_use; va4 = end_of_entry(va4, 3)) {
        u64& e4 = pml4[index_at_level(va4, 3)];
        if (!(e4 & PRESENT))
            continue;
        FrameNumber pdpt = frame_of(e4);
        u64* pdpt_entries = table_of(pdpt);
        Frame& pdpt_record = m_frames.frame(pdpt);
        VirtAddr end4 = min<VirtAddr>(end_of_entry(va4, 3), end);
        for (VirtAddr va3 = va4; va3 < end4 && pdpt_record.entries_in_use; va3 = end_of_entry(va3, 2)) {
            u64& e3 = pdpt_entries[index_at_level(va3, 2)];
            if (!(e3 & PRESENT))
                continue;
            FrameNumber directory = frame_of(e3);
            u64* directory_entries = table_of(directory);
            Frame& directory_record = m_frames.frame(directory);
            VirtAddr end3 = min<VirtAddr>(end_of_entry(va3, 2), end);
            for (VirtAddr chunk = va3 & ~(LEAF_TABLE_SPAN - 1); chunk < end3 && directory_record.entries_in_use;
                 chunk += LEAF_TABLE_SPAN) {
                u64& entry = directory_entries[index_at_level(chunk, 1)];
                if (entry & PRESENT)
                    TRY(unmap_chunk(chunk, entry, directory, start, end, unmapped));
            }
            // A directory (and then a PDPT) left empty goes too.
            if (directory_record.entries_in_use != 0)
                continue;
            unmapped.table(directory);
            e3 = 0;
            --pdpt_record.entries_in_use;
            --m_table_pages;
        }
        if (pdpt_record.entries_in_use != 0)
            continue;
        unmapped.table(pdpt);
        e4 = 0;
        --pml4_record.entries_in_use;
        --m_table_pages;
    }
    return {};
}

Result<void> X86PageTable::unmap_chunk(
    VirtAddr chunk, u64& entry, FrameNumber directory, VirtAddr start, VirtAddr end, Unmapped& unmapped)
{
    VirtAddr from = max(start, chunk);
    VirtAddr to = min(end, chunk + LEAF_TABLE_SPAN);
    bool whole = from == chunk && to == chunk + LEAF_TABLE_SPAN;
    if (!(entry & WRITABLE)) {
        if (whole && m_frames.ref_count(frame_of(entry)) > 1) {
            // Let go of our share: the table and its frames stay with the other sharers.
            unmapped.table(frame_of(entry));
            entry = 0;
            --m_frames.frame(directory).entries_in_use;
            --m_table_pages;
            return {};
        }
        if (whole)
            entry |= WRITABLE; // the last sharer clears all of it: nothing to protect
        else if (!make_private(entry))
            return Errno::NoMemory;
    }
    FrameNumber leaf = frame_of(entry);
    u64* entries = table_of(leaf);
    Frame& leaf_record = m_frames.frame(leaf);
    for (VirtAddr va = from; va < to && leaf_record.entries_in_use; va += PAGE_SIZE) {
        u64& e = entries[index_at_level(va, 0)];
        if (!(e & PRESENT))
            continue;
        u64 cleared = __atomic_exchange_n(&e, 0, __ATOMIC_RELAXED); // DIRTY may be set meanwhile
        --leaf_record.entries_in_use;
        unmapped.entry(va, cleared, entry);
    }
    if (leaf_record.entries_in_use == 0) {
        unmapped.table(leaf);
        entry = 0;
        --m_frames.frame(directory).entries_in_use;
        --m_table_pages;
    }
    return {};
}

Result<PageTable*> X86PageTableFactory::create()
{
    auto table = TRY(X86PageTable::create(m_services));
    return static_cast<PageTable*>(table);
}
