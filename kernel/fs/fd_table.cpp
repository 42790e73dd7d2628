#include "fd_table.h"
#include "file_lock.h"

Result<int> FdTable::allocate(RefPtr<OpenFile> file, bool close_on_exec, int minimum)
{
    for (int fd = minimum; fd < MAX_FDS; ++fd) {
        if (!m_entries[fd].file) {
            m_entries[fd].file = static_cast<RefPtr<OpenFile>&&>(file);
            m_entries[fd].close_on_exec = close_on_exec;
            return fd;
        }
    }
    return Errno::TooManyFiles;
}

Result<RefPtr<OpenFile>> FdTable::get(int fd) const
{
    if (fd < 0 || fd >= MAX_FDS || !m_entries[fd].file)
        return Errno::BadFd;
    return m_entries[fd].file;
}

Result<void> FdTable::close(int fd)
{
    if (fd < 0 || fd >= MAX_FDS || !m_entries[fd].file)
        return Errno::BadFd;
    clear(m_entries[fd]);
    return {};
}

void FdTable::clear(Entry& entry)
{
    RefPtr<OpenFile> file = static_cast<RefPtr<OpenFile>&&>(entry.file);
    entry.close_on_exec = false;
    if (file)
        release_record_locks(file->file(), record_lock_owner());
}

void FdTable::install(int fd, RefPtr<OpenFile> file, bool close_on_exec)
{
    clear(m_entries[fd]);
    m_entries[fd].file = static_cast<RefPtr<OpenFile>&&>(file);
    m_entries[fd].close_on_exec = close_on_exec;
}

void FdTable::close_all()
{
    for (auto& entry : m_entries)
        clear(entry);
}

void FdTable::close_on_exec_files()
{
    for (auto& entry : m_entries)
        if (entry.close_on_exec)
            clear(entry);
}

void FdTable::copy_from(FdTable const& other)
{
    for (int fd = 0; fd < MAX_FDS; ++fd)
        m_entries[fd] = other.m_entries[fd];
}
