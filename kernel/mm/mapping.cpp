#include "mapping.h"

#include "../lib/assert.h"
#include "page_cache.h"
#include <new>

Mapping::Mapping(VirtAddr start, VirtAddr end, u32 prot, MappingSharing sharing, char const* name)
    : m_start(start)
    , m_end(end)
    , m_prot(prot & VM_PROT_MASK)
    , m_sharing(sharing)
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
    if (m_cache)
        PageCache::MappingList::remove(*this);
}

void Mapping::set_backing(RefPtr<PageCache> cache, u64 file_offset)
{
    VERIFY(!m_cache && cache && is_page_aligned(file_offset));
    m_cache = std::move(cache);
    m_file_offset = file_offset;
    m_cache->m_mappings.append(*this);
}

bool Mapping::is_anonymous() const
{
    return !m_cache || m_cache->is_anonymous();
}

Mapping* Mapping::clone() const
{
    auto* copy = new (std::nothrow) Mapping(m_start, m_end, m_prot, m_sharing, m_name);
    if (!copy)
        return nullptr;
    copy->m_address_space = m_address_space;
    if (m_cache)
        copy->set_backing(m_cache, m_file_offset);
    else
        copy->m_file_offset = m_file_offset;
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
    return m_end == next.m_start && m_prot == next.m_prot && m_sharing == next.m_sharing
        && is_private() && !m_cache && !next.m_cache && names_equal(m_name, next.m_name);
}

MappingSet::~MappingSet()
{
    while (Mapping* mapping = m_list.take_first())
        delete mapping;
}

Mapping* MappingSet::find(VirtAddr va) const
{
    Mapping* mapping = first_ending_after(va);
    return mapping && mapping->contains(va) ? mapping : nullptr;
}

Mapping* MappingSet::first_ending_after(VirtAddr va) const
{
    // A linear walk: processes have tens of mappings. FIXME: an interval tree if that grows.
    for (Mapping& mapping : m_list)
        if (mapping.end() > va)
            return &mapping;
    return nullptr;
}

bool MappingSet::is_free(VirtAddr start, VirtAddr end) const
{
    Mapping* mapping = first_ending_after(start);
    return !mapping || mapping->start() >= end;
}

bool MappingSet::is_fully_mapped(VirtAddr start, VirtAddr end) const
{
    VirtAddr covered = start;
    for (Mapping* mapping = first_ending_after(start); mapping && covered < end; mapping = next(*mapping)) {
        if (mapping->start() > covered)
            return false;
        covered = mapping->end();
    }
    return covered >= end;
}

Result<Mapping*> MappingSet::insert(OwnPtr<Mapping> owned)
{
    Mapping& mapping = *owned;
    if (!is_free(mapping.start(), mapping.end()))
        return Errno::Exists;
    Mapping* above = first_ending_after(mapping.start());
    if (above)
        m_list.insert_before(*above, *owned.leak());
    else
        m_list.append(*owned.leak());
    ++m_count;
    return &mapping;
}

Result<Mapping*> MappingSet::split(Mapping& mapping, VirtAddr at)
{
    VERIFY(is_page_aligned(at) && at > mapping.start() && at < mapping.end());
    Mapping* upper = mapping.clone();
    if (!upper)
        return Errno::NoMemory;
    upper->m_start = at;
    upper->m_file_offset = mapping.m_file_offset + (at - mapping.start());
    mapping.m_end = at;
    Mapping* after = next(mapping);
    if (after)
        m_list.insert_before(*after, *upper);
    else
        m_list.append(*upper);
    ++m_count;
    return upper;
}

Mapping* MappingSet::merge_with_neighbours(Mapping& mapping)
{
    Mapping* survivor = &mapping;
    if (Mapping* before = prev(mapping); before && before->can_merge_with(mapping)) {
        before->m_end = mapping.m_end;
        remove(mapping);
        survivor = before;
    }
    if (Mapping* after = next(*survivor); after && survivor->can_merge_with(*after)) {
        survivor->m_end = after->m_end;
        remove(*after);
    }
    return survivor;
}

void MappingSet::remove(Mapping& mapping)
{
    List::remove(mapping);
    --m_count;
    delete &mapping;
}

Result<VirtAddr> MappingSet::find_free_range(u64 length, VirtAddr lowest, VirtAddr highest) const
{
    if (length == 0 || highest < lowest || length > highest - lowest)
        return Errno::NoMemory;
    // Walk gaps from the top down; `ceiling` is the top of the gap below the mappings seen.
    VirtAddr ceiling = highest;
    for (Mapping* mapping = last(); mapping; mapping = prev(*mapping)) {
        if (mapping->start() >= ceiling)
            continue;
        if (mapping->end() <= ceiling && ceiling - mapping->end() >= length)
            return ceiling - length;
        ceiling = mapping->start();
        if (ceiling < lowest || ceiling - lowest < length)
            return Errno::NoMemory;
    }
    return ceiling - length;
}
