// shmget, shmat, shmdt, shmctl: System V shared memory (kernel/proc/shm_segment.h) with
// Linux's argument checks in Linux's order (ipc/shm.c) and its structures (uapi
// asm-generic/shmbuf.h, linux/shm.h; x86_64 has no old IPC versions, so IPC_64 is not a
// command bit here: a command with it is EINVAL, as on Linux).
#include "handlers.h"
#include "kernel/dev/clock.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/proc/resource_limits.h"
#include "kernel/proc/shm_segment.h"

namespace {

constexpr int IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_INFO = 3;
constexpr int SHM_LOCK = 11, SHM_UNLOCK = 12, SHM_STAT = 13, SHM_INFO = 14, SHM_STAT_ANY = 15;
constexpr int SHM_RDONLY = 010000, SHM_RND = 020000, SHM_REMAP = 040000, SHM_EXEC = 0100000;
constexpr u64 SHMLBA = PAGE_SIZE; // x86's attach alignment

// struct ipc64_perm and struct shmid64_ds of the x86_64 ABI (112 bytes).
struct LinuxIpcPerm {
    i32 key;
    u32 uid, gid, cuid, cgid;
    u32 mode;
    u16 seq;
    u16 pad;
    u64 unused1, unused2;
};
struct LinuxShmidDs {
    LinuxIpcPerm perm;
    u64 segment_size;
    i64 attach_time, detach_time, change_time;
    i32 creator_pid, last_pid;
    u64 attach_count;
    u64 unused4, unused5;
};
static_assert(sizeof(LinuxIpcPerm) == 48 && sizeof(LinuxShmidDs) == 112);
// struct shminfo64 (IPC_INFO) and struct shm_info (SHM_INFO).
struct LinuxShmInfo64 {
    u64 shmmax, shmmin, shmmni, shmseg, shmall;
    u64 unused[4];
};
struct LinuxShmInfo {
    i32 used_ids;
    u64 shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};
static_assert(sizeof(LinuxShmInfo64) == 72 && sizeof(LinuxShmInfo) == 48);

ShmRegistry& registry() { return kernel_shm_registry(); }

LinuxShmidDs describe(ShmSegment const& segment)
{
    IpcPermission const& perm = segment.permission();
    LinuxShmidDs out {};
    out.perm = { perm.key, perm.uid, perm.gid, perm.cuid, perm.cgid, perm.mode, perm.seq, 0, 0, 0 };
    out.segment_size = segment.size();
    out.attach_time = segment.attach_time;
    out.detach_time = segment.detach_time;
    out.change_time = segment.change_time;
    out.creator_pid = static_cast<i32>(segment.creator_pid);
    out.last_pid = static_cast<i32>(segment.last_pid);
    out.attach_count = segment.attach_count();
    return out;
}

// IPC_SET and IPC_RMID are for the owner, the creator, and CAP_SYS_ADMIN (Linux's
// ipcctl_obtain_check).
bool may_change(ShmSegment const& segment, Credentials const& who)
{
    IpcPermission const& perm = segment.permission();
    return who.euid == perm.cuid || who.euid == perm.uid || who.is_privileged();
}

// The pages that segments locked by `uid` hold (RLIMIT_MEMLOCK counts them per user).
u64 pages_locked_by(u32 uid)
{
    u64 pages = 0;
    registry().for_each([&](ShmSegment& segment) {
        if ((segment.permission().mode & SHM_LOCKED) && segment.lock_uid == uid)
            pages += segment.page_count();
    });
    return pages;
}

// SHM_LOCK / SHM_UNLOCK (shmctl_do_lock). Pagoda has no swap and never reclaims the pages
// of shared memory, so a segment's pages stay in memory whether locked or not: the lock is
// the mode bit and its charge against the locker's RLIMIT_MEMLOCK.
Result<i64> lock_segment(ShmSegment& segment, bool lock)
{
    Credentials const& who = caller_credentials();
    IpcPermission& perm = segment.permission();
    bool privileged = who.is_privileged(); // CAP_IPC_LOCK
    if (!privileged) {
        if (who.euid != perm.uid && who.euid != perm.cuid)
            return Errno::NotPermitted;
        if (lock && current_process().limits.soft(RLIMIT_MEMLOCK) == 0)
            return Errno::NotPermitted;
    }
    if (!lock) {
        perm.mode &= ~SHM_LOCKED;
        return 0;
    }
    if (perm.mode & SHM_LOCKED)
        return 0;
    u64 limit = current_process().limits.soft(RLIMIT_MEMLOCK);
    if (!privileged && limit != RLIM_INFINITY && (pages_locked_by(who.uid) + segment.page_count()) * PAGE_SIZE > limit)
        return Errno::NoMemory;
    perm.mode |= SHM_LOCKED;
    segment.lock_uid = who.uid;
    return 0;
}

// IPC_SET: the new owner and permission bits (ipc_update_perm); -1 is not an id.
Result<i64> set_segment(ShmSegment& segment, LinuxShmidDs const& in)
{
    if (in.perm.uid == Credentials::UNCHANGED || in.perm.gid == Credentials::UNCHANGED)
        return Errno::Invalid;
    IpcPermission& perm = segment.permission();
    perm.uid = in.perm.uid;
    perm.gid = in.perm.gid;
    perm.mode = (perm.mode & ~IPC_MODE_BITS) | (in.perm.mode & IPC_MODE_BITS);
    segment.change_time = static_cast<i64>(realtime_seconds());
    return 0;
}

// IPC_STAT, SHM_STAT (by slot index; returns the id) and SHM_STAT_ANY (the same without
// the read permission, as /proc/sysvipc/shm shows everything).
Result<i64> stat_segment(int id, int command, UserAddress buffer)
{
    ShmSegment* segment = TRY(command == IPC_STAT ? registry().find(id) : registry().at_index(id));
    if (command != SHM_STAT_ANY && !ipc_permits(segment->permission(), caller_credentials(), 0444))
        return Errno::Access;
    // The copy may sleep (a fault on a file page); the segment may be gone afterwards.
    i32 full_id = segment->id();
    TRY(write_user(buffer, describe(*segment)));
    return command == IPC_STAT ? 0 : full_id;
}

}

