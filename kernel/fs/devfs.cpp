#include "devfs.h"
#include "console.h"
#include "kernel/dev/random.h"
#include "kernel/lib/memory.h"
#include "memory_metadata.h"

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
    bool maps_as_anonymous_memory() const override { return m_zeros; }

private:
    bool m_zeros;
};

// /dev/random and /dev/urandom: the bytes getrandom() gives (kernel/dev/random.h), never
// blocking, as Linux's since 5.6 once its pool is ready; what is written is taken and, since
// this generator has no pool to mix it into, dropped.
class RandomDevice final : public File {
public:
    explicit RandomDevice(u32 minor) : m_minor(minor) { }
    Result<usize> read(u8* buffer, usize count, u64) override
    {
        random_fill(buffer, count);
        return count;
    }
    Result<usize> write(u8 const*, usize count, u64) override { return count; }
    void stat(LinuxStat& out) const override
    {
        out = {};
        out.st_mode = MODE_CHARACTER_DEVICE | 0666;
        out.st_rdev = (1 << 8) | m_minor;
        out.st_nlink = 1;
    }
    bool is_seekable() const override { return false; }

private:
    u32 m_minor;
};

enum class Device {
    Folder,
    Null,
    Zero,
    Random,
    Urandom,
    Console
};

// A name in /dev, and the mode its node starts with: Linux's (/dev/tty is for everyone, the
// console for root).
struct DeviceName {
    char const* name;
    Device device;
    u32 mode;
};
// "shm" is only listed here: main.cpp mounts a tmpfs on /dev/shm (POSIX shared memory, and
// where LTP's library keeps its results), and a mount hides what lies beneath it.
DeviceName const DEVICES[] = {
    { "null", Device::Null, MODE_CHARACTER_DEVICE | 0666 },
    { "zero", Device::Zero, MODE_CHARACTER_DEVICE | 0666 },
    { "random", Device::Random, MODE_CHARACTER_DEVICE | 0666 },
    { "urandom", Device::Urandom, MODE_CHARACTER_DEVICE | 0666 },
    { "console", Device::Console, MODE_CHARACTER_DEVICE | 0600 },
    { "tty", Device::Console, MODE_CHARACTER_DEVICE | 0666 },
    { "shm", Device::Folder, MODE_DIRECTORY | 01777 },
};

constexpr usize DEVICE_COUNT = sizeof DEVICES / sizeof DEVICES[0];

// One node of /dev. The folder holds its device nodes for as long as the kernel runs, so a
// chown, chmod or utimes of /dev/null sticks, as on Linux's devtmpfs.
class DevInode final : public Inode {
public:
    DevInode(Device device, u64 number, u32 mode) : m_device(device), m_number(number), m_metadata(mode, InodeOwner {}) { }
    u64 number() const override { return m_number; }
    u64 device() const override
    {
        static u64 number = allocate_device_number();
        return number;
    }
    u64 stored_size() override { return 0; }
    // Linux's /dev is a devtmpfs, which reports itself as a tmpfs.
    Result<void> statfs(LinuxStatfs& out) override
    {
        statfs_without_storage(out, TMPFS_MAGIC);
        return {};
    }
    u32 mode() override { return m_metadata.mode(); }
    InodeOwner owner() override { return m_metadata.owner(); }
    Result<void> change_attributes(AttributeChange const& change) override
    {
        m_metadata.apply(change);
        return {};
    }

    void stat(LinuxStat& out) override
    {
        out = {};
        if (m_device != Device::Folder) {
            RefPtr<File> file = MUST(open(O_RDONLY));
            file->stat(out); // the device numbers
        }
        out.st_dev = device();
        out.st_ino = number();
        out.st_nlink = m_device == Device::Folder ? 2 : 1;
        m_metadata.fill_stat(out);
    }

    Result<RefPtr<Inode>> lookup(Name name) override
    {
        if (m_device != Device::Folder)
            return Errno::NotDirectory;
        if (!holds_nodes())
            return Errno::NoEntry;
        for (usize i = 0; i < DEVICE_COUNT; ++i)
            if (strlen(DEVICES[i].name) == name.length && memcmp(DEVICES[i].name, name.characters, name.length) == 0)
                return m_children[i];
        return Errno::NoEntry;
    }

    Result<void> read_directory(u64& cookie, DirectoryVisitor visit) override
    {
        if (m_device != Device::Folder)
            return Errno::NotDirectory;
        if (!holds_nodes())
            return {};
        for (; cookie < DEVICE_COUNT; ++cookie) {
            auto const& entry = DEVICES[cookie];
            u8 type = entry.device == Device::Folder ? DT_DIR : DT_CHR;
            if (!visit(Name { entry.name, strlen(entry.name) }, m_children[cookie]->number(), type))
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
        case Device::Random:
        case Device::Urandom: {
            auto* file = new (std::nothrow) RandomDevice(m_device == Device::Random ? 8 : 9);
            if (!file)
                return Errno::NoMemory;
            return adopt_ref<File>(file);
        }
        case Device::Console:
            return Console::the();
        }
        return Errno::NoDevice;
    }

    // The folder's entries, made once. Names that share a device ("console" and "tty")
    // still get a node each, as they are different files on Linux.
    Result<void> make_children()
    {
        for (usize i = 0; i < DEVICE_COUNT; ++i) {
            auto* child = new (std::nothrow) DevInode(DEVICES[i].device, 2 + i, DEVICES[i].mode);
            if (!child)
                return Errno::NoMemory;
            m_children[i] = adopt_ref<Inode>(child);
        }
        return {};
    }

private:
    // Only /dev itself: its "shm" folder is empty (a tmpfs is mounted over it).
    bool holds_nodes() const { return static_cast<bool>(m_children[0]); }

    Device m_device;
    u64 m_number;
    MemoryMetadata m_metadata;
    RefPtr<Inode> m_children[DEVICE_COUNT];
};

}

Result<RefPtr<Inode>> devfs_create_root()
{
    auto* raw = new (std::nothrow) DevInode(Device::Folder, 1, MODE_DIRECTORY | 0755);
    if (!raw)
        return Errno::NoMemory;
    RefPtr<DevInode> root = adopt_ref(raw);
    TRY(root->make_children());
    return RefPtr<Inode>(root.ptr());
}
