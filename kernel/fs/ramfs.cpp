#include "ramfs.h"
#include "cpio.h"
#include "kernel/lib/memory.h"

namespace {

RamFsNode* g_nodes;
usize g_node_count;

class RamFsFile final : public File {
public:
    explicit RamFsFile(RamFsNode const& node) : m_node(node) { }
    Result<usize> read(u8* buffer, usize count, u64 offset) override
    {
        if ((m_node.mode & MODE_TYPE_MASK) == MODE_DIRECTORY)
            return Errno::IsDirectory;
        if (offset >= m_node.size)
            return 0;
        usize n = min<u64>(count, m_node.size - offset);
        memcpy(buffer, m_node.data + offset, n);
        return n;
    }
    Result<usize> write(u8 const*, usize, u64) override { return Errno::ReadOnlyFs; }
    void stat(LinuxStat& out) const override
    {
        out = {};
        out.st_dev = 1;
        out.st_ino = m_node.inode;
        out.st_nlink = 1;
        out.st_mode = m_node.mode;
        out.st_size = static_cast<i64>(m_node.size);
        out.st_blksize = PAGE_SIZE;
        out.st_blocks = static_cast<i64>((m_node.size + 511) / 512);
        out.st_atime = out.st_mtime = out.st_ctime = m_node.mtime;
    }
    u64 size() const override { return m_node.size; }

private:
    RamFsNode const& m_node;
};

}

Result<usize> ramfs_mount(u8 const* archive, u64 size)
{
    auto cpio = TRY(CpioArchive::open(archive, size));
    usize count = 0;
    TRY(cpio.for_each([&](CpioEntry const&) -> Result<void> {
        ++count;
        return {};
    }));
    g_nodes = new (std::nothrow) RamFsNode[count + 1];
    if (!g_nodes)
        return Errno::NoMemory;
    g_nodes[0] = { "", MODE_DIRECTORY | 0755, nullptr, 0, 1, 0 };
    g_node_count = 1;
    auto again = TRY(CpioArchive::open(archive, size));
    TRY(again.for_each([&](CpioEntry const& entry) -> Result<void> {
        if (entry.name_length == 0)
            return {}; // the archive's "." is our root
        g_nodes[g_node_count] = { entry.name, entry.mode, entry.data, entry.size, g_node_count + 1, entry.mtime };
        ++g_node_count;
        return {};
    }));
    return g_node_count;
}

RamFsNode const* ramfs_lookup(char const* path)
{
    for (usize i = 0; i < g_node_count; ++i)
        if (strcmp(g_nodes[i].path, path) == 0)
            return &g_nodes[i];
    return nullptr;
}

RefPtr<File> ramfs_open(RamFsNode const& node) { return adopt_ref<File>(new (std::nothrow) RamFsFile(node)); }
