// FileBlockDevice: pread/pwrite on a host file.
#include "file_block_device.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

FileBlockDevice::FileBlockDevice(std::string const& path, bool read_only)
{
    m_fd = ::open(path.c_str(), read_only ? O_RDONLY : O_RDWR);
    if (m_fd >= 0) {
        struct stat st;
        if (fstat(m_fd, &st) == 0)
            m_size = static_cast<u64>(st.st_size);
    }
}

FileBlockDevice::~FileBlockDevice()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

static bool aligned(u64 offset, usize length) { return offset % 512 == 0 && length % 512 == 0; }

Result<void> FileBlockDevice::read(u64 offset_bytes, u8* buffer, usize length)
{
    if (!aligned(offset_bytes, length) || offset_bytes + length > m_size)
        return Errno::Invalid;
    ++reads;
    bytes_read += length;
    usize done = 0;
    while (done < length) {
        ssize_t n = ::pread(m_fd, buffer + done, length - done, static_cast<off_t>(offset_bytes + done));
        if (n <= 0)
            return Errno::IoError;
        done += static_cast<usize>(n);
    }
    return {};
}

Result<void> FileBlockDevice::write(u64 offset_bytes, u8 const* buffer, usize length)
{
    if (!aligned(offset_bytes, length) || offset_bytes + length > m_size)
        return Errno::Invalid;
    if (fail_writes)
        return Errno::IoError;
    ++writes;
    bytes_written += length;
    usize done = 0;
    while (done < length) {
        ssize_t n = ::pwrite(m_fd, buffer + done, length - done, static_cast<off_t>(offset_bytes + done));
        if (n <= 0)
            return Errno::IoError;
        done += static_cast<usize>(n);
    }
    return {};
}

Result<void> FileBlockDevice::flush()
{
    ++flushes;
    return {};
}
