#include "x86_page_table.h"
#include "kernel/lib/profile.h"
#include "cpu.h"
#include "kernel_memory.h"
#include "kernel/lib/log.h"

namespace {

// Page-table entry bits (Intel SDM vol. 3, 4.5).
constexpr u64 PTE_PRESENT = 1ull << 0;
constexpr u64 PTE_WRITABLE = 1ull << 1;
constexpr u64 PTE_USER = 1ull << 2;
constexpr u64 PTE_ACCESSED = 1ull << 5;
constexpr u64 PTE_DIRTY = 1ull << 6;
constexpr u64 PTE_NO_EXECUTE = 1ull << 63;
constexpr u64 PTE_ADDRESS_MASK = 0x000FFFFFFFFFF000ull;

constexpr u64 USER_HALF_END = 0x0000800000000000ull;
constexpr u64 LEAF_TABLE_SPAN = 2 * MiB; // what one leaf table maps
constexpr usize FLUSH_ALL_THRESHOLD = 32; // pages; above this one CR3 reload is cheaper

u64* table_at(u64 physical) { return static_cast<u64*>(physical_to_virtual(physical)); }
u64* table_of(FrameNumber frame) { return table_at(frame_to_physical(frame)); }
FrameNumber frame_of(u64 entry) { return physical_to_frame(entry & PTE_ADDRESS_MASK); }
usize index_at_level(VirtAddr va, int level) { return (va >> (12 + 9 * level)) & 0x1FF; }

u64 leaf_bits(FrameNumber frame, PageAccess access)
{
    u64 entry = frame_to_physical(frame) | PTE_PRESENT;
    // PROT_NONE pages stay present (the PTE records the frame) but user accesses fault.
    if (access.accessible)
        entry |= PTE_USER;
    if (access.writable)
        entry |= PTE_WRITABLE;
    if (!access.executable)
        entry |= PTE_NO_EXECUTE;
    return entry;
}

// What a leaf entry grants, given the directory entry above it: a shared leaf table is
// write-protected as a whole there.
PteInfo describe(u64 entry, u64 directory_entry)
{
    PteInfo info;
    info.present = entry & PTE_PRESENT;
    info.frame = frame_of(entry);
    info.in_shared_table = !(directory_entry & PTE_WRITABLE);
    info.writable = (entry & PTE_WRITABLE) && !info.in_shared_table;
    info.executable = !(entry & PTE_NO_EXECUTE);
    info.dirty = entry & PTE_DIRTY;
    info.accessed = entry & PTE_ACCESSED;
    return info;
}

void zero_table(FrameNumber frame)
{
    u64* table = table_of(frame);
    for (int i = 0; i < 512; ++i)
        table[i] = 0;
}

}

Result<X86PageTable*> X86PageTable::create(FrameAllocator& frames, VmStats& stats)
{
    FrameNumber pml4 = TRY(frames.allocate());
    frames.frame(pml4).flags |= Frame::PageTable;
    frames.frame(pml4).entries_in_use = 0;
    u64* table = table_of(pml4);
    u64 const* kernel = table_at(kernel_pml4_physical());
    for (int i = 0; i < 256; ++i)
        table[i] = 0;
    for (int i = 256; i < 512; ++i)
        table[i] = kernel[i];
    auto* page_table = new (std::nothrow) X86PageTable(frames, stats, pml4);
    if (!page_table) {
        frames.unref(pml4);
        return Errno::NoMemory;
    }
    return page_table;
}

X86PageTable::~X86PageTable()
{
    VERIFY(!is_active());
    // Free the user half's tables. Leaf frames belong to the AddressSpace, which has released
    // them before destroying us; a leaf table still present here is one shared with another
    // address space, and unref drops just our share of it.
    u64* pml4 = table_of(m_pml4);
    for (int i = 0; i < 256; ++i) {
        if (!(pml4[i] & PTE_PRESENT))
            continue;
        u64* pdpt = table_at(pml4[i] & PTE_ADDRESS_MASK);
        for (int j = 0; j < 512; ++j) {
            if (!(pdpt[j] & PTE_PRESENT))
                continue;
            u64* pd = table_at(pdpt[j] & PTE_ADDRESS_MASK);
            for (int k = 0; k < 512; ++k)
                if (pd[k] & PTE_PRESENT)
                    m_frames.unref(frame_of(pd[k]));
            m_frames.unref(frame_of(pdpt[j]));
        }
        m_frames.unref(frame_of(pml4[i]));
    }
    m_frames.unref(m_pml4);
}

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
            entries[i] &= ~PTE_WRITABLE;
    } else {
        auto copy = m_frames.allocate();
        if (copy.is_error())
            return false;
        m_frames.frame(copy.value()).flags |= Frame::PageTable;
        m_frames.frame(copy.value()).entries_in_use = m_frames.frame(shared).entries_in_use;
        u64* copied = table_of(copy.value());
        for (int i = 0; i < 512; ++i) {
            u64 entry = entries[i];
            if (entry & PTE_PRESENT) {
                m_frames.ref(frame_of(entry)); // the copy holds its own reference
                entry &= ~PTE_WRITABLE;
            }
            copied[i] = entry;
        }
        m_frames.unref(shared); // our share of the old table
        directory_entry = frame_to_physical(copy.value()) | (directory_entry & ~PTE_ADDRESS_MASK);
        ++m_stats.page_tables_copied;
    }
    directory_entry |= PTE_WRITABLE;
    flush_all();
    return true;
}

