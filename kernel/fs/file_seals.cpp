#include "file_seals.h"
#include "file.h"
#include "inode.h"
#include "kernel/mm/mapping.h"
#include "kernel/mm/page_cache.h"

namespace {

constexpr u32 WRITE_SEALS = F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
constexpr u32 EXECUTE_BITS = 0111;

// Whether some shared mapping of the file may write it (Linux's i_mmap_writable): one made
// writable, or one that mprotect could make so.
bool has_writable_shared_mapping(Inode& inode)
{
    auto cache = inode.page_cache();
    if (cache.is_error())
        return false;
    for (Mapping& mapping : cache.value()->mappings()) {
        if (mapping.is_shared() && (mapping.max_prot() & VM_WRITE))
            return true;
    }
    return false;
}

}

u32 seals_of(Inode& inode)
{
    u32* seals = inode.seal_word();
    return seals ? *seals : 0;
}

Result<u32> file_seals(OpenFile& file)
{
    Inode* inode = file.file().inode();
    u32* seals = inode ? inode->seal_word() : nullptr;
    if (!seals)
        return Errno::Invalid;
    return *seals;
}

Result<void> add_file_seals(OpenFile& file, u32 added)
{
    if (!file.can_write())
        return Errno::NotPermitted;
    if (added & ~F_ALL_SEALS)
        return Errno::Invalid;
    Inode* inode = file.file().inode();
    u32* seals = inode ? inode->seal_word() : nullptr;
    if (!seals)
        return Errno::Invalid;
    if (*seals & F_SEAL_SEAL)
        return Errno::NotPermitted;
    // Nothing below sleeps, so no writable mapping can appear between this look and the
    // seal (mmap checks the seal before it maps).
    if ((added & F_SEAL_WRITE) && !(*seals & F_SEAL_WRITE) && has_writable_shared_mapping(*inode))
        return Errno::Busy;
    // Linux: sealing an executable file against exec changes seals it against writing too
    // (W^X from then on).
    if ((added & F_SEAL_EXEC) && (inode->mode() & EXECUTE_BITS))
        added |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
    *seals |= added;
    return {};
}

Result<usize> sealed_write_length(Inode& inode, u64 offset, usize count, u64 size)
{
    u32 seals = seals_of(inode);
    if (count == 0)
        return 0; // Linux's write of nothing asks no page, so no seal refuses it
    if (seals & WRITE_SEALS)
        return Errno::NotPermitted;
    if (!(seals & F_SEAL_GROW) || offset + count <= size)
        return count;
    // Each page's piece is refused if it ends past the size: the write keeps what lies
    // before the page the end is in (or before `offset`, if that is later).
    u64 stop = max(offset, size & ~(PAGE_SIZE - 1));
    if (stop == offset)
        return Errno::NotPermitted;
    return static_cast<usize>(stop - offset);
}

Result<void> check_sealed_resize(Inode& inode, u64 old_size, u64 new_size)
{
    u32 seals = seals_of(inode);
    if ((new_size < old_size && (seals & F_SEAL_SHRINK)) || (new_size > old_size && (seals & F_SEAL_GROW)))
        return Errno::NotPermitted;
    return {};
}

Result<void> check_sealed_allocate(Inode& inode, u64 offset, u64 length, u64 size)
{
    if ((seals_of(inode) & F_SEAL_GROW) && offset + length > size)
        return Errno::NotPermitted;
    return {};
}

Result<void> check_sealed_punch_hole(Inode& inode)
{
    if (seals_of(inode) & WRITE_SEALS)
        return Errno::NotPermitted;
    return {};
}

Result<void> check_sealed_mapping(Inode& inode, bool shared, u32 prot, u32& max_prot)
{
    if (!shared || !(seals_of(inode) & WRITE_SEALS))
        return {};
    if (prot & VM_WRITE)
        return Errno::NotPermitted;
    max_prot &= ~VM_WRITE;
    return {};
}

Result<void> check_sealed_mode_change(Inode& inode, u32 old_mode, u32 new_mode)
{
    if ((seals_of(inode) & F_SEAL_EXEC) && ((old_mode ^ new_mode) & EXECUTE_BITS))
        return Errno::NotPermitted;
    return {};
}
