// Host-test stand-ins for the VM core's hardware seams: a page table kept in a std::map that
// counts every operation and can be told to fail, its factory, and PhysicalAccess over a
// malloc'd arena.
#pragma once

#include "kernel/mm/page_table.h"
#include "kernel/mm/physical_access.h"
#include <map>

class FakePageTable final : public PageTable {
public:
    struct Entry {
        FrameNumber frame;
        PageAccess access;
        bool dirty;
        bool accessed;
    };

    ~FakePageTable() override;

    Result<void> map(VirtAddr va, FrameNumber frame, PageAccess access) override;
    Result<void> unmap(VirtAddr start, VirtAddr end, PteVisitor release) override;
    Result<void> protect(VirtAddr start, VirtAddr end, FunctionRef<PageAccess(VirtAddr, PteInfo const&)> decide) override;
    Result<void> clean(VirtAddr start, VirtAddr end, PteVisitor was_dirty) override;
    Result<void> fork_range(PageTable& child, VirtAddr start, VirtAddr end,
        FunctionRef<Result<ForkedEntry>(VirtAddr, PteInfo const&)> decide) override;
    bool clear_accessed(VirtAddr va) override;
    PteInfo query(VirtAddr va) const override;
    void for_each_present(VirtAddr start, VirtAddr end, PteVisitor visit) const override;
    void activate() override { ++activations; }
    bool is_loaded() const override { return loaded; }
    usize table_pages() const override { return 0; }

    // What the MMU would do on a successful user access: set accessed/dirty.
    void touch(VirtAddr va, bool write);
    Entry const* entry(VirtAddr va) const;
    usize size() const { return m_entries.size(); }

    // Make every map() after the next `successes` ones fail with NoMemory (-1: never fail).
    void fail_map_after(long successes) { m_map_budget = successes; }

    usize map_calls { 0 };
    usize unmap_calls { 0 };
    usize protect_calls { 0 };
    usize flushes { 0 }; // one per range operation that changed an entry (batched, as the real table)
    usize activations { 0 };
    bool loaded { false }; // what is_loaded() says: a test sets it to take the MMU copy path

    static inline long live_tables { 0 };

    FakePageTable() { ++live_tables; }

private:
    static PteInfo info(Entry const&);
    std::map<VirtAddr, Entry> m_entries;
    long m_map_budget { -1 };
};

class FakePageTableFactory final : public PageTableFactory {
public:
    Result<PageTable*> create() override;
    // Make every create() after the next `successes` ones fail with NoMemory (-1: never).
    void fail_create_after(long successes) { m_budget = successes; }
    // Tables created from now on fail every map() after `successes` ones (-1: never).
    void fail_maps_of_new_tables_after(long successes) { m_new_table_map_budget = successes; }
    FakePageTable* last_created { nullptr };

private:
    long m_budget { -1 };
    long m_new_table_map_budget { -1 };
};

// Frames [base, base+count) backed by one heap arena.
// PhysicalAccess over a malloc'd arena of `count` frames numbered from `base`.
class FakePhysicalAccess final : public PhysicalAccess {
public:
    FakePhysicalAccess(FrameNumber base, u64 count);
    ~FakePhysicalAccess();

private:
    static u8* allocate_arena(u64 count);
    u8* m_arena;
};
