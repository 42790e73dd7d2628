#include "init_arguments.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "lib/credentials.h"
#include "lib/memory.h"

StringFile::~StringFile()
{
    delete[] m_items;
    delete[] m_bytes;
}

Result<void> StringFile::read(char const* path)
{
    RefPtr<File> file = TRY(vfs_open(path, O_RDONLY, 0, Credentials {}));
    u64 size = file->size();
    // Strings and their pointers must fit execve's argument space; checking the file's size
    // first keeps a mistaken huge file from filling the kernel heap.
    if (size > EXEC_ARG_SPACE_LIMIT)
        return Errno::ArgListTooBig;
    m_bytes = new (std::nothrow) char[size + 1];
    if (!m_bytes)
        return Errno::NoMemory;
    u64 done = 0;
    while (done < size) {
        usize got = TRY(file->read(reinterpret_cast<u8*>(m_bytes + done), size - done, done));
        if (got == 0)
            break;
        done += got;
    }
    if (done > 0 && m_bytes[done - 1] != '\0')
        return Errno::Invalid;
    for (u64 i = 0; i < done; ++i)
        m_count += m_bytes[i] == '\0';
    m_items = new (std::nothrow) char const*[m_count + 1];
    if (!m_items)
        return Errno::NoMemory;
    char const* next = m_bytes;
    for (u64 i = 0; i < m_count; ++i) {
        m_items[i] = next;
        next += strlen(next) + 1;
    }
    m_items[m_count] = nullptr;
    return {};
}
