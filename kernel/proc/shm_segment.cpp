#include "shm_segment.h"
#include "kernel/lib/assert.h"
#include "kernel/lib/format.h"
#include "kernel/lib/log.h"
#include <new>

bool ipc_permits(IpcPermission const& perm, Credentials const& who, u32 requested)
{
    u32 wanted = ((requested >> 6) | (requested >> 3) | requested) & 7;
    u32 granted = perm.mode;
    if (who.euid == perm.cuid || who.euid == perm.uid)
        granted >>= 6;
    else if (who.in_group(perm.cgid) || who.in_group(perm.gid))
        granted >>= 3;
    return (wanted & ~granted & 7) == 0 || who.is_privileged();
}

// --- ShmSegment ---

ShmSegment::~ShmSegment() { m_cache->set_observer(nullptr); }

void ShmSegment::mapping_opened(Mapping const&)
{
    ++m_attach_count;
    attach_time = m_registry.m_environment.now();
    last_pid = m_registry.m_environment.current_pid();
}

void ShmSegment::mapping_closed(Mapping const&)
{
    VERIFY(m_attach_count > 0);
    --m_attach_count;
    detach_time = m_registry.m_environment.now();
    last_pid = m_registry.m_environment.current_pid();
    m_registry.destroy_if_unused(*this);
}

// --- ShmRegistry ---

ShmRegistry::~ShmRegistry()
{
    for (u32 i = 0; i < m_capacity; ++i)
        if (m_slots[i])
            destroy(*m_slots[i]);
    delete[] m_slots;
}

ShmSegment* ShmRegistry::find_key(i32 key)
{
    for (u32 i = 0; i < m_capacity; ++i)
        if (m_slots[i] && m_slots[i]->m_permission.key == key)
            return m_slots[i];
    return nullptr;
}

Result<i32> ShmRegistry::get(i32 key, u64 size, u32 flags, Credentials const& who)
{
    if (key == IPC_PRIVATE)
        return create(key, size, flags, who);
    ShmSegment* segment = find_key(key);
    if (!segment)
        return (flags & IPC_CREAT) ? create(key, size, flags, who) : Errno::NoEntry;
    if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
        return Errno::Exists;
    if (size > segment->m_size)
        return Errno::Invalid;
    if (!ipc_permits(segment->m_permission, who, flags & IPC_MODE_BITS))
        return Errno::Access;
    return segment->m_id;
}

Result<u32> ShmRegistry::free_slot(u32 from, bool asked_for)
{
    u64 limit = min<u64>(m_limits.max_segments, IPC_MNI);
    if (m_in_use >= limit)
        return Errno::NoSpace;
    u32 end = asked_for ? IPC_MNI : static_cast<u32>(limit);
    for (u32 i = from; i < min(end, m_capacity); ++i)
        if (!m_slots[i])
            return i;
    u32 first_new = max(from, m_capacity);
    if (first_new >= end)
        return Errno::NoSpace;
    // Grown to twice the slots (at least 64, and at least up to the slot wanted).
    u32 capacity = min(end, max(first_new + 1, m_capacity ? m_capacity * 2 : 64u));
    auto** slots = new (std::nothrow) ShmSegment* [capacity] {};
    if (!slots)
        return Errno::NoMemory;
    for (u32 i = 0; i < m_capacity; ++i)
        slots[i] = m_slots[i];
    delete[] m_slots;
    m_slots = slots;
    m_capacity = capacity;
    return first_new;
}

