#include "permission.h"

namespace {
constexpr u32 STICKY = 01000, ANY_EXECUTE = 0111;
}

Result<void> check_permission(u32 mode, InodeOwner owner, Credentials const& who, u32 may)
{
    may &= MayRead | MayWrite | MayExecute;
    // The first class the caller belongs to decides; a later one is never consulted, so an
    // owner with fewer bits than the group gets the owner's bits.
    u32 granted = mode;
    if (who.fsuid == owner.uid)
        granted = mode >> 6;
    else if (who.in_group(owner.gid))
        granted = mode >> 3;
    if ((granted & may) == may)
        return {};
    if (who.is_fs_privileged()) {
        bool directory = (mode & MODE_TYPE_MASK) == MODE_DIRECTORY;
        if (directory || !(may & MayExecute) || (mode & ANY_EXECUTE))
            return {};
    }
    return Errno::Access;
}

Result<void> inode_permission(Inode& inode, Credentials const& who, u32 may)
{
    u32 mode = inode.mode();
    if (may & MayWrite) {
        u32 type = mode & MODE_TYPE_MASK;
        bool stored = type == MODE_REGULAR || type == MODE_DIRECTORY || type == MODE_SYMLINK;
        if (stored && inode.is_read_only())
            return Errno::ReadOnlyFs;
    }
    return check_permission(mode, inode.owner(), who, may);
}

Result<void> may_search(Inode& directory, Credentials const& who)
{
    // Root searches every directory: no need to read the inode's attributes on each step.
    if (who.is_fs_privileged())
        return {};
    return check_permission(directory.mode(), directory.owner(), who, MayExecute);
}

bool is_owner_or_privileged(Inode& inode, Credentials const& who)
{
    return who.is_fs_privileged() || inode.owner().uid == who.fsuid;
}

Result<void> may_delete(Inode& directory, Inode& victim, Credentials const& who)
{
    TRY(inode_permission(directory, who, MayWrite | MayExecute));
    // A sticky directory lets everyone create, but only owners remove.
    if ((directory.mode() & STICKY) && !is_owner_or_privileged(victim, who) && directory.owner().uid != who.fsuid)
        return Errno::NotPermitted;
    return {};
}

Result<void> may_create(Inode& directory, Credentials const& who)
{
    return inode_permission(directory, who, MayWrite | MayExecute);
}
