#include "sysvipc.h"
#include "kernel/proc/shm_segment.h"
#include "sysctl_number.h"

namespace {

ShmRegistry::Limits& limits() { return kernel_shm_registry().limits(); }

}

// One line per segment in Linux's columns (ipc/shm.c sysvipc_shm_proc_show, 64-bit).
void fill_sysvipc_shm(TextBuilder& out, Process&)
{
    out.append(
        "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime"
        "      ctime                   rss                  swap\n");
    kernel_shm_registry().for_each([&](ShmSegment& segment) {
        IpcPermission const& perm = segment.permission();
        out.append("%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10ld %10ld %10ld %21lu %21lu\n", perm.key, segment.id(),
            perm.mode, segment.size(), segment.creator_pid, segment.last_pid, segment.attach_count(), perm.uid, perm.gid,
            perm.cuid, perm.cgid, segment.attach_time, segment.detach_time, segment.change_time,
            segment.cache()->cached_pages() * PAGE_SIZE, 0ul);
    });
}

void fill_shmmax(TextBuilder& out, Process&) { out.append("%lu\n", limits().max_size); }
void fill_shmall(TextBuilder& out, Process&) { out.append("%lu\n", limits().max_pages); }
void fill_shmmni(TextBuilder& out, Process&) { out.append("%lu\n", limits().max_segments); }
void fill_shm_next_id(TextBuilder& out, Process&) { out.append("%d\n", limits().next_id); }

Result<void> set_shmmax(char const* text, usize length)
{
    limits().max_size = TRY(parse_sysctl_number(text, length));
    return {};
}

Result<void> set_shmall(char const* text, usize length)
{
    limits().max_pages = TRY(parse_sysctl_number(text, length));
    return {};
}

Result<void> set_shmmni(char const* text, usize length)
{
    u64 value = TRY(parse_sysctl_number(text, length));
    if (value > IPC_MNI)
        return Errno::Invalid;
    limits().max_segments = value;
    return {};
}

Result<void> set_shm_next_id(char const* text, usize length)
{
    bool negative = false;
    u64 value = TRY(parse_sysctl_number(text, length, &negative));
    if (negative ? value != 1 : value > 0x7fffffff) // -1 ... INT_MAX
        return Errno::Invalid;
    limits().next_id = negative ? -1 : static_cast<i32>(value);
    return {};
}
