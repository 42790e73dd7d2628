#include "fake_page_table.h"

#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>
#include <vector>

FakePageTable::~FakePageTable() { --live_tables; }

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

Result<void> FakePageTable::unmap(VirtAddr start, VirtAddr end, PteVisitor release)
{
    ++unmap_calls;
    std::vector<std::pair<VirtAddr, PteInfo>> removed;
    for (auto it = m_entries.lower_bound(start); it != m_entries.end() && it->first < end;) {
        removed.emplace_back(it->first, info(it->second));
        it = m_entries.erase(it);
    }
    // As the real table does: the TLB flush comes before the caller gets the frames back.
    if (!removed.empty())
        ++flushes;
    for (auto const& [va, pte] : removed)
        release(va, pte);
    return {};
}

Result<void> FakePageTable::protect(VirtAddr start, VirtAddr end, FunctionRef<PageAccess(VirtAddr, PteInfo const&)> decide)
{
    ++protect_calls;
    bool changed = false;
    for (auto it = m_entries.lower_bound(start); it != m_entries.end() && it->first < end; ++it) {
        PageAccess access = decide(it->first, info(it->second));
        Entry& e = it->second;
        changed |= access.writable != e.access.writable || access.executable != e.access.executable
            || access.accessible != e.access.accessible;
        e.access = access;
    }
    if (changed)
        ++flushes;
    return {};
}

Result<void> FakePageTable::clean(VirtAddr start, VirtAddr end, PteVisitor was_dirty)
{
    bool changed = false;
    for (auto it = m_entries.lower_bound(start); it != m_entries.end() && it->first < end; ++it) {
        if (!it->second.dirty)
            continue;
        was_dirty(it->first, info(it->second));
        it->second.dirty = false;
        changed = true;
    }
    if (changed)
        ++flushes;
    return {};
}

bool FakePageTable::clear_accessed(VirtAddr va)
{
    auto it = m_entries.find(page_round_down(va));
    if (it == m_entries.end())
        return false;
    bool was = it->second.accessed;
    it->second.accessed = false;
    return was;
}

PteInfo FakePageTable::query(VirtAddr va) const
{
    auto it = m_entries.find(page_round_down(va));
    if (it == m_entries.end())
        return {};
    return info(it->second);
}

PteInfo FakePageTable::info(Entry const& e)
{
    return PteInfo { true, e.frame, e.access.writable, e.access.executable, e.dirty, e.accessed };
}

Result<void> FakePageTable::fork_range(
    PageTable& child_table, VirtAddr start, VirtAddr end, FunctionRef<Result<ForkedEntry>(VirtAddr, PteInfo const&)> decide)
{
    auto& child = static_cast<FakePageTable&>(child_table);
    bool changed = false;
    Result<void> result;
    for (auto it = m_entries.lower_bound(start); it != m_entries.end() && it->first < end; ++it) {
        // The child's entry must be sure to go in before decide() takes references for it.
        if (child.m_map_budget == 0) {
            result = Errno::NoMemory;
            break;
        }
        auto verdict = decide(it->first, info(it->second));
        if (verdict.is_error()) {
            result = verdict.error();
            break;
        }
        if (verdict.value().give_child)
            MUST(child.map(it->first, verdict.value().child_frame, verdict.value().child_access));
        PageAccess& access = it->second.access;
        PageAccess wanted = verdict.value().parent_access;
        changed |= wanted.writable != access.writable || wanted.executable != access.executable
            || wanted.accessible != access.accessible;
        access = wanted;
    }
    if (changed)
        ++flushes;
    return result;
}

void FakePageTable::for_each_present(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> visit) const
{
    // The visitor must not change the table; count entries to catch one that maps or unmaps.
    usize before = m_entries.size();
    for (auto it = m_entries.lower_bound(start); it != m_entries.end() && it->first < end; ++it) {
        visit(it->first, info(it->second));
        EXPECT_EQ(before, m_entries.size()) << "for_each_present visitor mapped or unmapped";
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

u8* FakePhysicalAccess::allocate_arena(u64 count)
{
    auto* arena = static_cast<u8*>(malloc(count * PAGE_SIZE));
    // Garbage, not zeros, so a test notices memory that should have been zeroed.
    memset(arena, 0xa5, count * PAGE_SIZE);
    return arena;
}

FakePhysicalAccess::FakePhysicalAccess(FrameNumber base, u64 count)
    : PhysicalAccess(allocate_arena(count), base, count), m_arena(map_frame(base))
{ }

FakePhysicalAccess::~FakePhysicalAccess() { free(m_arena); }
