// mmap, munmap, mprotect, brk: argument checking as Linux does it, then the AddressSpace.
#include "handlers.h"
#include "kernel/fs/inode.h"
#include "kernel/lib/memory.h"
#include "kernel/proc/resource_limits.h"

namespace {

constexpr int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
constexpr int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f, MAP_FIXED = 0x10,
              MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
constexpr int PROT_ALL = PROT_READ | PROT_WRITE | PROT_EXEC;

bool valid_prot(int prot) { return (prot & ~(PROT_ALL | PROT_GROWSDOWN | PROT_GROWSUP)) == 0; }

}

namespace {

// Faults in every page of a new mapping now (MAP_POPULATE), as a first access would.
void populate(AddressSpace& space, VirtAddr start, u64 length, int prot)
{
    FaultAccess access = (prot & PROT_WRITE) ? FaultAccess::Write : FaultAccess::Read;
    if (!(prot & (PROT_READ | PROT_WRITE)))
        return;
    for (VirtAddr va = start; va < start + length; va += PAGE_SIZE) {
        if (current_thread()->fatal_interrupt_pending())
            return; // killed (by the OOM policy, say) while populating: stop, as Linux's is killable
        for (FaultResult result = FaultResult::Retry; result != FaultResult::Handled;) {
            result = handle_page_fault(space, va, access);
            if (result != FaultResult::Handled && result != FaultResult::Retry)
                return; // as Linux: population stops quietly (past EOF, out of memory)
        }
    }
}

// The page cache behind `file` for mmap, with Linux's access checks (do_mmap): the access
// mode first, then whether the file can be mapped at all.
Result<RefPtr<PageCache>> cache_for_mapping(OpenFile& file, bool shared, int prot)
{
    if (!file.can_read())
        return Errno::Access;
    if (shared && (prot & PROT_WRITE) && !file.can_write())
        return Errno::Access;
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
bool is_charged(int prot, int flags, bool shared)
{
    constexpr int MAP_NORESERVE = 0x4000;
    if (flags & MAP_NORESERVE)
        return false;
    return shared ? (flags & MAP_ANONYMOUS) != 0 : (prot & PROT_WRITE) != 0;
}

}

// The checks come in Linux's order (sys_mmap, ksys_mmap_pgoff, do_mmap), since a call with
// several faults gets the errno of the first: the offset's alignment, the descriptor, the
// length, the file offset's range, the mapping type, the file's access mode, then memory.
// Unknown PROT_ bits are ignored, as Linux's mmap does (mprotect refuses them).
Result<i64> sys_mmap(UserAddress address, u64 length, int prot, int flags, int fd, i64 offset)
{
    constexpr int MAP_POPULATE = 0x8000;
    constexpr int KNOWN_FLAGS = MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_POPULATE
        | 0x0100 /* GROWSDOWN */ | 0x0800 /* DENYWRITE */ | 0x1000 /* EXECUTABLE */ | 0x2000 /* LOCKED */
        | 0x4000 /* NORESERVE */ | 0x10000 /* NONBLOCK */ | 0x20000 /* STACK */ | 0x40000 /* HUGETLB */ | 0x80000 /* SYNC */;
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
    bool shared = type != MAP_PRIVATE;
    RefPtr<PageCache> cache;
    if (!anonymous)
        cache = TRY(cache_for_mapping(*file, shared, prot));
    if (is_charged(prot, flags, shared) && exceeds_all_memory(kernel_memory_context(), size))
        return Errno::NoMemory;
    AddressSpace& space = user_space();
    constexpr int MAP_GROWSDOWN = 0x0100, MAP_STACK = 0x20000;
    bool is_data = !shared && (prot & PROT_WRITE) && !(flags & (MAP_GROWSDOWN | MAP_STACK));
    if (exceeds_limits(space, size, is_data))
        return Errno::NoMemory;
    VirtAddr result;
    if (anonymous) {
        result = TRY(space.map_anonymous(address, size, prot & PROT_ALL, shared, placement, ""));
    } else {
        char name[Mapping::NAME_CAPACITY];
        name[0] = '/';
        usize n = min<usize>(strlen(file->path()), sizeof name - 2);
        memcpy(name + 1, file->path(), n);
        name[n + 1] = '\0';
        // A shared mapping of a file opened read-only may never be made writable (EACCES).
        u32 max_prot = shared && !file->can_write() ? VM_READ | VM_EXEC : VM_PROT_MASK;
        result = TRY(space.map_file(address, size, prot & PROT_ALL, shared, placement, cache, file_offset, name, max_prot));
    }
    if (flags & MAP_POPULATE)
        populate(space, result, size, prot);
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
    // MS_ASYNC starts the write-back; here the write is synchronous anyway, so both write.
    // MS_INVALIDATE has nothing to do: mappings and the cache are one (a unified page cache).
    TRY(user_space().sync_range(address, page_round_up(length), (flags & MS_SYNC) ? SyncMode::Sync : SyncMode::Async));
    return 0;
}

Result<i64> sys_madvise(UserAddress address, u64 length, int advice)
{
    constexpr int MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3, MADV_DONTNEED = 4;
    if (address & (PAGE_SIZE - 1))
        return Errno::Invalid;
    switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
        return 0; // hints about access patterns: Pagoda has no read-ahead to tune
    case MADV_DONTNEED:
        if (length == 0)
            return 0;
        TRY(user_space().discard(address, page_round_up(length)));
        return 0;
    default:
        return Errno::Invalid;
    }
}

Result<i64> sys_munmap(UserAddress address, u64 length)
{
    TRY(user_space().unmap(address, length));
    return 0;
}

Result<i64> sys_mprotect(UserAddress address, u64 length, int prot)
{
    if (!valid_prot(prot) || (address & (PAGE_SIZE - 1)))
        return Errno::Invalid;
    if (length == 0)
        return 0;
    TRY(user_space().protect(address, page_round_up(length), prot & PROT_ALL));
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
    return static_cast<i64>(space.brk(address));
}
