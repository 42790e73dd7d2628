#include "page_limit.h"
#include "../lib/assert.h"
#include <new>

Result<RefPtr<PageLimit>> PageLimit::create(u64 max_pages)
{
    auto* limit = new (std::nothrow) PageLimit(max_pages);
    if (!limit)
        return Errno::NoMemory;
    return adopt_ref(limit);
}

void PageLimit::uncharge()
{
    VERIFY(m_used_pages > 0);
    --m_used_pages;
}
