// MemoryMetadata: the attributes of an inode that lives only in memory (tmpfs, /dev, the
// initramfs), kept in the inode object itself. Disk file systems keep theirs on disk (ext2's
// inode table) and do not use it.
#pragma once

#include "file.h"
#include "inode_attributes.h"

class MemoryMetadata {
public:
    // A new inode: all three times are now.
    MemoryMetadata(u32 mode, InodeOwner owner);

    u32 mode() const { return m_mode; }
    InodeOwner owner() const { return m_owner; }
    FileTime modified() const { return m_mtime; }

    // Applies a change that the VFS has checked (fs/attributes.cpp).
    void apply(AttributeChange const&);
    void update_times(TimeUpdate);
    // Sets st_mode, st_uid, st_gid and the three times.
    void fill_stat(LinuxStat&) const;

private:
    u32 m_mode;
    InodeOwner m_owner;
    FileTime m_atime, m_mtime, m_ctime;
};
