// A process's file descriptors: small integers naming open file descriptions. Usually one
// process's own; clone(CLONE_FILES) without CLONE_THREAD makes several processes share one
// (Linux's files_struct), which is why it is reference-counted.
//
// The table grows as descriptors are used (an array doubled as needed, from 64 entries), up
// to the process's limit (RLIMIT_NOFILE's soft value, which the process layer sets: Linux's
// default is 1024, raisable by setrlimit). Every descriptor is below the limit; one the
// table has no entry for yet is simply not open.
//
// The table is also the owner of the POSIX record locks taken through it (Linux's
// fl_owner = files_struct): every way a descriptor closes — close, dup2 over it, exec's
// close-on-exec, exit — releases them for its file (file_lock.h).
#pragma once

#include "file.h"

class FdTable : public RefCounted<FdTable> {
public:
    // Linux's defaults for RLIMIT_NOFILE (INR_OPEN_CUR, INR_OPEN_MAX) and the most any process
    // may have (fs.nr_open).
    static constexpr int DEFAULT_LIMIT = 1024;
    static constexpr int DEFAULT_HARD_LIMIT = 4096;
    static constexpr int MOST_EVER = 1024 * 1024;

    FdTable() = default;
    FdTable(FdTable const&) = delete;
    FdTable& operator=(FdTable const&) = delete;
    ~FdTable();

    // Descriptors must be below `limit` from now on (open ones above stay open, as on Linux).
    void set_limit(int limit) { m_limit = limit; }
    int limit() const { return m_limit; }
    // How many entries the table has room for now (/proc/<pid>/status FDSize).
    int capacity() const { return m_capacity; }

    // Lowest free descriptor >= `minimum`: TooManyFiles past the limit, NoMemory if the
    // table cannot grow.
    Result<int> allocate(RefPtr<OpenFile>, bool close_on_exec, int minimum = 0);
    // The description `fd` refers to, for using the file: BadFd if none, or if it was
    // opened O_PATH (Linux's fdget).
    Result<RefPtr<OpenFile>> get(int fd) const;
    // The same, O_PATH descriptors included, for the calls that only need a name or an
    // inode: fstat, fchdir, dup, most of fcntl, a *at() call's directory (Linux's fdget_raw).
    Result<RefPtr<OpenFile>> get_even_if_path_only(int fd) const;
    Result<void> close(int fd);
    // Makes `fd` (below the limit) refer to `file`, closing what it referred to before.
    // NoMemory if the table cannot grow to hold it.
    Result<void> install(int fd, RefPtr<OpenFile>, bool close_on_exec);
    bool close_on_exec(int fd) const { return m_entries[fd].close_on_exec; }
    void set_close_on_exec(int fd, bool value) { m_entries[fd].close_on_exec = value; }
    void close_all();
    void close_on_exec_files();
    // A copy sharing every open file description, with the same limit (fork). NoMemory.
    // The copy owns no record locks.
    Result<void> copy_from(FdTable const&);
    // A new table, empty or copied from `other`; NoMemory.
    static Result<RefPtr<FdTable>> create(FdTable const* other = nullptr);
    LockOwner record_lock_owner() const { return LockOwner { this }; }

private:
    struct Entry {
        RefPtr<OpenFile> file;
        bool close_on_exec { false };
    };
    // Drops this table's record locks on `file`, which a descriptor no longer refers to.
    void release_locks_of(RefPtr<OpenFile> const& file) const;
    bool is_open(int fd) const { return fd >= 0 && fd < m_capacity && m_entries[fd].file; }
    // Room for descriptor `fd`.
    Result<void> grow_to_hold(int fd);

    Entry* m_entries { nullptr };
    int m_capacity { 0 };
    int m_limit { DEFAULT_LIMIT };
};
