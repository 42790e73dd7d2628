// The attributes an inode keeps besides its bytes and names — owner, permission bits and
// the three times — and the record that changes them (Linux's struct iattr). chmod, chown,
// utimensat and truncate all become one Inode::change_attributes call, so each file system
// has one place where metadata changes and where ctime moves.
#pragma once

#include "kernel/lib/types.h"

// A time as stat() reports it: seconds and nanoseconds since the Unix epoch.
struct FileTime {
    i64 seconds { 0 };
    u32 nanoseconds { 0 };
    bool operator==(FileTime const&) const = default;
};

// The wall clock, for timestamps (CLOCK_REALTIME: the RTC at boot plus time since).
FileTime file_time_now();

// Linux's default "relatime": a read moves atime only when it is not newer than mtime or
// ctime, or is a day old — so "was it read since it changed?" stays answerable without a
// metadata write on every read.
bool relatime_wants_update(FileTime atime, FileTime mtime, FileTime ctime, FileTime now);

struct InodeOwner {
    u32 uid { 0 };
    u32 gid { 0 };
};

// Which attributes a change sets (a mask, like iattr's ia_valid) and their new values.
// `ctime` is always set: every change of attributes is a change of the inode.
struct AttributeChange {
    enum : u32 {
        Mode = 1 << 0,
        Uid = 1 << 1,
        Gid = 1 << 2,
        Atime = 1 << 3,
        Mtime = 1 << 4,
    };
    u32 which { 0 };
    u32 mode { 0 }; // permission bits (07777); the file type never changes
    u32 uid { 0 };
    u32 gid { 0 };
    FileTime atime;
    FileTime mtime;
    FileTime ctime;

    bool has(u32 bit) const { return (which & bit) != 0; }
};

// The time updates that reading, writing and changing names imply (Linux's
// file_accessed, file_update_time, and the directory updates of namespace changes).
enum class TimeUpdate {
    Access, // atime (read, getdents, exec), subject to relatime
    Modify, // mtime and ctime (write, truncate, a directory's entries changed)
    Change, // ctime only (link count changed, renamed)
};
