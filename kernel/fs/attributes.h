// Changing an inode's attributes on a system call's behalf: the rules Linux applies before a
// file system sees the change (chown_common, chmod_common, notify_change), then one
// Inode::change_attributes call.
#pragma once

#include "inode.h"
#include "kernel/lib/credentials.h"

constexpr u32 UNCHANGED_ID = 0xffffffff; // chown's -1

// Whose a new inode in `directory` is (Linux's inode_init_owner): the creator's fsuid, and
// the directory's group if it is set-group-ID (a new directory then inherits the bit), else
// the creator's fsgid. `mode` (type and permission bits) may lose S_ISGID: a group-executable
// file may not become set-group-ID for a group its creator is not in.
InodeOwner owner_for_new_inode(Inode& directory, Credentials const&, u32& mode);

// chown(2): a new owner and/or group (UNCHANGED_ID keeps one). Only root gives a file away;
// its owner may change the group to one it is in (else NotPermitted). Clears set-user-ID,
// and set-group-ID when group execution is allowed, on anything but a directory — even when
// nothing else changes, as Linux does. ReadOnlyFs on read-only media.
Result<void> change_owner(Inode&, u32 uid, u32 gid, Credentials const&);
// chmod(2): the permission bits (07777 of `mode`), by the owner or root (else NotPermitted);
// S_ISGID is dropped for a group the caller is not in.
Result<void> change_mode(Inode&, u32 mode, Credentials const&);

// Before a write or truncate by `who` (Linux's file_remove_privs): a regular file that is
// set-user-ID, or set-group-ID with group execute, loses those bits unless `who` is root
// (CAP_FSETID) — otherwise anyone allowed to write a set-user-ID program could make it run
// their code with its owner's privileges.
Result<void> clear_set_id_before_write(Inode&, Credentials const&);

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
// A given time needs the owner or root (NotPermitted); "now" also whoever may write it
// (Access).
Result<void> change_times(Inode&, TimeSetting atime, TimeSetting mtime, Credentials const&);
