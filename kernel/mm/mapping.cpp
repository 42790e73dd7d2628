#include "mapping.h"

#include "../lib/assert.h"
#include "page_cache.h"
#include <new>

Mapping::Mapping(VirtAddr start, VirtAddr end, u32 prot, MappingSharing sharing, char const* name)
    : m_start(start), m_end(end), m_prot(prot & VM_PROT_MASK), m_sharing(sharing)
{
    VERIFY(is_page_aligned(start) && is_page_aligned(end) && start < end);
    set_name(name);
}

void Mapping::set_name(char const* name)
{
    usize i = 0;
    if (name)
        for (; name[i] && i + 1 < NAME_CAPACITY; ++i)
            m_name[i] = name[i];
    m_name[i] = '\0';
}

Mapping::~Mapping()
{
    if (m_cache) {
        PageCache::MappingList::remove(*this);
        if (MappingObserver* observer = m_cache->observer())
            observer->mapping_closed(*this);
    }
}

void Mapping::set_backing(RefPtr<PageCache> cache, u64 file_offset)
{
    VERIFY(!m_cache && cache && is_page_aligned(file_offset));
    m_cache = std::move(cache);
    m_file_offset = file_offset;
    m_cache->m_mappings.append(*this);
    if (MappingObserver* observer = m_cache->observer())
        observer->mapping_opened(*this);
}

bool Mapping::is_anonymous() const { return !m_cache || m_cache->is_anonymous(); }

Mapping* Mapping::clone() const { return clone_moved(m_start, m_start, size()); }

Mapping* Mapping::clone_moved(VirtAddr from, VirtAddr start, u64 length) const
{
    VERIFY(contains(from) && is_page_aligned(from));
    auto* copy = new (std::nothrow) Mapping(start, start + length, m_prot, m_sharing, m_name);
    if (!copy)
        return nullptr;
    copy->m_address_space = m_address_space;
    copy->m_max_prot = m_max_prot;
    copy->m_flags = m_flags;
    u64 offset = m_file_offset + (from - m_start);
    if (m_cache)
        copy->set_backing(m_cache, offset);
    else
        copy->m_file_offset = offset;
    return copy;
}

static bool names_equal(char const* a, char const* b)
{
    while (*a && *a == *b)
        ++a, ++b;
    return *a == *b;
}

bool Mapping::can_merge_with(Mapping const& next) const
{
    return m_end == next.m_start && m_prot == next.m_prot && m_max_prot == next.m_max_prot && m_flags == next.m_flags
        && m_sharing == next.m_sharing && is_private() && !m_cache && !next.m_cache && names_equal(m_name, next.m_name);
}
