// Discretionary access control as Linux does it (fs/namei.c generic_permission, may_delete,
// may_create; fs/attr.c for owners): the permission bits of an inode's owner, group or
// everyone else, whichever class the caller falls in first, and the overrides a privileged
// caller (fsuid 0, see kernel/lib/credentials.h) holds:
//
//   read, write          always, on anything (CAP_DAC_OVERRIDE)
//   search a directory   always
//   execute a file       only when some execute bit is set
//
// Errors: Access (EACCES) where the bits refuse, NotPermitted (EPERM) where only the owner
// or root may act (chmod, chown, utimes with a time, a sticky directory's entries).
#pragma once

#include "inode.h"
#include "kernel/lib/credentials.h"

// What a caller asks to do (Linux's MAY_* bits, which match the rwx bits).
enum MayAccess : u32 {
    MayExecute = 1,
    MayWrite = 2,
    MayRead = 4,
};

// The decision on bare attributes: 0 bits or `mode`'s rwx for `who`.
Result<void> check_permission(u32 mode, InodeOwner owner, Credentials const& who, u32 may);

// inode_permission: the above for `inode`, and ReadOnlyFs for writing a file, directory or
// symbolic link of a read-only file system.
Result<void> inode_permission(Inode&, Credentials const&, u32 may);

// Search permission on a directory, for each one a path walk passes through (EACCES).
Result<void> may_search(Inode& directory, Credentials const&);

// Owner or privileged (inode_owner_or_capable): who may chmod, utimes with a time, etc.
bool is_owner_or_privileged(Inode&, Credentials const&);

// The caller may remove or replace the entry `victim` of `directory` (unlink, rmdir,
// rename): write and search permission on the directory, and in a sticky directory
// (S_ISVTX, /tmp) ownership of the entry or of the directory.
Result<void> may_delete(Inode& directory, Inode& victim, Credentials const&);
// The caller may add an entry to `directory` (create, mkdir, link, symlink, rename).
Result<void> may_create(Inode& directory, Credentials const&);
