#include "page_table.h"

// The plain way, for tables that never share: look at every page.
void PageTable::release_range(VirtAddr start, VirtAddr end, FunctionRef<void(VirtAddr, PteInfo const&)> release)
{
    for (VirtAddr va = start; va < end; va += PAGE_SIZE) {
        PteInfo pte = query(va);
        if (!pte.present)
            continue;
        unmap(va);
        release(va, pte);
    }
}