bool X86PageTable::add_table(u64& entry, FrameNumber parent)
{
    auto frame = m_frames.allocate();
    if (frame.is_error())
        return false;
    m_frames.frame(frame.value()).flags |= Frame::PageTable;
    m_frames.frame(frame.value()).entries_in_use = 0;
    zero_table(frame.value());
    ++m_table_pages;
    ++m_frames.frame(parent).entries_in_use;
    // Intermediate entries allow everything; the leaf decides.
    entry = frame_to_physical(frame.value()) | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
    return true;
}

bool X86PageTable::walk(VirtAddr va, Intent intent, Walk& walk)
{
    VERIFY(va < USER_HALF_END);
    FrameNumber table_frame = m_pml4;
    for (int level = 3; level >= 0; --level) {
        u64& entry = table_of(table_frame)[index_at_level(va, level)];
        walk.entry[level] = &entry;
        walk.table[level] = table_frame;
        if (level == 0)
            break;
        bool shared_leaf_table = level == 1 && (entry & PTE_PRESENT) && !(entry & PTE_WRITABLE);
        if (shared_leaf_table && intent != Intent::Read && !make_private(entry))
            return false;
        if (!(entry & PTE_PRESENT)) {
            if (intent != Intent::ModifyAllocating || !add_table(entry, table_frame))
                return false;
        }
        table_frame = frame_of(entry);
    }
    return true;
}

u64 const* X86PageTable::find_leaf(VirtAddr va, u64* directory_entry) const
{
    Walk result;
    if (!const_cast<X86PageTable*>(this)->walk(va, Intent::Read, result))
        return nullptr;
    *directory_entry = *result.entry[1];
    return result.entry[0];
}

u64* X86PageTable::directory_entry(VirtAddr va, bool allocate, FrameNumber* directory)
{
    FrameNumber table_frame = m_pml4;
    for (int level = 3; level > 1; --level) {
        u64& entry = table_of(table_frame)[index_at_level(va, level)];
        if (!(entry & PTE_PRESENT)) {
            if (!allocate || !add_table(entry, table_frame))
                return nullptr;
        }
        table_frame = frame_of(entry);
    }
    if (directory)
        *directory = table_frame;
    return &table_of(table_frame)[index_at_level(va, 1)];
}

void X86PageTable::release_empty_tables(Walk const& walk)
{
    // Level 0's table is the leaf page table; the PML4 (level 3) lives as long as we do.
    for (int level = 0; level < 3; ++level) {
        Frame& table = m_frames.frame(walk.table[level]);
        if (table.entries_in_use != 0)
            return;
        *walk.entry[level + 1] = 0;
        --m_frames.frame(walk.table[level + 1]).entries_in_use;
        m_frames.unref(walk.table[level]);
        --m_table_pages;
    }
}

bool X86PageTable::release_empty_directories(VirtAddr va)
{
    u64& e4 = table_of(m_pml4)[index_at_level(va, 3)];
    if (!(e4 & PTE_PRESENT))
        return false;
    FrameNumber pdpt = frame_of(e4);
    u64& e3 = table_of(pdpt)[index_at_level(va, 2)];
    if (!(e3 & PTE_PRESENT))
        return false;
    FrameNumber directory = frame_of(e3);
    if (m_frames.frame(directory).entries_in_use != 0)
        return false;
    e3 = 0;
    --m_frames.frame(pdpt).entries_in_use;
    m_frames.unref(directory);
    --m_table_pages;
    if (m_frames.frame(pdpt).entries_in_use == 0) {
        e4 = 0;
        --m_frames.frame(m_pml4).entries_in_use;
        m_frames.unref(pdpt);
        --m_table_pages;
    }
    return true;
}

bool X86PageTable::is_active() const { return (cpu::read_cr3() & PTE_ADDRESS_MASK) == pml4_physical(); }

