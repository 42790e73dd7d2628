#include "fake_page_table.h"

#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>

FakePageTable::~FakePageTable()
{
    --live_tables;
}

Result<void> FakePageTable::map(VirtAddr va, FrameNumber frame, PageAccess access)
{
    EXPECT_TRUE(is_page_aligned(va)) << std::hex << va;
    ++map_calls;
    if (m_map_budget == 0)
        return Errno::NoMemory;
    if (m_map_budget > 0)
        --m_map_budget;
    m_entries[va] = Entry { frame, access, false, false };
    return {};
}

void FakePageTable::unmap(VirtAddr va)
{
    ++unmap_calls;
    if (m_entries.erase(va))
        ++flushes;
}

void FakePageTable::protect(VirtAddr va, PageAccess access)
{
    ++protect_calls;
    auto it = m_entries.find(va);
    if (it == m_entries.end())
        return;
    it->second.access = access;
    ++flushes;
}

void FakePageTable::clear_dirty(VirtAddr va)
{
    auto it = m_entries.find(va);
    if (it == m_entries.end())
        return;
    it->second.dirty = false;
    ++flushes;
}

PteInfo FakePageTable::query(VirtAddr va) const
{
    auto it = m_entries.find(page_round_down(va));
    if (it == m_entries.end())
        return {};
    Entry const& e = it->second;
    return PteInfo { true, e.frame, e.access.writable, e.access.executable, e.dirty, e.accessed };
}

void FakePageTable::for_each_present(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> visit) const
{
    // The contract allows protect()/clear_dirty() from the callback; neither changes the
    // map's shape, so the iterator stays valid. Count entries to catch a callback that maps
    // or unmaps, which the contract forbids.
    usize before = m_entries.size();
    for (auto it = m_entries.lower_bound(start); it != m_entries.end() && it->first < end; ++it) {
        Entry const& e = it->second;
        visit(it->first, PteInfo { true, e.frame, e.access.writable, e.access.executable, e.dirty, e.accessed });
        EXPECT_EQ(before, m_entries.size()) << "for_each_present callback mapped or unmapped";
    }
}

void FakePageTable::touch(VirtAddr va, bool write)
{
    auto it = m_entries.find(page_round_down(va));
    ASSERT_NE(it, m_entries.end());
    it->second.accessed = true;
    if (write)
        it->second.dirty = true;
}

FakePageTable::Entry const* FakePageTable::entry(VirtAddr va) const
{
    auto it = m_entries.find(page_round_down(va));
    return it == m_entries.end() ? nullptr : &it->second;
}

Result<PageTable*> FakePageTableFactory::create()
{
    if (m_budget == 0)
        return Errno::NoMemory;
    if (m_budget > 0)
        --m_budget;
    last_created = new FakePageTable;
    last_created->fail_map_after(m_new_table_map_budget);
    return static_cast<PageTable*>(last_created);
}

FakePhysicalAccess::FakePhysicalAccess(FrameNumber base, u64 count)
    : m_base(base)
    , m_count(count)
    , m_arena(static_cast<u8*>(malloc(count * PAGE_SIZE)))
{
    // Garbage, not zeros, so a test notices memory that should have been zeroed.
    memset(m_arena, 0xa5, count * PAGE_SIZE);
}

FakePhysicalAccess::~FakePhysicalAccess()
{
    free(m_arena);
}

u8* FakePhysicalAccess::map_frame(FrameNumber frame)
{
    if (frame < m_base || frame - m_base >= m_count) {
        ADD_FAILURE() << "map_frame of frame " << frame << " outside the arena";
        abort();
    }
    return m_arena + (frame - m_base) * PAGE_SIZE;
}
