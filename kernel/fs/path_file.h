// PathFile: what an O_PATH open gives — a name held open, not a file opened. The inode is
// kept (so the name's directory can anchor *at() calls, fstat answers, fchdir goes there,
// execveat runs it) but nothing is read or written through it: the OpenFile's O_PATH flag
// makes the descriptor table refuse those uses with EBADF (fd_table.h).
#pragma once

#include "inode.h"

class PathFile final : public File {
public:
    explicit PathFile(RefPtr<Inode> inode) : m_inode(static_cast<RefPtr<Inode>&&>(inode)) { }
    void stat(LinuxStat& out) const override { m_inode->stat(out); }
    Inode* inode() override { return m_inode.ptr(); }
    // The descriptor cannot seek (lseek is refused before this is asked, as on Linux).
    bool is_seekable() const override { return false; }

private:
    RefPtr<Inode> m_inode;
};

// The file an O_PATH open of `inode` gives; NoMemory.
Result<RefPtr<File>> open_path_only(RefPtr<Inode> inode);
