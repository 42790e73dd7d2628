// A process's file descriptors: small integers naming open file descriptions.
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
    // A copy sharing every open file description (fork).
    void copy_from(FdTable const&);

private:
    struct Entry {
        RefPtr<OpenFile> file;
        bool close_on_exec { false };
    };
    Entry m_entries[MAX_FDS];
};
