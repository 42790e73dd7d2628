// The bits of an x86_64 page-table entry (Intel SDM vol. 3, 4.5) and the small helpers the
// two X86PageTable files share. Private to arch/x86_64.
#pragma once

#include "kernel/mm/page_table.h"

namespace x86_pte {

constexpr u64 PRESENT = 1ull << 0;
constexpr u64 WRITABLE = 1ull << 1;
constexpr u64 USER = 1ull << 2;
constexpr u64 ACCESSED = 1ull << 5;
constexpr u64 DIRTY = 1ull << 6;
constexpr u64 NO_EXECUTE = 1ull << 63;
constexpr u64 ADDRESS_MASK = 0x000FFFFFFFFFF000ull;

inline FrameNumber frame_of(u64 entry) { return physical_to_frame(entry & ADDRESS_MASK); }
// The index of `va` in the table of `level` (3 = PML4, 2 = PDPT, 1 = directory, 0 = leaf).
inline usize index_at_level(VirtAddr va, int level) { return (va >> (12 + 9 * level)) & 0x1FF; }
// The first address past the `level` table entry that holds `va` (to skip absent subtrees).
inline VirtAddr end_of_entry(VirtAddr va, int level) { return (va | ((1ull << (12 + 9 * level)) - 1)) + 1; }

inline u64 leaf_bits(FrameNumber frame, PageAccess access)
{
    u64 entry = frame_to_physical(frame) | PRESENT;
    // PROT_NONE pages stay present (the PTE records the frame) but user accesses fault.
    if (access.accessible)
        entry |= USER;
    if (access.writable)
        entry |= WRITABLE;
    if (!access.executable)
        entry |= NO_EXECUTE;
    return entry;
}

// Writes `value` over a leaf entry that still holds `expected`; false if it changed. While
// other CPUs run the address space their page walks set ACCESSED and DIRTY in entries we
// change: a plain read-modify-write could lose a DIRTY bit set in between (and with it a
// write-back).
inline bool replace_entry(u64& entry, u64 expected, u64 value)
{
    return __atomic_compare_exchange_n(&entry, &expected, value, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

// What a leaf entry grants, given the directory entry above it: a shared leaf table is
// write-protected as a whole there.
inline PteInfo describe(u64 entry, u64 directory_entry)
{
    PteInfo info;
    info.present = entry & PRESENT;
    info.frame = frame_of(entry);
    info.in_shared_table = !(directory_entry & WRITABLE);
    info.writable = (entry & WRITABLE) && !info.in_shared_table;
    info.executable = !(entry & NO_EXECUTE);
    info.dirty = entry & DIRTY;
    info.accessed = entry & ACCESSED;
    return info;
}

}
