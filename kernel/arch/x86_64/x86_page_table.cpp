#include "x86_page_table.h"
#include "cpu.h"
#include "kernel_memory.h"

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

u64* table_at(u64 physical) { return static_cast<u64*>(physical_to_virtual(physical)); }
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

PteInfo describe(u64 entry)
{
    PteInfo info;
    info.present = entry & PTE_PRESENT;
    info.frame = physical_to_frame(entry & PTE_ADDRESS_MASK);
    info.writable = entry & PTE_WRITABLE;
    info.executable = !(entry & PTE_NO_EXECUTE);
    info.dirty = entry & PTE_DIRTY;
    info.accessed = entry & PTE_ACCESSED;
    return info;
}

void zero_frame(FrameNumber frame)
{
    u64* table = table_at(frame_to_physical(frame));
    for (int i = 0; i < 512; ++i)
        table[i] = 0;
}

}

Result<X86PageTable*> X86PageTable::create(FrameAllocator& frames)
{
    FrameNumber pml4 = TRY(frames.allocate());
    frames.frame(pml4).flags |= Frame::PageTable;
    u64* table = table_at(frame_to_physical(pml4));
    u64 const* kernel = table_at(kernel_pml4_physical());
    for (int i = 0; i < 256; ++i)
        table[i] = 0;
    for (int i = 256; i < 512; ++i)
        table[i] = kernel[i];
    auto* page_table = new (std::nothrow) X86PageTable(frames, pml4);
    if (!page_table) {
        frames.unref(pml4);
        return Errno::NoMemory;
    }
    return page_table;
}

X86PageTable::~X86PageTable()
{
    VERIFY(!is_active());
    // Free the user half's intermediate tables; leaf frames belong to the AddressSpace,
    // which has unmapped them before destroying us.
    u64* pml4 = table_at(frame_to_physical(m_pml4));
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
                    m_frames.unref(physical_to_frame(pd[k] & PTE_ADDRESS_MASK));
            m_frames.unref(physical_to_frame(pdpt[j] & PTE_ADDRESS_MASK));
        }
        m_frames.unref(physical_to_frame(pml4[i] & PTE_ADDRESS_MASK));
    }
    m_frames.unref(m_pml4);
}

bool X86PageTable::walk(VirtAddr va, bool allocate, Walk& walk)
{
    VERIFY(va < USER_HALF_END);
    FrameNumber table_frame = m_pml4;
    for (int level = 3; level >= 0; --level) {
        u64& entry = table_at(frame_to_physical(table_frame))[index_at_level(va, level)];
        walk.entry[level] = &entry;
        walk.table[level] = table_frame;
        if (level == 0)
            break;
        if (!(entry & PTE_PRESENT)) {
            if (!allocate)
                return false;
            auto frame = m_frames.allocate();
            if (frame.is_error())
                return false;
            m_frames.frame(frame.value()).flags |= Frame::PageTable;
            m_frames.frame(frame.value()).entries_in_use = 0;
            zero_frame(frame.value());
            ++m_table_pages;
            ++m_frames.frame(table_frame).entries_in_use;
            // Intermediate entries allow everything; the leaf decides.
            entry = frame_to_physical(frame.value()) | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
        }
        table_frame = physical_to_frame(entry & PTE_ADDRESS_MASK);
    }
    return true;
}

u64* X86PageTable::leaf_entry(VirtAddr va) const
{
    Walk result;
    return const_cast<X86PageTable*>(this)->walk(va, false, result) ? result.entry[0] : nullptr;
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

bool X86PageTable::is_active() const { return (cpu::read_cr3() & PTE_ADDRESS_MASK) == pml4_physical(); }

void X86PageTable::flush(VirtAddr va) const
{
    // Only the active table can have entries in this CPU's TLB (CR3 reloads flush the rest).
    if (is_active())
        cpu::invalidate_page(va);
}

Result<void> X86PageTable::map(VirtAddr va, FrameNumber frame, PageAccess access)
{
    Walk path;
    if (!walk(va, true, path))
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
    if (!walk(va, false, path) || !(*path.entry[0] & PTE_PRESENT))
        return;
    *path.entry[0] = 0;
    flush(va);
    --m_frames.frame(path.table[0]).entries_in_use;
    release_empty_tables(path);
}

void X86PageTable::protect(VirtAddr va, PageAccess access)
{
    u64* entry = leaf_entry(va);
    if (!entry || !(*entry & PTE_PRESENT))
        return;
    u64 kept = *entry & (PTE_ACCESSED | PTE_DIRTY);
    *entry = leaf_bits(physical_to_frame(*entry & PTE_ADDRESS_MASK), access) | kept;
    flush(va);
}

void X86PageTable::clear_dirty(VirtAddr va)
{
    u64* entry = leaf_entry(va);
    if (!entry || !(*entry & PTE_PRESENT))
        return;
    *entry &= ~PTE_DIRTY;
    flush(va);
}

PteInfo X86PageTable::query(VirtAddr va) const
{
    u64 const* entry = leaf_entry(va);
    return entry ? describe(*entry) : PteInfo {};
}

void X86PageTable::for_each_present(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> visit) const
{
    end = min<VirtAddr>(end, USER_HALF_END);
    VirtAddr va = page_round_down(start);
    u64 const* pml4 = table_at(frame_to_physical(m_pml4));
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
                visit(va, describe(entry));
        }
    }
}

void X86PageTable::activate() const { cpu::write_cr3(pml4_physical()); }

Result<PageTable*> X86PageTableFactory::create()
{
    auto table = TRY(X86PageTable::create(m_frames));
    return static_cast<PageTable*>(table);
}
