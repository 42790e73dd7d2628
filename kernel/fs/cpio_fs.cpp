#include "cpio_fs.h"
#include "cpio.h"
#include "kernel/lib/memory.h"

namespace {

class CpioInode final : public Inode {
public:
    CpioInode(u64 device, u64 number, u32 mode, u8 const* data, u64 size, u32 mtime)
        : m_device(device), m_number(number), m_mode(mode), m_data(data), m_size(size), m_mtime(mtime)
    { }

    u64 number() const override { return m_number; }
    u64 device() const override { return m_device; }
    u64 stored_size() override { return m_size; }
    u32 mode() override { return m_mode; }

    void stat(LinuxStat& out) override
    {
        out = {};
        out.st_dev = m_device;
        out.st_ino = m_number;
        out.st_mode = m_mode;
        out.st_nlink = 1;
        out.st_size = static_cast<i64>((m_mode & MODE_TYPE_MASK) == MODE_DIRECTORY ? 4096 : m_size);
        out.st_blksize = PAGE_SIZE;
        out.st_blocks = (out.st_size + 511) / 512;
        out.st_atime = out.st_mtime = out.st_ctime = m_mtime;
    }

    Result<RefPtr<Inode>> lookup(Name name) override
    {
        if ((m_mode & MODE_TYPE_MASK) != MODE_DIRECTORY)
            return Errno::NotDirectory;
        for (CpioInode* child = m_first_child; child; child = child->m_next_sibling)
            if (child->m_name_length == name.length && memcmp(child->m_name, name.characters, name.length) == 0)
                return RefPtr<Inode>(child);
        return Errno::NoEntry;
    }

    Result<void> read_directory(u64& cookie, DirectoryVisitor visit) override
    {
        if ((m_mode & MODE_TYPE_MASK) != MODE_DIRECTORY)
            return Errno::NotDirectory;
        u64 index = 0;
        if (cookie == 0) {
            if (!visit(Name { ".", 1 }, m_number, DT_DIR))
                return {};
            cookie = 1;
        }
        if (cookie == 1) {
            if (!visit(Name { "..", 2 }, m_parent ? m_parent->m_number : m_number, DT_DIR))
                return {};
            cookie = 2;
        }
        for (CpioInode* child = m_first_child; child; child = child->m_next_sibling, ++index) {
            if (index + 2 < cookie)
                continue;
            u32 type = child->m_mode & MODE_TYPE_MASK;
            u8 d_type = type == MODE_DIRECTORY ? DT_DIR : type == MODE_SYMLINK ? DT_LNK : DT_REG;
            if (!visit(Name { child->m_name, child->m_name_length }, child->m_number, d_type))
                return {};
            cookie = index + 3;
        }
        return {};
    }

    Result<usize> read_link(char* out, usize capacity) override
    {
        if ((m_mode & MODE_TYPE_MASK) != MODE_SYMLINK)
            return Errno::Invalid;
        usize n = min<u64>(m_size, capacity);
        memcpy(out, m_data, n);
        return n;
    }

    Result<void> truncate(u64) override { return Errno::ReadOnlyFs; }
    bool is_read_only() override { return true; }
    // Linux unpacks an initramfs into a ramfs; this one stays in the archive, read-only.
    Result<void> statfs(LinuxStatfs& out) override
    {
        constexpr i64 RAMFS_MAGIC = 0x858458f6;
        statfs_without_storage(out, RAMFS_MAGIC);
        out.f_flags |= STATFS_READ_ONLY;
        return {};
    }

    // The archive is the backing store: clean pages may be dropped and read again.
    Result<void> read_page(u64 index, u8* page) override
    {
        memset(page, 0, PAGE_SIZE);
        u64 offset = index * PAGE_SIZE;
        if (offset < m_size)
            memcpy(page, m_data + offset, min<u64>(PAGE_SIZE, m_size - offset));
        return {};
    }
    Result<void> write_page(u64, u8 const*, usize) override { return Errno::ReadOnlyFs; }
    bool is_backed() const override { return true; }

    // Tree building.
    void add_child(CpioInode* child, char const* name, usize length)
    {
        child->m_name = name;
        child->m_name_length = length;
        child->m_parent = this;
        child->m_next_sibling = m_first_child;
        m_first_child = child;
    }
    void set_contents(u32 mode, u8 const* data, u64 size, u32 mtime)
    {
        m_mode = mode;
        m_data = data;
        m_size = size;
        m_mtime = mtime;
    }
    CpioInode* child_named(char const* name, usize length)
    {
        for (CpioInode* child = m_first_child; child; child = child->m_next_sibling)
            if (child->m_name_length == length && memcmp(child->m_name, name, length) == 0)
                return child;
        return nullptr;
    }

private:
    u64 m_device;
    u64 m_number;
    u32 m_mode;
    u8 const* m_data;
    u64 m_size;
    u32 m_mtime;
    char const* m_name { "" };
    usize m_name_length { 0 };
    CpioInode* m_parent { nullptr };
    CpioInode* m_first_child { nullptr };
    CpioInode* m_next_sibling { nullptr };
};

// Finds or creates (as a directory) the inode for `path`'s components. The tree's inodes
// live as long as the kernel: each holds a reference the file system never drops.
Result<CpioInode*> node_for(CpioInode& root, char const* path, usize length, u64 device, u64& next_number)
{
    CpioInode* node = &root;
    usize start = 0;
    while (start < length) {
        usize end = start;
        while (end < length && path[end] != '/')
            ++end;
        CpioInode* child = node->child_named(path + start, end - start);
        if (!child) {
            child = new (std::nothrow) CpioInode(device, ++next_number, MODE_DIRECTORY | 0755, nullptr, 0, 0);
            if (!child)
                return Errno::NoMemory;
            child->ref(); // permanent
            node->add_child(child, path + start, end - start);
        }
        node = child;
        start = end + 1;
    }
    return node;
}

}

Result<RefPtr<Inode>> cpio_fs_mount(u8 const* archive, u64 size)
{
    u64 device = allocate_device_number();
    u64 next_number = 1;
    auto* root = new (std::nothrow) CpioInode(device, 1, MODE_DIRECTORY | 0755, nullptr, 0, 0);
    if (!root)
        return Errno::NoMemory;
    root->ref(); // permanent, like every inode of the archive
    auto cpio = TRY(CpioArchive::open(archive, size));
    TRY(cpio.for_each([&](CpioEntry const& entry) -> Result<void> {
        if (entry.name_length == 0)
            return {}; // the archive's "." is the root
        CpioInode* node = TRY(node_for(*root, entry.name, entry.name_length, device, next_number));
        node->set_contents(entry.mode, entry.data, entry.size, entry.mtime);
        return {};
    }));
    return adopt_ref<Inode>(root);
}
