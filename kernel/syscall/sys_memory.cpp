// mmap, munmap, mprotect, brk: argument checking as Linux does it, then the AddressSpace.
#include "handlers.h"

namespace {

constexpr int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
constexpr int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f, MAP_FIXED = 0x10,
              MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
constexpr int PROT_ALL = PROT_READ | PROT_WRITE | PROT_EXEC;

bool valid_prot(int prot) { return (prot & ~(PROT_ALL | PROT_GROWSDOWN | PROT_GROWSUP)) == 0; }

}

Result<i64> sys_mmap(UserAddress address, u64 length, int prot, int flags, int fd, i64 offset)
{
    (void)fd;
    if (length == 0 || !valid_prot(prot) || (offset & (PAGE_SIZE - 1)))
        return Errno::Invalid;
    int type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
        return Errno::Invalid;
    if (length > (1ull << 47))
        return Errno::NoMemory;
    if (!(flags & MAP_ANONYMOUS))
        return Errno::NoDevice; // file mappings arrive with the page cache (docs/syscalls.md)
    MapPlacement placement = MapPlacement::Anywhere;
    if (flags & MAP_FIXED_NOREPLACE)
        placement = MapPlacement::FixedNoReplace;
    else if (flags & MAP_FIXED)
        placement = MapPlacement::Fixed;
    if (placement != MapPlacement::Anywhere && (address & (PAGE_SIZE - 1)))
        return Errno::Invalid;
    bool shared = type != MAP_PRIVATE;
    VirtAddr result = TRY(user_space().map_anonymous(address, page_round_up(length), prot & PROT_ALL, shared, placement, ""));
    return static_cast<i64>(result);
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
