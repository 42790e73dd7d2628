#include "page_table.h"

// The plain way, for tables that never share: find the present entries (for_each_present
// skips empty stretches quickly, so a release may span the whole user half) and remove
// them, a batch at a time since entries cannot be removed from inside the visit.
void PageTable::release_range(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> release)
{
    constexpr usize BATCH = 64;
    struct Found {
        VirtAddr va;
        PteInfo pte;
    } found[BATCH];
    VirtAddr from = start;
    while (from < end) {
        usize count = 0;
        for_each_present(from, end, [&](VirtAddr va, PteInfo const& pte) {
            if (count < BATCH)
                found[count++] = { va, pte };
        });
        if (count == 0)
            return;
        for (usize i = 0; i < count; ++i) {
            unmap(found[i].va);
            release(found[i].va, found[i].pte);
        }
        from = found[count - 1].va + PAGE_SIZE;
    }
}