Result<i64> sys_shmget(i32 key, u64 size, int flags)
{
    return TRY(registry().get(key, size, static_cast<u32>(flags), caller_credentials()));
}

Result<i64> sys_shmat(int id, UserAddress address, int flags)
{
    if (id < 0)
        return Errno::Invalid;
    MapPlacement placement = MapPlacement::Anywhere;
    if (address) {
        if (address & (SHMLBA - 1)) {
            if (!(flags & SHM_RND))
                return Errno::Invalid;
            address &= ~(SHMLBA - 1);
            // Rounding to page 0 may not replace what is there (Linux 4.17).
            if (!address && (flags & SHM_REMAP))
                return Errno::Invalid;
        }
        placement = MapPlacement::Fixed;
    } else if (flags & SHM_REMAP) {
        return Errno::Invalid;
    }
    u32 prot = (flags & SHM_RDONLY) ? VM_READ : VM_READ | VM_WRITE;
    u32 access = (flags & SHM_RDONLY) ? 0444 : 0666;
    if (flags & SHM_EXEC) {
        prot |= VM_EXEC;
        access |= 0111;
    }
    ShmSegment* segment = TRY(registry().find(id));
    if (!ipc_permits(segment->permission(), caller_credentials(), access))
        return Errno::Access;
    u64 length = page_round_up(segment->size());
    AddressSpace& space = user_space();
    // Without SHM_REMAP, a fixed attach may not replace what is mapped there.
    if (address && !(flags & SHM_REMAP) && (address + length < address || !space.mappings().is_free(address, address + length)))
        return Errno::Invalid;
    // The attach counts against RLIMIT_AS as any mapping does (Linux's may_expand_vm).
    u64 address_limit = current_process().limits.soft(RLIMIT_AS);
    if (address_limit != RLIM_INFINITY && space.mapped_bytes() + length > address_limit)
        return Errno::NoMemory;
    // A read-only attach is a read-only open of the segment's file: mprotect may never make
    // it writable (EACCES), as on Linux.
    u32 max_prot = (flags & SHM_RDONLY) ? VM_READ | VM_EXEC : VM_PROT_MASK;
    registry().hold(*segment);
    Result<VirtAddr> mapped
        = space.map_file(address, length, prot, true, placement, segment->cache(), 0, segment->mapping_name(), max_prot);
    registry().release(*segment);
    if (mapped.is_error())
        return mapped.error();
    return static_cast<i64>(mapped.value());
}

