#include "loop_device.h"
#include "block_devices.h"
#include "inode.h"
#include "kernel/lib/memory.h"

namespace {
LoopDevice* g_loops[LOOP_DEVICE_COUNT];
}

void LoopDevice::create_all()
{
    static char const* const names[LOOP_DEVICE_COUNT]
        = { "loop0", "loop1", "loop2", "loop3", "loop4", "loop5", "loop6", "loop7" };
    for (u32 i = 0; i < LOOP_DEVICE_COUNT; ++i) {
        auto* loop = new (std::nothrow) LoopDevice;
        if (!loop)
            return;
        loop->m_index = i;
        g_loops[i] = loop;
        (void)register_block_device({ LOOP_MAJOR, i }, *loop, names[i]);
    }
}

LoopDevice* LoopDevice::get(u32 index) { return index < LOOP_DEVICE_COUNT ? g_loops[index] : nullptr; }

u64 LoopDevice::size_bytes() const
{
    if (!m_backing)
        return 0;
    u64 file_size = m_backing->file().size();
    u64 size = file_size > m_status.offset ? file_size - m_status.offset : 0;
    if (m_status.size_limit && m_status.size_limit < size)
        size = m_status.size_limit;
    return size - size % 512;
}

Result<void> LoopDevice::read(u64 offset_bytes, u8* buffer, usize length)
{
    if (!m_backing)
        return Errno::IoError;
    usize done = 0;
    while (done < length) {
        usize n = TRY(m_backing->file().read(buffer + done, length - done, m_status.offset + offset_bytes + done));
        if (n == 0)
            break;
        done += n;
    }
    memset(buffer + done, 0, length - done); // past the file's end (it shrank): zeros
    return {};
}

Result<void> LoopDevice::write(u64 offset_bytes, u8 const* buffer, usize length)
{
    if (!m_backing)
        return Errno::IoError;
    usize done = 0;
    while (done < length) {
        usize n = TRY(m_backing->file().write(buffer + done, length - done, m_status.offset + offset_bytes + done));
        if (n == 0)
            return Errno::IoError;
        done += n;
    }
    return {};
}

Result<void> LoopDevice::flush()
{
    if (!m_backing)
        return {};
    if (Inode* inode = m_backing->file().inode())
        return inode->sync();
    return {};
}

Result<void> LoopDevice::acquire()
{
    if (!m_present)
        return Errno::NoDeviceOrAddress;
    ++m_openers;
    return {};
}

void LoopDevice::release()
{
    if (m_openers > 0 && --m_openers == 0 && (m_status.flags & LOOP_FLAG_AUTOCLEAR) && m_backing)
        detach();
}

Result<void> LoopDevice::bind(RefPtr<OpenFile> backing, bool writable)
{
    if (m_backing)
        return Errno::Busy;
    Inode* inode = backing->file().inode();
    // Linux takes a regular file or a block device; a directory or a pipe is EINVAL.
    if (!inode || !inode->is_regular())
        return Errno::Invalid;
    m_status = {};
    if (!writable || !backing->can_write())
        m_status.flags |= LOOP_FLAG_READ_ONLY;
    m_backing = static_cast<RefPtr<OpenFile>&&>(backing);
    return {};
}

void LoopDevice::detach()
{
    (void)flush();
    m_backing.clear();
    m_status = {};
}

Result<void> LoopDevice::unbind()
{
    if (!m_backing)
        return Errno::NoDeviceOrAddress;
    // Someone else still has it open or mounted: it goes when they let go (autoclear).
    if (m_openers > 1) {
        m_status.flags |= LOOP_FLAG_AUTOCLEAR;
        return {};
    }
    detach();
    return {};
}

Result<void> LoopDevice::set_status(LoopStatus const& wanted)
{
    if (!m_backing)
        return Errno::NoDeviceOrAddress;
    // Of the flags only autoclear and partscan may change (LOOP_SET_STATUS_SETTABLE_FLAGS);
    // Pagoda reads no partition tables, so partscan finds nothing, as on an empty disk.
    constexpr u32 SETTABLE = LOOP_FLAG_AUTOCLEAR | LOOP_FLAG_PARTSCAN;
    m_status.flags = (m_status.flags & ~SETTABLE) | (wanted.flags & SETTABLE);
    m_status.offset = wanted.offset;
    m_status.size_limit = wanted.size_limit;
    memcpy(m_status.file_name, wanted.file_name, sizeof m_status.file_name);
    m_status.file_name[sizeof m_status.file_name - 1] = '\0';
    return {};
}

Result<LoopStatus> LoopDevice::status() const
{
    if (!m_backing)
        return Errno::NoDeviceOrAddress;
    return m_status;
}

void LoopDevice::backing_identity(u64& device, u64& inode) const
{
    device = inode = 0;
    if (!m_backing)
        return;
    LinuxStat st {};
    m_backing->file().stat(st);
    device = st.st_dev;
    inode = st.st_ino;
}

Result<void> LoopDevice::add()
{
    if (m_present)
        return Errno::Exists;
    m_present = true;
    return {};
}

Result<void> LoopDevice::remove()
{
    if (!m_present)
        return Errno::NoDevice;
    if (m_backing || m_openers)
        return Errno::Busy;
    m_present = false;
    return {};
}

void LoopControlFile::stat(LinuxStat& out) const
{
    out = {};
    out.st_mode = MODE_CHARACTER_DEVICE | 0660;
    out.st_rdev = encode_dev_t(DEVICE_LOOP_CONTROL);
    out.st_nlink = 1;
}

Result<RefPtr<File>> open_loop_control()
{
    auto* file = new (std::nothrow) LoopControlFile;
    if (!file)
        return Errno::NoMemory;
    return adopt_ref<File>(file);
}
