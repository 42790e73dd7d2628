#include "devfs.h"
#include "block_devices.h"
#include "character_devices.h"
#include "kernel/lib/memory.h"
#include "loop_device.h"
#include "memory_metadata.h"

namespace {

enum class Device {
    Folder,
    Character,
    Block,
    Link, // a symbolic link to `target`
};

// A name in /dev, and the mode its node starts with: Linux's (/dev/tty is for everyone, the
// console for root).
struct DeviceName {
    char const* name;
    Device device;
    u32 mode;
    DeviceNumber number; // of a character (character_devices.h) or block device (block_devices.h)
    char const* target = nullptr; // of a link
};
// "shm" is only listed here: main.cpp mounts a tmpfs on /dev/shm (POSIX shared memory, and
// where LTP's library keeps its results), and a mount hides what lies beneath it.
DeviceName const DEVICES[] = {
    { "null", Device::Character, MODE_CHARACTER_DEVICE | 0666, DEVICE_NULL },
    { "zero", Device::Character, MODE_CHARACTER_DEVICE | 0666, DEVICE_ZERO },
    { "random", Device::Character, MODE_CHARACTER_DEVICE | 0666, DEVICE_RANDOM },
    { "urandom", Device::Character, MODE_CHARACTER_DEVICE | 0666, DEVICE_URANDOM },
    { "console", Device::Character, MODE_CHARACTER_DEVICE | 0600, DEVICE_CONSOLE },
    { "tty", Device::Character, MODE_CHARACTER_DEVICE | 0666, DEVICE_TTY },
    { "loop-control", Device::Character, MODE_CHARACTER_DEVICE | 0660, DEVICE_LOOP_CONTROL },
    { "loop0", Device::Block, MODE_BLOCK_DEVICE | 0660, { LOOP_MAJOR, 0 } },
    { "loop1", Device::Block, MODE_BLOCK_DEVICE | 0660, { LOOP_MAJOR, 1 } },
    { "loop2", Device::Block, MODE_BLOCK_DEVICE | 0660, { LOOP_MAJOR, 2 } },
    { "loop3", Device::Block, MODE_BLOCK_DEVICE | 0660, { LOOP_MAJOR, 3 } },
    { "loop4", Device::Block, MODE_BLOCK_DEVICE | 0660, { LOOP_MAJOR, 4 } },
    { "loop5", Device::Block, MODE_BLOCK_DEVICE | 0660, { LOOP_MAJOR, 5 } },
    { "loop6", Device::Block, MODE_BLOCK_DEVICE | 0660, { LOOP_MAJOR, 6 } },
    { "loop7", Device::Block, MODE_BLOCK_DEVICE | 0660, { LOOP_MAJOR, 7 } },
    // The virtio disks (a node whose disk is not attached opens with ENXIO).
    { "vda", Device::Block, MODE_BLOCK_DEVICE | 0660, { VIRTIO_BLOCK_MAJOR, 0 } },
    { "vdb", Device::Block, MODE_BLOCK_DEVICE | 0660, { VIRTIO_BLOCK_MAJOR, 16 } },
    { "vdc", Device::Block, MODE_BLOCK_DEVICE | 0660, { VIRTIO_BLOCK_MAJOR, 32 } },
    { "vdd", Device::Block, MODE_BLOCK_DEVICE | 0660, { VIRTIO_BLOCK_MAJOR, 48 } },
    { "shm", Device::Folder, MODE_DIRECTORY | 01777, {} },
    // What a Linux system's /dev has besides the kernel's nodes (udev makes them): the
    // descriptors of the process that looks (bash's process substitution opens /dev/fd/N).
    { "fd", Device::Link, MODE_SYMLINK | 0777, {}, "/proc/self/fd" },
    { "stdin", Device::Link, MODE_SYMLINK | 0777, {}, "/proc/self/fd/0" },
    { "stdout", Device::Link, MODE_SYMLINK | 0777, {}, "/proc/self/fd/1" },
    { "stderr", Device::Link, MODE_SYMLINK | 0777, {}, "/proc/self/fd/2" },
};

constexpr usize DEVICE_COUNT = sizeof DEVICES / sizeof DEVICES[0];

// One node of /dev. The folder holds its device nodes for as long as the kernel runs, so a
// chown, chmod or utimes of /dev/null sticks, as on Linux's devtmpfs.
class DevInode final : public Inode {
public:
    DevInode(Device device, u64 number, u32 mode, DeviceNumber device_number = {}, char const* target = nullptr)
        : m_device(device), m_number(number), m_device_number(device_number), m_metadata(mode, InodeOwner {}), m_target(target)
    { }
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
        if (m_device == Device::Link) {
            out.st_size = static_cast<i64>(strlen(m_target));
        } else if (m_device == Device::Block) {
            out.st_rdev = encode_dev_t(m_device_number);
            out.st_blksize = 4096;
        } else if (m_device != Device::Folder) {
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
            u8 type = entry.device == Device::Folder ? DT_DIR
                : entry.device == Device::Link       ? DT_LNK
                : entry.device == Device::Block      ? DT_BLK
                                                     : DT_CHR;
            if (!visit(Name { entry.name, strlen(entry.name) }, m_children[cookie]->number(), type))
                return {};
        }
        return {};
    }

    Result<RefPtr<File>> open(int flags) override
    {
        if (m_device == Device::Folder)
            return InodeFile::create(RefPtr<Inode>(this));
        if (m_device == Device::Link)
            return Errno::Loop; // the VFS follows a link; it is never opened itself
        if (m_device == Device::Block)
            return open_block_device(m_device_number, flags);
        return open_character_device(m_device_number);
    }

    Result<usize> read_link(char* out, usize capacity) override
    {
        if (m_device != Device::Link)
            return Errno::Invalid;
        usize n = min(strlen(m_target), capacity);
        memcpy(out, m_target, n);
        return n;
    }
    DeviceNumber device_number() override { return m_device_number; }

    // The folder's entries, made once. Names that share a device ("console" and "tty")
    // still get a node each, as they are different files on Linux.
    Result<void> make_children()
    {
        for (usize i = 0; i < DEVICE_COUNT; ++i) {
            auto* child
                = new (std::nothrow) DevInode(DEVICES[i].device, 2 + i, DEVICES[i].mode, DEVICES[i].number, DEVICES[i].target);
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
    DeviceNumber m_device_number;
    MemoryMetadata m_metadata;
    char const* m_target;
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
