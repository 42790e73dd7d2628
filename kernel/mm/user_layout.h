// Where things live in a user address space (x86_64, 4-level paging, 47-bit user half).
//
//   USER_TOP        0x00007fff'ffff'f000  ┐ stack grows down from here: RLIMIT_STACK's soft value
//                                         │ (8 MiB by default), at most USER_STACK_MAX
//                                         │ USER_STACK_GAP: nothing else is placed here
//   USER_MMAP_TOP   USER_TOP - gap        ┘ mmap(NULL, ...) searches top-down from here
//        ...        mmap area, shared libraries (none yet), anonymous mappings
//        ...        heap ([heap], grows up from the end of the program's bss via brk)
//        ...        program image (ELF PT_LOAD segments, usually at 0x400000)
//   USER_BASE       0x0000'0001'0000      lowest mappable address (Linux mmap_min_addr)
#pragma once

#include "../lib/types.h"
#include "page_table.h"

constexpr VirtAddr USER_BASE = 0x10000;
// The end of the lower canonical half: what page tables can map for user space at all.
constexpr VirtAddr USER_HALF_END = 0x0000800000000000;
// Linux keeps the last page below the canonical hole unmapped (TASK_SIZE); so do we.
constexpr VirtAddr USER_TOP = 0x00007fff'ffff'f000;
constexpr VirtAddr USER_STACK_TOP = USER_TOP;
// Linux's minimum gap between the stack top and mmap_base; leaves room for the stack to grow.
constexpr u64 USER_STACK_GAP = 128 * MiB;
// The largest stack, whatever RLIMIT_STACK says (unlimited too): the gap less Linux's 1 MiB
// guard gap below a stack. (Linux moves mmap_base down for a larger limit; Pagoda's mmap
// area starts at a fixed address.)
constexpr u64 USER_STACK_MAX = USER_STACK_GAP - 1 * MiB;
constexpr VirtAddr USER_MMAP_TOP = USER_TOP - USER_STACK_GAP;
constexpr VirtAddr USER_MMAP_BASE = USER_BASE;

constexpr bool is_user_range(VirtAddr start, u64 length)
{
    return start >= USER_BASE && start <= USER_TOP && length <= USER_TOP - start;
}

// The end of [start, start + length) with length rounded up to whole pages, in `end`.
// False if the rounding or the sum wraps past 2^64 (Linux's PAGE_ALIGN and end < start
// checks, whose errno each system call chooses).
constexpr bool page_range_end(VirtAddr start, u64 length, VirtAddr& end)
{
    u64 rounded = page_round_up(length);
    if (length != 0 && rounded == 0)
        return false;
    end = start + rounded;
    return end >= start;
}
