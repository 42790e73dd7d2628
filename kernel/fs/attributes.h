// Changing an inode's attributes on a system call's behalf: the rules Linux applies before a
// file system sees the change (chown_common, chmod_common, notify_change), then one
// Inode::change_attributes call.
#pragma once

#include "inode.h"

constexpr u32 UNCHANGED_ID = 0xffffffff; // chown's -1

// chown(2): a new owner and/or group (UNCHANGED_ID keeps one). Clears set-user-ID, and
// set-group-ID when group execution is allowed, on anything but a directory — even when
// nothing else changes, as Linux does. ReadOnlyFs on read-only media.
Result<void> change_owner(Inode&, u32 uid, u32 gid);
// chmod(2): the permission bits (07777 of `mode`).
Result<void> change_mode(Inode&, u32 mode);

// utimensat's request for one time: the given time, now, or leave it.
struct TimeSetting {
    enum Kind {
        Given,
        Now,
        Omit,
    } kind;
    FileTime time;
};
// utimensat(2) and the older utimes calls: sets atime and mtime as asked; ctime becomes
// now. (The caller returns early when both are Omit, as Linux does before the lookup.)
Result<void> change_times(Inode&, TimeSetting atime, TimeSetting mtime);
