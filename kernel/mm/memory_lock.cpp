// mlock, mlock2, munlock, mlockall, munlockall: locked memory, as a mapping flag.
//
// Linux locks memory so that it is never swapped out. Pagoda has no swap, so a locked page
// is simply one that is faulted in now and kept: VM_LOCKED on a mapping makes mlock fault
// its pages in (populate.cpp), and reclaim, which may drop clean page-cache pages that are
// mapped, leaves the pages of locked mappings alone (reverse_map.cpp). VM_LOCKONFAULT
// (mlock2's MLOCK_ONFAULT, mlockall's MCL_ONFAULT) keeps what gets faulted in without
// faulting anything in now. A fork child's mappings are never locked (fork.cpp), and
// neither is what exec builds.
#include "address_space.h"

Result<void> AddressSpace::change_flags(VirtAddr start, VirtAddr end, FunctionRef<u32(Mapping const&)> change)
{
    // Split only where the flags really change, so that asking for what is there already
    // leaves the mappings as they are (Linux's mlock_fixup and madvise_update_vma).
    auto changes = [&](Mapping const* mapping) { return mapping && change(*mapping) != mapping->flags(); };
    if (changes(m_mappings.find(start)))
        TRY(split_at(start));
    if (changes(m_mappings.find(end)))
        TRY(split_at(end));
    ++m_layout_version;
    for (Mapping* mapping = m_mappings.first_ending_after(start); mapping && mapping->start() < end;
         mapping = m_mappings.next(*mapping))
        mapping->set_flags(change(*mapping));
    merge_range(start, end);
    return {};
}

void AddressSpace::merge_range(VirtAddr start, VirtAddr end)
{
    // Afterwards, never while walking: a merge deletes mappings a walk would point at.
    Mapping* mapping = m_mappings.first_ending_after(start > 0 ? start - 1 : 0);
    while (mapping && mapping->start() <= end)
        mapping = m_mappings.next(*m_mappings.merge_with_neighbours(*mapping));
}

Result<void> AddressSpace::set_lock(VirtAddr start, u64 length, u32 lock)
{
    verify_locked();
    VirtAddr end = start + length;
    if (end < start)
        return Errno::Invalid;
    if (end == start)
        return {};
    Mapping const* mapping = m_mappings.find(start);
    if (!mapping)
        return Errno::NoMemory;
    // Up to the first hole: Linux changes the mappings before it and then fails.
    VirtAddr covered = mapping->end();
    for (Mapping const* next = m_mappings.next(*mapping); covered < end && next && next->start() == covered;
         next = m_mappings.next(*next))
        covered = next->end();
    TRY(change_flags(start, min(end, covered), [&](Mapping const& m) { return (m.flags() & ~VM_LOCKED_MASK) | lock; }));
    if (covered < end)
        return Errno::NoMemory;
    if (lock != VM_LOCKED)
        return {};
    // Population errors in mlock's own terms (Linux's __mlock_posix_error_return): a page
    // that cannot be had is ENOMEM, running out of memory EAGAIN.
    auto populated = populate(start, end);
    if (populated.is_error())
        return populated.error() == Errno::BadAddress ? Errno::NoMemory : Errno::TryAgain;
    return {};
}

void AddressSpace::lock_all(u32 lock, bool current, bool future)
{
    verify_locked();
    m_default_lock = future ? lock : 0;
    if (!current)
        return;
    ++m_layout_version;
    for (Mapping& mapping : m_mappings)
        mapping.set_flags((mapping.flags() & ~VM_LOCKED_MASK) | lock);
    merge_range(0, USER_TOP);
    // Linux populates everything and ignores what cannot be had (pages past the end of a
    // file); running out of memory shows up when the program touches the rest.
    if (!(lock & VM_LOCKONFAULT))
        (void)populate(0, USER_TOP);
}

void AddressSpace::unlock_all()
{
    verify_locked();
    m_default_lock = 0;
    ++m_layout_version;
    for (Mapping& mapping : m_mappings)
        mapping.set_flags(mapping.flags() & ~VM_LOCKED_MASK);
    merge_range(0, USER_TOP);
}

u64 AddressSpace::locked_bytes() const
{
    u64 bytes = 0;
    for (Mapping const& mapping : m_mappings)
        if (mapping.has(VM_LOCKED))
            bytes += mapping.size();
    return bytes;
}

u64 AddressSpace::locked_bytes_in(VirtAddr start, VirtAddr end) const
{
    u64 bytes = 0;
    for (Mapping const* mapping = m_mappings.first_ending_after(start); mapping && mapping->start() < end;
         mapping = m_mappings.next(*mapping))
        if (mapping->has(VM_LOCKED))
            bytes += min(mapping->end(), end) - max(mapping->start(), start);
    return bytes;
}
