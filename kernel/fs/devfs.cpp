#include "devfs.h"
#include "console.h"
#include "kernel/lib/memory.h"

namespace {

// Reads nothing (null) or zeros (zero); swallows writes.
class NullDevice final : public File {
public:
    explicit NullDevice(bool zeros) : m_zeros(zeros) { }
    Result<usize> read(u8* buffer, usize count, u64) override
    {
        if (!m_zeros)
            return 0;
        memset(buffer, 0, count);
        return count;
    }
    Result<usize> write(u8 const*, usize count, u64) override { return count; }
    void stat(LinuxStat& out) const override
    {
        out = {};
        out.st_mode = MODE_CHARACTER_DEVICE | 0666;
        out.st_rdev = m_zeros ? ((1 << 8) | 5) : ((1 << 8) | 3);
        out.st_nlink = 1;
    }
    bool is_seekable() const override { return false; }

private:
    bool m_zeros;
};

enum class Device {
    Folder,
    Null,
    Zero,
    Console
};

struct DeviceName {
    char const* name;
    Device device;
};
// "shm" is only listed here: main.cpp mounts a tmpfs on /dev/shm (POSIX shared memory, and
// where LTP's library keeps its results), and a mount hides what lies beneath it.
DeviceName const DEVICES[] = { { "null", Device::Null }, { "zero", Device::Zero }, { "console", Device::Console },
    { "tty", Device::Console }, { "shm", Device::Folder } };

class DevInode final : public Inode {
public:
    explicit DevInode(Device device) : m_device(device) { }
    u64 number() const override { return 1 + static_cast<u64>(m_device); }
    u64 device() const override
    {
        static u64 number = allocate_device_number();
        return number;
    }
    u64 stored_size() override { return 0; }
    // What stat() reports (the console's File says 0620, as Linux's /dev/console).
    u32 mode() override
    {
        switch (m_device) {
        case Device::Folder:
            return MODE_DIRECTORY | 0755;
        case Device::Console:
            return MODE_CHARACTER_DEVICE | 0620;
        default:
            return MODE_CHARACTER_DEVICE | 0666;
        }
    }

    void stat(LinuxStat& out) override
    {
        out = {};
        out.st_dev = device();
        out.st_ino = number();
        out.st_nlink = 1;
        if (m_device == Device::Folder) {
            out.st_mode = MODE_DIRECTORY | 0755;
            return;
        }
        RefPtr<File> file = MUST(open(O_RDONLY));
        file->stat(out);
        out.st_dev = device();
        out.st_ino = number();
    }

    Result<RefPtr<Inode>> lookup(Name name) override
    {
        if (m_device != Device::Folder)
            return Errno::NotDirectory;
        for (auto const& entry : DEVICES)
            if (strlen(entry.name) == name.length && memcmp(entry.name, name.characters, name.length) == 0) {
                auto* inode = new (std::nothrow) DevInode(entry.device);
                if (!inode)
                    return Errno::NoMemory;
                return adopt_ref<Inode>(inode);
            }
        return Errno::NoEntry;
    }

    Result<void> read_directory(u64& cookie, DirectoryVisitor visit) override
    {
        if (m_device != Device::Folder)
            return Errno::NotDirectory;
        constexpr usize count = sizeof DEVICES / sizeof DEVICES[0];
        for (; cookie < count; ++cookie) {
            auto const& entry = DEVICES[cookie];
            u8 type = entry.device == Device::Folder ? DT_DIR : DT_CHR;
            if (!visit(Name { entry.name, strlen(entry.name) }, 2 + static_cast<u64>(entry.device), type))
                return {};
        }
        return {};
    }

    Result<RefPtr<File>> open(int) override
    {
        switch (m_device) {
        case Device::Folder:
            return InodeFile::create(RefPtr<Inode>(this));
        case Device::Null:
        case Device::Zero: {
            auto* file = new (std::nothrow) NullDevice(m_device == Device::Zero);
            if (!file)
                return Errno::NoMemory;
            return adopt_ref<File>(file);
        }
        case Device::Console:
            return Console::the();
        }
        return Errno::NoDevice;
    }

private:
    Device m_device;
};

}

Result<RefPtr<Inode>> devfs_create_root()
{
    auto* root = new (std::nothrow) DevInode(Device::Folder);
    if (!root)
        return Errno::NoMemory;
    return adopt_ref<Inode>(root);
}
