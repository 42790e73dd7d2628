#include "generated_file.h"
#include "kernel/lib/memory.h"

Result<RefPtr<File>> GeneratedFile::create(char* text, usize length, u32 mode, Writer writer)
{
    auto* file = new (std::nothrow) GeneratedFile(text, length, mode, writer);
    if (!file) {
        delete[] text;
        return Errno::NoMemory;
    }
    return adopt_ref<File>(file);
}

Result<usize> GeneratedFile::read(u8* buffer, usize count, u64 offset)
{
    if (offset >= m_length)
        return 0;
    usize n = min<u64>(count, m_length - offset);
    memcpy(buffer, m_text + offset, n);
    return n;
}

Result<usize> GeneratedFile::write(u8 const* buffer, usize count, u64 offset)
{
    if (!m_writer)
        return Errno::Access;
    if (offset == 0 && count > 0)
        TRY(m_writer(reinterpret_cast<char const*>(buffer), count));
    return count;
}

void GeneratedFile::stat(LinuxStat& out) const
{
    out = {};
    out.st_dev = 3;
    out.st_mode = m_mode;
    out.st_nlink = 1;
    out.st_blksize = 1024;
    // Like Linux's /proc, the size is reported as 0: the text exists only once read.
}
