#include "attributes.h"
#include "permission.h"

namespace {
constexpr u32 SET_UID = 04000, SET_GID = 02000, GROUP_EXECUTE = 00010;

AttributeChange change_now()
{
    AttributeChange change;
    change.ctime = file_time_now();
    return change;
}
}

InodeOwner owner_for_new_inode(Inode& directory, Credentials const& who, u32& mode)
{
    InodeOwner owner { who.fsuid, who.fsgid };
    if (directory.mode() & SET_GID) {
        owner.gid = directory.owner().gid;
        if ((mode & MODE_TYPE_MASK) == MODE_DIRECTORY)
            mode |= SET_GID;
        else if ((mode & (SET_GID | GROUP_EXECUTE)) == (SET_GID | GROUP_EXECUTE) && !who.in_group(owner.gid)
            && !who.is_fs_privileged())
            mode &= ~SET_GID;
    }
    return owner;
}

Result<void> change_owner(Inode& inode, u32 uid, u32 gid, Credentials const& who)
{
    if (inode.is_read_only())
        return Errno::ReadOnlyFs;
    InodeOwner current = inode.owner();
    bool privileged = who.is_fs_privileged(); // CAP_CHOWN
    bool owner = who.fsuid == current.uid;
    AttributeChange change = change_now();
    if (uid != UNCHANGED_ID) {
        // Giving a file away is root's: an owner may only "change" it to itself.
        if (!privileged && !(owner && uid == current.uid))
            return Errno::NotPermitted;
        change.which |= AttributeChange::Uid;
        change.uid = uid;
    }
    if (gid != UNCHANGED_ID) {
        // An owner may move the file to any group it is in.
        if (!privileged && !(owner && (gid == current.gid || who.in_group(gid))))
            return Errno::NotPermitted;
        change.which |= AttributeChange::Gid;
        change.gid = gid;
    }
    // A program that runs as its owner or group must not keep doing so for a new owner. A
    // set-group-ID bit without group execute marks mandatory locking, not a privilege: it
    // stays, unless the caller could not have set it (not in the group, not root).
    u32 mode = inode.mode();
    if (!inode.is_directory()) {
        u32 kept = mode & ~SET_UID;
        if ((mode & SET_GID) && ((mode & GROUP_EXECUTE) || !(privileged || who.in_group(current.gid))))
            kept &= ~SET_GID;
        if (kept != mode) {
            if (!is_owner_or_privileged(inode, who))
                return Errno::NotPermitted;
            change.which |= AttributeChange::Mode;
            change.mode = kept & 07777;
        }
    }
    return inode.change_attributes(change);
}

Result<void> clear_set_id_before_write(Inode& inode, Credentials const& who)
{
    u32 mode = inode.mode();
    if ((mode & MODE_TYPE_MASK) != MODE_REGULAR || who.is_fs_privileged())
        return {};
    u32 kept = mode & ~SET_UID;
    if (mode & GROUP_EXECUTE)
        kept &= ~SET_GID;
    if (kept == mode)
        return {};
    AttributeChange change = change_now();
    change.which = AttributeChange::Mode;
    change.mode = kept & 07777;
    return inode.change_attributes(change);
}

Result<void> change_mode(Inode& inode, u32 mode, Credentials const& who)
{
    if (inode.is_read_only())
        return Errno::ReadOnlyFs;
    if (!is_owner_or_privileged(inode, who))
        return Errno::NotPermitted;
    AttributeChange change = change_now();
    change.which = AttributeChange::Mode;
    change.mode = mode & 07777;
    // Set-group-ID only for a group the caller is in (or by root, CAP_FSETID).
    if ((change.mode & SET_GID) && !who.is_fs_privileged() && !who.in_group(inode.owner().gid))
        change.mode &= ~SET_GID;
    return inode.change_attributes(change);
}

Result<void> change_times(Inode& inode, TimeSetting atime, TimeSetting mtime, Credentials const& who)
{
    if (inode.is_read_only())
        return Errno::ReadOnlyFs;
    // Setting a chosen time is the owner's; setting "now" is also for whoever may write.
    if (!is_owner_or_privileged(inode, who)) {
        if (atime.kind == TimeSetting::Given || mtime.kind == TimeSetting::Given)
            return Errno::NotPermitted;
        TRY(inode_permission(inode, who, MayWrite));
    }
    AttributeChange change = change_now();
    auto set = [&](TimeSetting setting, u32 bit, FileTime& field) {
        if (setting.kind == TimeSetting::Omit)
            return;
        change.which |= bit;
        field = setting.kind == TimeSetting::Now ? change.ctime : setting.time;
    };
    set(atime, AttributeChange::Atime, change.atime);
    set(mtime, AttributeChange::Mtime, change.mtime);
    return inode.change_attributes(change);
}