void X86PageTable::flush(VirtAddr va) const
{
    // Only the active table can have entries in this CPU's TLB (CR3 reloads flush the rest).
    if (is_active())
        cpu::invalidate_page(va);
}

void X86PageTable::flush_all() const
{
    if (is_active())
        cpu::write_cr3(pml4_physical());
}

Result<void> X86PageTable::map(VirtAddr va, FrameNumber frame, PageAccess access)
{
    Walk path;
    if (!walk(va, Intent::ModifyAllocating, path))
        return Errno::NoMemory;
    u64& entry = *path.entry[0];
    bool was_present = entry & PTE_PRESENT;
    entry = leaf_bits(frame, access);
    if (was_present)
        flush(va);
    else
        ++m_frames.frame(path.table[0]).entries_in_use;
    return {};
}

void X86PageTable::unmap(VirtAddr va)
{
    Walk path;
    if (!walk(va, Intent::Modify, path) || !(*path.entry[0] & PTE_PRESENT))
        return;
    *path.entry[0] = 0;
    flush(va);
    --m_frames.frame(path.table[0]).entries_in_use;
    release_empty_tables(path);
}

void X86PageTable::protect(VirtAddr va, PageAccess access)
{
    Walk path;
    if (!walk(va, Intent::Modify, path) || !(*path.entry[0] & PTE_PRESENT))
        return;
    u64& entry = *path.entry[0];
    u64 kept = entry & (PTE_ACCESSED | PTE_DIRTY);
    entry = leaf_bits(frame_of(entry), access) | kept;
    flush(va);
}

void X86PageTable::clear_dirty(VirtAddr va)
{
    Walk path;
    if (!walk(va, Intent::Modify, path) || !(*path.entry[0] & PTE_PRESENT))
        return;
    *path.entry[0] &= ~PTE_DIRTY;
    flush(va);
}

PteInfo X86PageTable::query(VirtAddr va) const
{
    u64 directory = 0;
    u64 const* entry = find_leaf(va, &directory);
    return entry ? describe(*entry, directory) : PteInfo {};
}

void X86PageTable::for_each_present(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> visit) const
{
    end = min<VirtAddr>(end, USER_HALF_END);
    VirtAddr va = page_round_down(start);
    u64 const* pml4 = table_of(m_pml4);
    while (va < end) {
        // Skip whole absent subtrees: 512 GiB, 1 GiB, 2 MiB at a time.
        u64 e4 = pml4[index_at_level(va, 3)];
        if (!(e4 & PTE_PRESENT)) {
            va = (va | ((1ull << 39) - 1)) + 1;
            continue;
        }
        u64 e3 = table_at(e4 & PTE_ADDRESS_MASK)[index_at_level(va, 2)];
        if (!(e3 & PTE_PRESENT)) {
            va = (va | ((1ull << 30) - 1)) + 1;
            continue;
        }
        u64 e2 = table_at(e3 & PTE_ADDRESS_MASK)[index_at_level(va, 1)];
        if (!(e2 & PTE_PRESENT)) {
            va = (va | ((1ull << 21) - 1)) + 1;
            continue;
        }
        u64 const* leaf = table_at(e2 & PTE_ADDRESS_MASK);
        VirtAddr table_end = min<VirtAddr>((va | ((1ull << 21) - 1)) + 1, end);
        for (; va < table_end; va += PAGE_SIZE) {
            u64 entry = leaf[index_at_level(va, 0)];
            if (entry & PTE_PRESENT)
                visit(va, describe(entry, e2));
        }
    }
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
        if (!parent_entry || !(*parent_entry & PTE_PRESENT))
            continue;
        FrameNumber child_directory;
        u64* child_entry = child.directory_entry(va, true, &child_directory);
        if (!child_entry) {
            out_of_memory = true; // what was shared so far stays consistently shared
            break;
        }
        if (*child_entry & PTE_PRESENT)
            continue; // already shared (several mappings in one chunk)
        *parent_entry &= ~PTE_WRITABLE;
        *child_entry = *parent_entry;
        ++m_frames.frame(child_directory).entries_in_use;
        m_frames.ref(frame_of(*parent_entry));
        ++child.m_table_pages;
        ++shared;
    }
    if (shared)
        flush_all(); // our writable directory entries just became read-only
    m_stats.page_tables_shared += shared;
    if (out_of_memory)
        return Errno::NoMemory;
    return shared;
}

u32 X86PageTable::leaf_table_entries(VirtAddr chunk) const
{
    u64* entry = const_cast<X86PageTable*>(this)->directory_entry(chunk, false);
    if (!entry || !(*entry & PTE_PRESENT))
        return 0;
    return m_frames.frame(frame_of(*entry)).entries_in_use;
}

