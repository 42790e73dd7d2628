#include "attributes.h"

namespace {
constexpr u32 SET_UID = 04000, SET_GID = 02000, GROUP_EXECUTE = 00010;

AttributeChange change_now()
{
    AttributeChange change;
    change.ctime = file_time_now();
    return change;
}
}

Result<void> change_owner(Inode& inode, u32 uid, u32 gid)
{
    if (inode.is_read_only())
        return Errno::ReadOnlyFs;
    AttributeChange change = change_now();
    if (uid != UNCHANGED_ID) {
        change.which |= AttributeChange::Uid;
        change.uid = uid;
    }
    if (gid != UNCHANGED_ID) {
        change.which |= AttributeChange::Gid;
        change.gid = gid;
    }
    // A program that runs as its owner or group must not keep doing so for a new owner.
    // A set-group-ID bit without group execute marks mandatory locking, not a privilege.
    u32 mode = inode.mode();
    if (!inode.is_directory()) {
        u32 kept = mode & ~SET_UID;
        if (mode & GROUP_EXECUTE)
            kept &= ~SET_GID;
        if (kept != mode) {
            change.which |= AttributeChange::Mode;
            change.mode = kept & 07777;
        }
    }
    return inode.change_attributes(change);
}

Result<void> change_mode(Inode& inode, u32 mode)
{
    if (inode.is_read_only())
        return Errno::ReadOnlyFs;
    AttributeChange change = change_now();
    change.which = AttributeChange::Mode;
    change.mode = mode & 07777;
    return inode.change_attributes(change);
}

Result<void> change_times(Inode& inode, TimeSetting atime, TimeSetting mtime)
{
    if (inode.is_read_only())
        return Errno::ReadOnlyFs;
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
