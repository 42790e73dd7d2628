// A process's file descriptors: small integers naming open file descriptions.
//
// The table is also the owner of the POSIX record locks taken through it (Linux's
// fl_owner = files_struct): every way a descriptor closes — close, dup2 over it, exec's
// close-on-exec, exit — releases them for its file (file_lock.h).
#pragma once

#include "file.h"

class FdTable {
public:
    static constexpr int MAX_FDS = 256;

    // Lowest free descriptor >= `minimum`, or TooManyFiles.
    Result<int> allocate(RefPtr<OpenFile>, bool close_on_exec, int minimum = 0);
    Result<RefPtr<OpenFile>> get(int fd) const;
    Result<void> close(int fd);
    // Makes `fd` refer to `file`, closing what it referred to before.
    void install(int fd, RefPtr<OpenFile>, bool close_on_exec);
    bool close_on_exec(int fd) const { return m_entries[fd].close_on_exec; }
    void set_close_on_exec(int fd, bool value) { m_entries[fd].close_on_exec = value; }
    void close_all();
    void close_on_exec_files();
    // A copy sharing every open file description (fork). The copy owns no record locks.
    void copy_from(FdTable const&);
    LockOwner record_lock_owner() const { return LockOwner { this }; }

private:
    struct Entry {
        RefPtr<OpenFile> file;
        bool close_on_exec { false };
    };
    // Empties a slot, dropping this table's record locks on its file.
    void clear(Entry&);
    Entry m_entries[MAX_FDS];
};
