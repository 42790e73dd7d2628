// mmap, munmap, mprotect, brk: argument checking as Linux does it, then the AddressSpace.
#include "handlers.h"
#include "kernel/fs/inode.h"
#include "kernel/lib/memory.h"

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
    for (VirtAddr va = start; va < start + length; va += PAGE_SIZE)
        for (FaultResult result = FaultResult::Retry; result != FaultResult::Handled;) {
            result = handle_page_fault(space, va, access);
            if (result != FaultResult::Handled && result != FaultResult::Retry)
                return; // as Linux: population stops quietly (past EOF, out of memory)
        }
}

// The page cache behind `fd` for mmap, with Linux's access checks.
Result<RefPtr<PageCache>> cache_for_mapping(int fd, bool shared, int prot)
{
    auto file = TRY(current_process().fds().get(fd));
    Inode* inode = file->file().inode();
    if (!inode || !inode->is_regular())
        return Errno::NoDevice;
    if (!file->can_read())
        return Errno::Access;
    if (shared && (prot & PROT_WRITE) && !file->can_write())
        return Errno::Access;
    return inode->page_cache();
}

}

Result<i64> sys_mmap(UserAddress address, u64 length, int prot, int flags, int fd, i64 offset)
{
    constexpr int MAP_POPULATE = 0x8000;
    constexpr int KNOWN_FLAGS = MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_POPULATE
        | 0x0100 /* GROWSDOWN */ | 0x0800 /* DENYWRITE */ | 0x1000 /* EXECUTABLE */ | 0x2000 /* LOCKED */
        | 0x4000 /* NORESERVE */ | 0x10000 /* NONBLOCK */ | 0x20000 /* STACK */ | 0x40000 /* HUGETLB */ | 0x80000 /* SYNC */;
    if (length == 0 || !valid_prot(prot) || (offset & (PAGE_SIZE - 1)) || offset < 0)
        return Errno::Invalid;
    int type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
        return Errno::Invalid;
    if (type == MAP_SHARED_VALIDATE && (flags & ~KNOWN_FLAGS))
        return Errno::NotSupported;
    if (length > (1ull << 47))
        return Errno::NoMemory;
    MapPlacement placement = MapPlacement::Anywhere;
    if (flags & MAP_FIXED_NOREPLACE)
        placement = MapPlacement::FixedNoReplace;
    else if (flags & MAP_FIXED)
        placement = MapPlacement::Fixed;
    if (placement != MapPlacement::Anywhere && (address & (PAGE_SIZE - 1)))
        return Errno::Invalid;
    bool shared = type != MAP_PRIVATE;
    u64 size = page_round_up(length);
    AddressSpace& space = user_space();
    VirtAddr result;
    if (flags & MAP_ANONYMOUS) {
        result = TRY(space.map_anonymous(address, size, prot & PROT_ALL, shared, placement, ""));
    } else {
        RefPtr<PageCache> cache = TRY(cache_for_mapping(fd, shared, prot));
        auto file = TRY(current_process().fds().get(fd));
        char name[Mapping::NAME_CAPACITY];
        name[0] = '/';
        usize n = min<usize>(strlen(file->path()), sizeof name - 2);
        memcpy(name + 1, file->path(), n);
        name[n + 1] = '\0';
        result = TRY(space.map_file(address, size, prot & PROT_ALL, shared, placement, cache, static_cast<u64>(offset), name));
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

Result<i64> sys_brk(UserAddress address) { return static_cast<i64>(user_space().brk(address)); }
