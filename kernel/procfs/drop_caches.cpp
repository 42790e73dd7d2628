#include "drop_caches.h"
#include "kernel/fs/ext2_mount.h"
#include "kernel/lib/log.h"
#include "kernel/mm/reclaim.h"
#include "kernel/proc/process.h"
#include "sysctl_number.h"

namespace {

constexpr u64 PAGE_CACHE = 1, NAMES_AND_INODES = 2, QUIET = 4;

u64 g_last_written = 0;
bool g_quiet = false;

}

void fill_drop_caches(TextBuilder& out, Process&) { out.append("%lu\n", g_last_written); }

Result<void> set_drop_caches(char const* text, usize length)
{
    bool negative = false;
    u64 value = TRY(parse_sysctl_number(text, length, &negative));
    if (negative || value < 1 || value > 4)
        return Errno::Invalid;
    g_last_written = value;
    MemoryContext& memory = kernel_memory_context();
    u64 pages = 0, blocks = 0;
    if (value & PAGE_CACHE)
        pages = drop_clean_unmapped_pages(memory);
    if (value & NAMES_AND_INODES) {
        ++memory.stats.drop_slab;
        blocks = ext2_drop_clean_metadata();
    }
    if (!g_quiet)
        klog("pid %u: drop_caches: %lu (%lu page-cache pages, %lu metadata blocks dropped)", current_process().pid(), value,
            pages, blocks);
    g_quiet = g_quiet || (value & QUIET);
    return {};
}