Result<void> X86PageTable::unshare(VirtAddr start, VirtAddr end, bool partial_only)
{
    for (VirtAddr chunk = start & ~(LEAF_TABLE_SPAN - 1); chunk < end; chunk += LEAF_TABLE_SPAN) {
        u64* entry = directory_entry(chunk, false);
        if (!entry || !(*entry & PTE_PRESENT) || (*entry & PTE_WRITABLE))
            continue;
        bool whole = chunk >= start && chunk + LEAF_TABLE_SPAN <= end;
        if (partial_only && whole)
            continue;
        if (!make_private(*entry))
            return Errno::NoMemory;
    }
    return {};
}

void X86PageTable::release_range(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> release)
{
    usize pages_cleared = 0;
    bool flush_everything = false;
    end = min<VirtAddr>(end, USER_HALF_END);
    VirtAddr chunk = start & ~(LEAF_TABLE_SPAN - 1);
    while (chunk < end) {
        // Absent upper levels are skipped whole (512 GiB, 1 GiB): a release may span the
        // whole user half (an exiting address space).
        u64 e4 = table_of(m_pml4)[index_at_level(chunk, 3)];
        if (!(e4 & PTE_PRESENT)) {
            chunk = (chunk | ((1ull << 39) - 1)) + 1;
            continue;
        }
        u64 e3 = table_at(e4 & PTE_ADDRESS_MASK)[index_at_level(chunk, 2)];
        if (!(e3 & PTE_PRESENT)) {
            chunk = (chunk | ((1ull << 30) - 1)) + 1;
            continue;
        }
        FrameNumber directory = frame_of(e3);
        u64* directory_entries = table_of(directory);
        VirtAddr directory_end = min<VirtAddr>((chunk | ((1ull << 30) - 1)) + 1, end);
        for (; chunk < directory_end; chunk += LEAF_TABLE_SPAN) {
            u64* entry = &directory_entries[index_at_level(chunk, 1)];
            if (!(*entry & PTE_PRESENT))
                continue;
            if (release_chunk(chunk, *entry, directory, start, end, release, pages_cleared)) {
                flush_everything = true;
                if (release_empty_directories(chunk)) {
                    chunk = directory_end; // the directory itself is gone
                    break;
                }
            }
        }
    }
    if (flush_everything || pages_cleared > FLUSH_ALL_THRESHOLD) {
        flush_all();
    } else if (pages_cleared > 0) {
        for (VirtAddr va = start; va < end; va += PAGE_SIZE)
            flush(va);
    }
}

bool X86PageTable::release_chunk(VirtAddr chunk, u64& entry, FrameNumber directory, VirtAddr start, VirtAddr end,
    FunctionRef<void(VirtAddr, PteInfo const&)> release, usize& pages_cleared)
{
    VirtAddr from = max(start, chunk);
    VirtAddr to = min(end, chunk + LEAF_TABLE_SPAN);
    bool whole = from == chunk && to == chunk + LEAF_TABLE_SPAN;
    if (!(entry & PTE_WRITABLE)) {
        if (whole && m_frames.ref_count(frame_of(entry)) > 1) {
            // Let go of our share: the table and its frames stay with the other sharers.
            m_frames.unref(frame_of(entry));
            entry = 0;
            --m_frames.frame(directory).entries_in_use;
            --m_table_pages;
            return true;
        }
        if (whole) {
            entry |= PTE_WRITABLE; // the last sharer clears all of it: nothing to protect
        } else if (!make_private(entry)) {
            klog("release_range: out of memory unsharing a page table; %lx..%lx left mapped", from, to);
            return false;
        }
    }
    FrameNumber leaf = frame_of(entry);
    u64* entries = table_of(leaf);
    for (VirtAddr va = from; va < to; va += PAGE_SIZE) {
        u64& e = entries[index_at_level(va, 0)];
        if (!(e & PTE_PRESENT))
            continue;
        PteInfo info = describe(e, entry);
        e = 0;
        --m_frames.frame(leaf).entries_in_use;
        ++pages_cleared;
        release(va, info);
    }
    if (m_frames.frame(leaf).entries_in_use != 0)
        return false;
    m_frames.unref(leaf);
    entry = 0;
    --m_frames.frame(directory).entries_in_use;
    --m_table_pages;
    return true;
}

void X86PageTable::activate() { cpu::write_cr3(pml4_physical()); }

Result<PageTable*> X86PageTableFactory::create()
{
    auto table = TRY(X86PageTable::create(m_frames, m_stats));
    return static_cast<PageTable*>(table);
}