// shmdt: unmaps the segment attached at `address`, and every piece of it that mprotect or
// munmap left above (Linux's ksys_shmdt): the first mapping of a segment that starts where
// its offset says the attach began, then the pieces of the same segment within its size.
Result<i64> sys_shmdt(UserAddress address)
{
    if (address & (PAGE_SIZE - 1))
        return Errno::Invalid;
    AddressSpace& space = user_space();
    auto starts_attach_at = [&](Mapping const& m, PageCache const* cache) {
        ShmSegment* segment = registry().segment_of(m.cache());
        return segment && (!cache || m.cache() == cache) && m.start() - address == m.file_offset();
    };
    Mapping const* first = space.mappings().first_ending_after(address);
    while (first && !starts_attach_at(*first, nullptr))
        first = space.mappings().next(*first);
    if (!first)
        return Errno::Invalid;
    RefPtr<PageCache> cache = first->cache();
    u64 size = page_round_up(cache->size());
    VirtAddr position = first->start();
    // Unmapping changes the tree: look up the next piece afresh each time.
    for (Mapping const* m = first; m && m->end() - address <= size;) {
        VirtAddr start = m->start(), end = m->end();
        if (m == first || starts_attach_at(*m, cache.ptr()))
            (void)space.unmap(start, end - start);
        position = end;
        m = space.mappings().first_ending_after(position);
    }
    return 0;
}

Result<i64> sys_shmctl(int id, int command, UserAddress buffer)
{
    if (command < 0 || id < 0)
        return Errno::Invalid;
    ShmRegistry& shm = registry();
    switch (command) {
    case IPC_INFO: {
        ShmRegistry::Limits const& limits = shm.limits();
        LinuxShmInfo64 info {};
        info.shmmax = limits.max_size;
        info.shmmin = SHM_MIN_SIZE;
        info.shmmni = info.shmseg = limits.max_segments;
        info.shmall = limits.max_pages;
        TRY(write_user(buffer, info));
        return shm.highest_index();
    }
    case SHM_INFO: {
        LinuxShmInfo info {};
        info.used_ids = static_cast<i32>(shm.segments_in_use());
        info.shm_tot = shm.total_pages();
        info.shm_rss = shm.resident_pages();
        TRY(write_user(buffer, info));
        return shm.highest_index();
    }
    case IPC_STAT:
    case SHM_STAT:
    case SHM_STAT_ANY:
        return stat_segment(id, command, buffer);
    case IPC_SET:
    case IPC_RMID: {
        LinuxShmidDs in {};
        if (command == IPC_SET)
            in = TRY(read_user<LinuxShmidDs>(buffer));
        ShmSegment* segment = TRY(shm.find(id));
        if (!may_change(*segment, caller_credentials()))
            return Errno::NotPermitted;
        if (command == IPC_SET)
            return set_segment(*segment, in);
        shm.remove(*segment);
        return 0;
    }
    case SHM_LOCK:
    case SHM_UNLOCK:
        return lock_segment(*TRY(shm.find(id)), command == SHM_LOCK);
    default:
        return Errno::Invalid;
    }
}
