#include "exec_layout.h"
#include "kernel/dev/random.h"
#include "kernel/mm/user_layout.h"

namespace {

bool g_randomize = true;

constexpr u64 STACK_RANDOM_PAGES = u64(1) << 22; // up to 16 GiB
constexpr u64 STACK_RANDOM_BYTES = 8 * KiB; // within the top page, 16-byte steps
constexpr u64 MMAP_RANDOM_PAGES = u64(1) << 28; // up to 1 TiB, for mmap top and PIE base
constexpr u64 BRK_RANDOM_PAGES = 32 * MiB / PAGE_SIZE;

// A random number below `limit` (a power of two).
u64 random_below(u64 limit)
{
    u64 value;
    random_fill(reinterpret_cast<u8*>(&value), sizeof value);
    return value & (limit - 1);
}

}

void set_address_randomization(bool enabled) { g_randomize = enabled; }

bool address_randomization() { return g_randomize; }

ExecLayout choose_exec_layout(bool randomize)
{
    ExecLayout layout {};
    layout.randomized = randomize;
    layout.stack_end = USER_STACK_TOP;
    layout.stack_top = USER_STACK_TOP;
    layout.mmap_top = USER_MMAP_TOP;
    layout.dynamic_base = ELF_DYNAMIC_BASE;
    if (!randomize)
        return layout;
    layout.stack_end -= random_below(STACK_RANDOM_PAGES) * PAGE_SIZE;
    layout.stack_top = (layout.stack_end - random_below(STACK_RANDOM_BYTES)) & ~u64(15);
    // The gap leaves room for the stack wherever it went, as Linux's mmap_base() does.
    layout.mmap_top = USER_MMAP_TOP - STACK_RANDOM_PAGES * PAGE_SIZE - random_below(MMAP_RANDOM_PAGES) * PAGE_SIZE;
    layout.dynamic_base = ELF_DYNAMIC_BASE + random_below(MMAP_RANDOM_PAGES) * PAGE_SIZE;
    layout.brk_offset = random_below(BRK_RANDOM_PAGES) * PAGE_SIZE;
    return layout;
}
