// madvise: advice about a range, taken mapping by mapping as Linux walks its VMAs — every
// mapped piece gets it, an unmapped gap is remembered and reported (ENOMEM) at the end,
// and a mapping that refuses the advice stops the walk with its errno (the pieces before
// it keep what they were given).
//
//   advice               what happens here                         refused (EINVAL) by
//   Normal, WillNeed     nothing: no read-ahead, no swap           —
//   Cold, PageOut        nothing: no LRU, no swap                  locked memory
//   DontNeed             the pages dropped; private anonymous      locked memory
//                        memory zero-fills again, the rest
//                        re-reads its cache
//   DontNeedLocked       the same, locked memory included          —
//   Free                 as DontNeed (Linux may keep the pages     locked memory, anything but
//                        until memory runs short; dropping them    private anonymous memory
//                        at once is one of the outcomes it allows)
//   Remove               a hole punched in the pages of a shared   locked memory, private
//                        memory-only file (tmpfs, memfd, shared    anonymous memory; EACCES
//                        anonymous memory)                         without write access,
//                                                                  EOPNOTSUPP on disk files
//   DontFork / DoFork    VM_DONTCOPY on / off (fork.cpp)           —
//   WipeOnFork /         VM_WIPEONFORK on / off                    shared or file mappings
//     KeepOnFork                                                   (WipeOnFork)
//   DontDump / DoDump    VM_DONTDUMP on / off (core dumps)         —
//   PopulateRead/Write   faulted in now (populate.cpp)             populate's errors
#include "address_space.h"
#include "reverse_map.h"

Result<void> AddressSpace::discard(VirtAddr addr, u64 length) { return advise(addr, length, Advice::DontNeed); }

Result<void> AddressSpace::advise(VirtAddr addr, u64 length, Advice advice)
{
    verify_locked();
    if (!is_page_aligned(addr))
        return Errno::Invalid;
    VirtAddr end;
    if (!page_range_end(addr, length, end))
        return Errno::Invalid;
    bool gap = false;
    for (VirtAddr position = addr; position < end;) {
        // Found afresh each time: a flag change may have merged the mapping just advised.
        Mapping* mapping = m_mappings.first_ending_after(position);
        if (!mapping || mapping->start() >= end)
            return Errno::NoMemory; // nothing mapped from here to the end
        if (mapping->start() > position) {
            gap = true;
            position = mapping->start();
        }
        VirtAddr to = min(end, mapping->end());
        TRY(advise_mapping(*mapping, position, to, advice));
        position = to;
    }
    if (gap)
        return Errno::NoMemory;
    return {};
}

Result<void> AddressSpace::advise_mapping(Mapping& mapping, VirtAddr from, VirtAddr to, Advice advice)
{
    bool locked = mapping.has(VM_LOCKED);
    switch (advice) {
    case Advice::Normal:
    case Advice::WillNeed:
        return {};
    case Advice::Cold:
        return locked ? Result<void>(Errno::Invalid) : Result<void>();
    case Advice::Free:
        if (!mapping.is_private() || mapping.cache())
            return Errno::Invalid; // only private anonymous memory may be freed lazily
        [[fallthrough]];
    case Advice::DontNeed:
        if (locked)
            return Errno::Invalid;
        [[fallthrough]];
    case Advice::DontNeedLocked:
        TRY(m_page_table->unshare(from, to, true));
        collect_dirty_bits(mapping, from, to); // shared data lives on in the cache
        MUST(release_pages(from, to));
        return {};
    case Advice::Remove: {
        PageCache* cache = mapping.cache();
        if (locked || !cache)
            return Errno::Invalid;
        if (!mapping.is_shared() || !mapping.allows(VM_WRITE))
            return Errno::Access;
        if (cache->is_backed())
            return Errno::NotSupported; // a disk file system punches no holes here
        TRY(cache->may_punch_hole()); // a write-sealed memfd refuses (EPERM)
        u64 offset = mapping.file_index(from) * PAGE_SIZE;
        cache->punch_hole(offset, to - from);
        return {};
    }
    case Advice::DontFork:
    case Advice::DoFork:
        return change_flags(from, to,
            [&](Mapping const& m) { return advice == Advice::DontFork ? m.flags() | VM_DONTCOPY : m.flags() & ~VM_DONTCOPY; });
    case Advice::WipeOnFork:
        if (mapping.is_shared() || mapping.cache())
            return Errno::Invalid; // only private anonymous memory can be handed over empty
        [[fallthrough]];
    case Advice::KeepOnFork:
        return change_flags(from, to, [&](Mapping const& m) {
            return advice == Advice::WipeOnFork ? m.flags() | VM_WIPEONFORK : m.flags() & ~VM_WIPEONFORK;
        });
    case Advice::DontDump:
    case Advice::DoDump:
        return change_flags(from, to,
            [&](Mapping const& m) { return advice == Advice::DontDump ? m.flags() | VM_DONTDUMP : m.flags() & ~VM_DONTDUMP; });
    case Advice::PopulateRead:
        return populate(from, to, PopulateAccess::Read);
    case Advice::PopulateWrite:
        return populate(from, to, PopulateAccess::Write);
    }
    return Errno::Invalid;
}
