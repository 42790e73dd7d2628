#include "fd_table.h"
#include "file_lock.h"
#include "kernel/lib/memory.h"

FdTable::~FdTable()
{
    close_all(); // the last process using the table is gone: its record locks go too
    delete[] m_entries;
}

Result<void> FdTable::grow_to_hold(int fd)
{
    if (fd < m_capacity)
        return {};
    int capacity = m_capacity ? m_capacity : 64;
    while (capacity <= fd)
        capacity *= 2;
    auto* entries = new (std::nothrow) Entry[capacity];
    if (!entries)
        return Errno::NoMemory;
    for (int i = 0; i < m_capacity; ++i)
        entries[i] = static_cast<Entry&&>(m_entries[i]);
    delete[] m_entries;
    m_entries = entries;
    m_capacity = capacity;
    return {};
}

Result<int> FdTable::allocate(RefPtr<OpenFile> file, bool close_on_exec, int minimum)
{
    int fd = minimum;
    while (fd < m_capacity && m_entries[fd].file)
        ++fd;
    if (fd >= m_limit)
        return Errno::TooManyFiles;
    TRY(grow_to_hold(fd));
    m_entries[fd].file = static_cast<RefPtr<OpenFile>&&>(file);
    m_entries[fd].close_on_exec = close_on_exec;
    return fd;
}

Result<RefPtr<OpenFile>> FdTable::get(int fd) const
{
    if (!is_open(fd) || m_entries[fd].file->is_path_only())
        return Errno::BadFd;
    return m_entries[fd].file;
}

Result<RefPtr<OpenFile>> FdTable::get_even_if_path_only(int fd) const
{
    if (!is_open(fd))
        return Errno::BadFd;
    return m_entries[fd].file;
}

Result<void> FdTable::close(int fd)
{
    if (!is_open(fd))
        return Errno::BadFd;
    // Taken out of the table first: dropping the last reference may sleep (a file's
    // release), and the table must already be as the caller will see it.
    RefPtr<OpenFile> file = static_cast<RefPtr<OpenFile>&&>(m_entries[fd].file);
    m_entries[fd].close_on_exec = false;
    release_locks_of(file);
    file.clear();
    return {};
}

void FdTable::release_locks_of(RefPtr<OpenFile> const& file) const
{
    if (file)
        release_record_locks(file->file(), record_lock_owner());
}

Result<void> FdTable::install(int fd, RefPtr<OpenFile> file, bool close_on_exec)
{
    TRY(grow_to_hold(fd));
    RefPtr<OpenFile> previous = static_cast<RefPtr<OpenFile>&&>(m_entries[fd].file);
    m_entries[fd].file = static_cast<RefPtr<OpenFile>&&>(file);
    m_entries[fd].close_on_exec = close_on_exec;
    release_locks_of(previous);
    return {};
}

void FdTable::close_all()
{
    for (int fd = 0; fd < m_capacity; ++fd)
        (void)close(fd);
}

void FdTable::close_on_exec_files()
{
    for (int fd = 0; fd < m_capacity; ++fd)
        if (m_entries[fd].close_on_exec)
            (void)close(fd);
}

Result<RefPtr<FdTable>> FdTable::create(FdTable const* other)
{
    auto* table = new (std::nothrow) FdTable;
    if (!table)
        return Errno::NoMemory;
    RefPtr<FdTable> owned = adopt_ref(table);
    if (other)
        TRY(owned->copy_from(*other));
    return owned;
}

Result<void> FdTable::copy_from(FdTable const& other)
{
    m_limit = other.m_limit;
    int highest = -1;
    for (int fd = 0; fd < other.m_capacity; ++fd)
        if (other.m_entries[fd].file)
            highest = fd;
    if (highest >= 0)
        TRY(grow_to_hold(highest));
    for (int fd = 0; fd <= highest; ++fd)
        m_entries[fd] = other.m_entries[fd];
    return {};
}
