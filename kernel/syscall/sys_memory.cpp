// mmap, munmap, mprotect, mremap, msync, madvise, brk: argument checking as Linux does it,
// then the AddressSpace.
#include "handlers.h"
#include "kernel/fs/file_seals.h"
#include "kernel/fs/inode.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/vm_trace_events.h"
#include "kernel/proc/resource_limits.h"
#include "memory_lock_limit.h"

namespace {

constexpr int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
constexpr int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f, MAP_FIXED = 0x10,
              MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
constexpr int PROT_ALL = PROT_READ | PROT_WRITE | PROT_EXEC;

bool valid_prot(int prot) { return (prot & ~(PROT_ALL | PROT_GROWSDOWN | PROT_GROWSUP)) == 0; }

}

namespace {

// Linux's access checks for mapping an open file (do_mmap): it must be readable, and
// writable for a shared writable mapping.
Result<void> check_mapping_access(OpenFile& file, bool shared, int prot)
{
    if (!file.can_read())
        return Errno::Access;
    if (shared && (prot & PROT_WRITE) && !file.can_write())
        return Errno::Access;
    return {};
}

// The page cache behind `file` for mmap, once the access checks passed: whether the file
// can be mapped at all.
Result<RefPtr<PageCache>> cache_for_mapping(OpenFile& file)
{
    Inode* inode = file.file().inode();
    if (!inode || !inode->is_regular())
        return Errno::NoDevice;
    return inode->page_cache();
}

// RLIMIT_AS and RLIMIT_DATA, as Linux's may_expand_vm checks them: true when `bytes` more
// of mappings (of private writable memory, for `is_data`) would pass the soft limit.
bool exceeds_limits(AddressSpace& space, u64 bytes, bool is_data)
{
    ResourceLimits const& limits = current_process().limits;
    u64 all = limits.soft(RLIMIT_AS), data = limits.soft(RLIMIT_DATA);
    if (all != RLIM_INFINITY && space.mapped_bytes() + bytes > all)
        return true;
    return is_data && data != RLIM_INFINITY && space.data_bytes() + bytes > data;
}

// Whether Linux charges a new mapping to its commit count, and so weighs it against all of
// memory (exceeds_all_memory): private writable memory, and shared anonymous memory.
bool is_charged(int prot, int flags, bool shared, bool anonymous_memory)
{
    constexpr int MAP_NORESERVE = 0x4000;
    if (flags & MAP_NORESERVE)
        return false;
    return shared ? anonymous_memory : (prot & PROT_WRITE) != 0;
}

// The name /proc/<pid>/maps shows for a mapping of `file`: its path.
void mapping_name(OpenFile& file, char (&name)[Mapping::NAME_CAPACITY], char const* suffix = "")
{
    name[0] = '/';
    usize n = min<usize>(strlen(file.path()), sizeof name - 2);
    memcpy(name + 1, file.path(), n);
    usize tail = min<usize>(strlen(suffix), sizeof name - 2 - n);
    memcpy(name + 1 + n, suffix, tail);
    name[n + 1 + tail] = '\0';
}

// A mapping of /dev/zero is anonymous memory, as on Linux (mmap_zero): MAP_PRIVATE gives
// private zero pages, MAP_SHARED a fresh region of shared anonymous memory — which a
// descriptor opened read-only may never make writable.
Result<VirtAddr> map_zero_device(
    AddressSpace& space, OpenFile& file, VirtAddr address, u64 size, int prot, bool shared, MapPlacement placement)
{
    char name[Mapping::NAME_CAPACITY];
    if (!shared) {
        mapping_name(file, name);
        return space.map_anonymous(address, size, prot & PROT_ALL, false, placement, name);
    }
    mapping_name(file, name, " (deleted)");
    RefPtr<PageCache> cache = TRY(PageCache::create_anonymous(space.context(), size));
    u32 max_prot = file.can_write() ? VM_PROT_MASK : VM_READ | VM_EXEC;
    return space.map_file(
        address, size, prot & PROT_ALL, true, placement, static_cast<RefPtr<PageCache>&&>(cache), 0, name, max_prot);
}

}