Result<i32> ShmRegistry::create(i32 key, u64 size, u32 flags, Credentials const& who)
{
    // Pagoda has no huge pages: Linux without hugetlbfs refuses them so (hstate_sizelog).
    if (flags & SHM_HUGETLB) {
        KLOG_ONCE("shmget(SHM_HUGETLB): huge pages are not implemented: EINVAL");
        return Errno::Invalid;
    }
    u64 pages = page_round_up(size) / PAGE_SIZE;
    if (size < SHM_MIN_SIZE || size > m_limits.max_size)
        return Errno::Invalid;
    if (pages * PAGE_SIZE < size) // the rounding wrapped
        return Errno::NoSpace;
    if (m_total_pages + pages < m_total_pages || m_total_pages + pages > m_limits.max_pages)
        return Errno::NoSpace;
    // Linux charges the segment to its commit count (unless SHM_NORESERVE): weighed
    // against all of memory, as shared anonymous memory is.
    if (!(flags & SHM_NORESERVE) && exceeds_all_memory(m_context, size))
        return Errno::NoMemory;
    RefPtr<PageCache> cache = TRY(PageCache::create_anonymous(m_context, size));
    if (m_in_use >= min<u64>(m_limits.max_segments, IPC_MNI))
        return Errno::NoSpace; // before shm_next_id is used up, as Linux's ipc_addid checks
    i32 wanted = m_limits.next_id;
    m_limits.next_id = -1; // used up by this attempt, whatever comes of it (Linux)
    u32 index = TRY(wanted >= 0 ? free_slot(static_cast<u32>(wanted) % IPC_MNI, true) : free_slot(0, false));
    auto* segment = new (std::nothrow) ShmSegment(*this, cache, size);
    if (!segment)
        return Errno::NoMemory;
    IpcPermission& perm = segment->m_permission;
    perm.key = key;
    perm.uid = perm.cuid = who.euid;
    perm.gid = perm.cgid = who.egid;
    perm.mode = flags & IPC_MODE_BITS;
    if (wanted >= 0) {
        perm.seq = static_cast<u16>(static_cast<u32>(wanted) / IPC_MNI);
    } else {
        perm.seq = static_cast<u16>(m_next_seq);
        m_next_seq = m_next_seq >= IPC_ID_SEQ_MAX ? 0 : m_next_seq + 1;
    }
    segment->m_index = index;
    segment->m_id = static_cast<i32>(u32(perm.seq) * IPC_MNI + index);
    segment->change_time = m_environment.now();
    segment->creator_pid = m_environment.current_pid();
    // Linux names the segment's file "SYSV" and the key in hex, a file in no directory.
    format(segment->m_name, sizeof segment->m_name, "/SYSV%08x (deleted)", static_cast<u32>(key));
    cache->set_observer(segment);
    m_slots[index] = segment;
    ++m_in_use;
    m_total_pages += pages;
    return segment->m_id;
}

Result<ShmSegment*> ShmRegistry::at_index(i32 index)
{
    u32 slot = static_cast<u32>(index) % IPC_MNI;
    if (index < 0 || slot >= m_capacity || !m_slots[slot])
        return Errno::Invalid;
    return m_slots[slot];
}

Result<ShmSegment*> ShmRegistry::find(i32 id)
{
    ShmSegment* segment = TRY(at_index(id));
    if (segment->m_id != id)
        return Errno::Invalid;
    return segment;
}

ShmSegment* ShmRegistry::segment_of(PageCache const* cache)
{
    for (u32 i = 0; cache && i < m_capacity; ++i)
        if (m_slots[i] && m_slots[i]->m_cache.ptr() == cache)
            return m_slots[i];
    return nullptr;
}

void ShmRegistry::release(ShmSegment& segment)
{
    VERIFY(segment.m_attach_count > 0);
    --segment.m_attach_count;
    destroy_if_unused(segment);
}

void ShmRegistry::remove(ShmSegment& segment)
{
    segment.m_permission.mode |= SHM_DEST;
    segment.m_permission.key = IPC_PRIVATE;
    destroy_if_unused(segment);
}

void ShmRegistry::destroy_if_unused(ShmSegment& segment)
{
    if (segment.m_attach_count == 0 && segment.is_marked_for_removal())
        destroy(segment);
}

void ShmRegistry::destroy(ShmSegment& segment)
{
    m_slots[segment.m_index] = nullptr;
    --m_in_use;
    m_total_pages -= segment.page_count();
    // The cache, and with it the pages, goes with the last reference: this one, or the
    // last mapping's if some still exist (only at the registry's own end).
    delete &segment;
}

u64 ShmRegistry::resident_pages() const
{
    u64 pages = 0;
    for (u32 i = 0; i < m_capacity; ++i)
        if (m_slots[i])
            pages += m_slots[i]->m_cache->cached_pages();
    return pages;
}

u32 ShmRegistry::highest_index() const
{
    for (u32 i = m_capacity; i > 0; --i)
        if (m_slots[i - 1])
            return i - 1;
    return 0;
}

void ShmRegistry::for_each(FunctionRef<void(ShmSegment&)> visit)
{
    for (u32 i = 0; i < m_capacity; ++i)
        if (m_slots[i])
            visit(*m_slots[i]);
}