// The checks come in Linux's order (sys_mmap, ksys_mmap_pgoff, do_mmap), since a call with
// several faults gets the errno of the first: the offset's alignment, the descriptor, the
// length, the file offset's range, the mapping type, the file's access mode, then memory.
// Unknown PROT_ bits are ignored, as Linux's mmap does (mprotect refuses them).
Result<i64> sys_mmap(UserAddress address, u64 length, int prot, int flags, int fd, i64 offset)
{
    constexpr int MAP_LOCKED = 0x2000, MAP_POPULATE = 0x8000, MAP_NONBLOCK = 0x10000;
    constexpr int KNOWN_FLAGS = MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_POPULATE | MAP_LOCKED
        | MAP_NONBLOCK | 0x0100 /* GROWSDOWN */ | 0x0800 /* DENYWRITE */ | 0x1000 /* EXECUTABLE */
        | 0x4000 /* NORESERVE */ | 0x20000 /* STACK */ | 0x40000 /* HUGETLB */ | 0x80000 /* SYNC */;
    if (offset & (PAGE_SIZE - 1))
        return Errno::Invalid;
    bool anonymous = flags & MAP_ANONYMOUS;
    RefPtr<OpenFile> file;
    if (!anonymous)
        file = TRY(current_process().fds().get(fd));
    if (length == 0)
        return Errno::Invalid;
    if (length > USER_TOP)
        return Errno::NoMemory;
    u64 size = page_round_up(length);
    // A file's offsets end at Linux's largest file size, 2^63 - 1; a negative offset is a huge
    // one. (An anonymous mapping ignores its offset.)
    u64 file_offset = static_cast<u64>(offset);
    constexpr u64 MAX_FILE_SIZE = (u64(1) << 63) - 1;
    if (!anonymous && (file_offset > MAX_FILE_SIZE || size > MAX_FILE_SIZE - file_offset))
        return Errno::Overflow;
    int type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
        return Errno::Invalid;
    if (type == MAP_SHARED_VALIDATE && (flags & ~KNOWN_FLAGS))
        return Errno::NotSupported;
    MapPlacement placement = MapPlacement::Anywhere;
    if (flags & MAP_FIXED_NOREPLACE)
        placement = MapPlacement::FixedNoReplace;
    else if (flags & MAP_FIXED)
        placement = MapPlacement::Fixed;
    if (placement != MapPlacement::Anywhere && (address & (PAGE_SIZE - 1)))
        return Errno::Invalid;
    // A locked mapping (MAP_LOCKED, or every one after mlockall(MCL_FUTURE)) is weighed
    // against RLIMIT_MEMLOCK before the file's access (Linux's do_mmap: mlock_future_ok).
    AddressSpace& space = user_space();
    if ((flags & MAP_LOCKED) && !may_lock_at_all())
        return Errno::NotPermitted;
    if (((flags & MAP_LOCKED) || space.default_lock()) && !within_lock_limit(space.locked_bytes() + size))
        return Errno::TryAgain;
    bool shared = type != MAP_PRIVATE;
    bool zero_device = !anonymous && file->file().maps_as_anonymous_memory();
    RefPtr<PageCache> cache;
    if (!anonymous)
        TRY(check_mapping_access(*file, shared, prot));
    if (!anonymous && !zero_device)
        cache = TRY(cache_for_mapping(*file));
    if (is_charged(prot, flags, shared, anonymous || zero_device) && exceeds_all_memory(kernel_memory_context(), size))
        return Errno::NoMemory;
    constexpr int MAP_GROWSDOWN = 0x0100, MAP_STACK = 0x20000;
    if ((flags & MAP_GROWSDOWN) && shared && anonymous)
        return Errno::Invalid; // Linux's shared anonymous memory is a file that cannot grow down
    bool is_data = !shared && (prot & PROT_WRITE) && !(flags & (MAP_GROWSDOWN | MAP_STACK));
    if (exceeds_limits(space, size, is_data))
        return Errno::NoMemory;
    VirtAddr result;
    if (anonymous) {
        result = TRY(space.map_anonymous(address, size, prot & PROT_ALL, shared, placement, ""));
    } else if (zero_device) {
        result = TRY(map_zero_device(space, *file, address, size, prot, shared, placement));
    } else {
        char name[Mapping::NAME_CAPACITY];
        mapping_name(*file, name);
        // A shared mapping of a file opened read-only may never be made writable (EACCES).
        u32 max_prot = shared && !file->can_write() ? VM_READ | VM_EXEC : VM_PROT_MASK;
        // A write-sealed file's shared mapping may never write it (file_seals.h).
        TRY(check_sealed_mapping(*file->file().inode(), shared, static_cast<u32>(prot), max_prot));
        result = TRY(space.map_file(address, size, prot & PROT_ALL, shared, placement, cache, file_offset, name, max_prot));
    }
    if ((flags & MAP_GROWSDOWN) && anonymous)
        (void)space.set_grows_down(result, size); // NoMemory (a split past the map count) leaves it fixed-size
    else if (flags & MAP_GROWSDOWN)
        KLOG_ONCE("pid %u: mmap MAP_GROWSDOWN of a file: the mapping does not grow", current_process().pid());
    VM_TRACE(trace_new_mapping(space, result, size, static_cast<u32>(flags)));
    // MAP_LOCKED locks the new mapping (and faults it in, unless mlockall(MCL_ONFAULT) asks
    // to lock only what gets touched); a mapping locked by mlockall(MCL_FUTURE) is faulted
    // in too, and so is one with MAP_POPULATE (but not MAP_NONBLOCK). As on Linux, what
    // cannot be faulted in is left for the program to touch: mmap does not fail for it.
    if (flags & MAP_LOCKED)
        (void)space.set_lock(result, size, VM_LOCKED | (space.default_lock() & VM_LOCKONFAULT));
    else if ((flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE || space.default_lock() == VM_LOCKED)
        (void)space.populate(result, result + size);
    return static_cast<i64>(result);
}

Result<i64> sys_msync(UserAddress address, u64 length, int flags)
{
    constexpr int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
    if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return Errno::Invalid;
    if (address & (PAGE_SIZE - 1))
        return Errno::Invalid;
    if (length == 0)
        return 0;
    // MS_INVALIDATE has nothing to drop: mappings and the cache are one (a unified page
    // cache); it is only refused, as Linux does, on a locked mapping (EBUSY).
    TRY(user_space().sync_range(address, page_round_up(length), (flags & MS_SYNC) ? SyncMode::Sync : SyncMode::Async,
        (flags & MS_INVALIDATE) ? InvalidateCache::Yes : InvalidateCache::No));
    return 0;
}

namespace {

// Linux's madvise advice numbers: what Pagoda acts on (Advice), and what it refuses with
// the EINVAL of a Linux built without the feature, logging each kind once.
Result<Advice> advice_for(int advice)
{
    switch (advice) {
    case 0: // MADV_NORMAL
    case 1: // MADV_RANDOM
    case 2: // MADV_SEQUENTIAL
        return Advice::Normal;
    case 16:
        return Advice::DontDump;
    case 17:
        return Advice::DoDump;
    case 3:
        return Advice::WillNeed;
    case 4:
        return Advice::DontNeed;
    case 8:
        return Advice::Free;
    case 9:
        return Advice::Remove;
    case 10:
        return Advice::DontFork;
    case 11:
        return Advice::DoFork;
    case 18:
        return Advice::WipeOnFork;
    case 19:
        return Advice::KeepOnFork;
    case 20: // MADV_COLD
    case 21: // MADV_PAGEOUT
        return Advice::Cold;
    case 22:
        return Advice::PopulateRead;
    case 23:
        return Advice::PopulateWrite;
    case 24:
        return Advice::DontNeedLocked;
    }
    // Known to Linux, but for features Pagoda does not have: the EINVAL of a Linux built
    // without them, logged once per kind.
    struct Refusal {
        int first, last;
        char const* what;
        bool logged;
    };
    static Refusal refusals[] = {
        { 12, 13, "MADV_MERGEABLE/UNMERGEABLE: no KSM", false },
        { 14, 15, "MADV_HUGEPAGE/NOHUGEPAGE: no transparent huge pages", false },
        { 25, 25, "MADV_COLLAPSE: no transparent huge pages", false },
        { 100, 101, "MADV_HWPOISON/SOFT_OFFLINE: no memory-failure handling", false },
        { 102, 103, "MADV_GUARD_INSTALL/REMOVE: no guard regions", false },
    };
    for (Refusal& refusal : refusals)
        if (advice >= refusal.first && advice <= refusal.last && !refusal.logged) {
            refusal.logged = true;
            klog("pid %u: madvise advice %d (%s) is not supported: EINVAL", current_process().pid(), advice, refusal.what);
        }
    return Errno::Invalid;
}

}

// As Linux: the advice is checked first, then the address; each mapping of the range
// takes the advice in turn (AddressSpace::advise).
Result<i64> sys_madvise(UserAddress address, u64 length, int advice)
{
    Advice what = TRY(advice_for(advice));
    TRY(user_space().advise(address, length, what));
    return 0;
}

// mremap: the flags and lengths are checked here, in Linux's order; the rest (the new
// address, the old range, where it fits) by AddressSpace::remap.
Result<i64> sys_mremap(UserAddress address, u64 old_length, u64 new_length, int flags, UserAddress new_address)
{
    constexpr int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
        return Errno::Invalid;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
        return Errno::Invalid;
    if (address & (PAGE_SIZE - 1))
        return Errno::Invalid;
    // A length that rounds past 2^64 becomes 0, as Linux's PAGE_ALIGN makes it.
    RemapRequest request {
        .old_start = address,
        .old_length = page_round_up(old_length),
        .new_length = page_round_up(new_length),
        .may_move = (flags & MREMAP_MAYMOVE) != 0,
        .fixed = (flags & MREMAP_FIXED) != 0,
        .keep_old = (flags & MREMAP_DONTUNMAP) != 0,
        .new_start = new_address,
    };
    if (request.new_length == 0)
        return Errno::Invalid;
    if (request.keep_old && (!request.may_move || request.old_length != request.new_length))
        return Errno::Invalid;
    // What the address space grows by (MREMAP_DONTUNMAP keeps the old range too) is weighed
    // against RLIMIT_AS and RLIMIT_DATA, as Linux's may_expand_vm does; a missing mapping is
    // remap's EFAULT.
    AddressSpace& space = user_space();
    u64 growth = request.keep_old ? request.old_length : request.new_length - min(request.new_length, request.old_length);
    Mapping const* mapping = space.find_mapping(address);
    if (growth && mapping && exceeds_limits(space, growth, mapping->is_private() && mapping->is_writable()))
        return Errno::NoMemory;
    VirtAddr moved = TRY(space.remap(request));
    VM_TRACE(trace_memory_call(VmEvent::Mremap, address, request.old_length, moved, request.new_length));
    return static_cast<i64>(moved);
}

Result<i64> sys_munmap(UserAddress address, u64 length)
{
    TRY(user_space().unmap(address, length));
    VM_TRACE(trace_memory_call(VmEvent::Munmap, address, page_round_up(length)));
    return 0;
}

Result<i64> sys_mprotect(UserAddress address, u64 length, int prot)
{
    if (!valid_prot(prot) || (address & (PAGE_SIZE - 1)))
        return Errno::Invalid;
    if (length == 0)
        return 0;
    TRY(user_space().protect(address, page_round_up(length), prot & PROT_ALL));
    VM_TRACE(trace_memory_call(VmEvent::Mprotect, address, page_round_up(length), 0, 0, static_cast<u8>(prot & PROT_ALL)));
    return 0;
}

// Growth past RLIMIT_AS or RLIMIT_DATA leaves the break where it is, as a failed brk does.
Result<i64> sys_brk(UserAddress address)
{
    AddressSpace& space = user_space();
    VirtAddr current = space.current_brk();
    if (address > current && address >= space.brk_base()
        && exceeds_limits(space, page_round_up(address) - page_round_up(current), true))
        return static_cast<i64>(current);
    VirtAddr moved = space.brk(address);
    VM_TRACE(trace_memory_call(VmEvent::Brk, current, moved));
    return static_cast<i64>(moved);
}
