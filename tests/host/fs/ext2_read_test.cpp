// ext2 on real images, reading: what mke2fs -d put there, stat, symlinks, directories, bad
// superblocks. Every test runs for 1, 2 and 4 KiB blocks; skipped when e2fsprogs is missing.
#include "ext2_fixture.h"

namespace {
class Ext2Test : public Ext2Fixture { };
}

INSTANTIATE_TEST_SUITE_P(Ext2, Ext2Test, ::testing::Values(1024u, 2048u, 4096u),
    [](testing::TestParamInfo<u32> const& info) { return std::to_string(info.param / 1024) + "KiB"; });

// ---- Reading what mke2fs -d put there ----

TEST_P(Ext2Test, ReadsFilesMadeByMke2fs)
{
    stage_standard_tree();
    make_image();
    mount(Ext2MountMode::ReadOnly);
    u32 hello = resolve("hello.txt");
    ASSERT_NE(hello, 0u);
    EXPECT_EQ(read_all(hello), "hello, ext2\n");
    EXPECT_EQ(read_all(resolve("dir/sub/nested.txt")), "nested file\n");
    u32 big = resolve("big.bin");
    ASSERT_NE(big, 0u);
    EXPECT_TRUE(read_all(big) == pattern(BIG_SIZE, 1));

    std::string sparse = read_all(resolve("sparse.bin"));
    ASSERT_EQ(sparse.size(), 600001u);
    EXPECT_EQ(sparse.find_first_not_of('\0'), 600000u);
    EXPECT_EQ(sparse.back(), 'X');
    EXPECT_LT(m_fs->stat(resolve("sparse.bin")).value().blocks * 512, 600000u / 2); // holes stay holes

    // A page past the end of the file reads as zeros.
    std::vector<u8> page(PAGE_SIZE, 0xAA);
    ASSERT_FALSE(m_fs->read_page(hello, 7, page.data()).is_error());
    EXPECT_EQ(std::count(page.begin(), page.end(), 0), long(PAGE_SIZE));
}

TEST_P(Ext2Test, StatReportsInodeFields)
{
    stage_standard_tree();
    make_image();
    mount(Ext2MountMode::ReadOnly);
    u32 hello = resolve("hello.txt");
    Ext2InodeInfo info = m_fs->stat(hello).value();
    EXPECT_EQ(info.inode, hello);
    EXPECT_EQ(info.mode, EXT2_S_IFREG | 0640);
    EXPECT_EQ(info.links, 1);
    EXPECT_EQ(info.size, 12u);
    EXPECT_EQ(info.blocks, block_size() / 512);
    EXPECT_GT(info.mtime, 0u);

    Ext2InodeInfo root = m_fs->stat(EXT2_ROOT_INODE).value();
    EXPECT_EQ(root.mode & EXT2_S_IFMT, EXT2_S_IFDIR);
    EXPECT_EQ(root.links, 2 + 3); // ".", its entry (as ".." of itself), lost+found, dir, empty

    // big.bin: data blocks plus the indirect blocks, in 512-byte sectors.
    Ext2InodeInfo big = m_fs->stat(resolve("big.bin")).value();
    u64 data_blocks = (BIG_SIZE + block_size() - 1) / block_size();
    EXPECT_GT(big.blocks, data_blocks * (block_size() / 512));
    EXPECT_EQ(error_of(m_fs->lookup(EXT2_ROOT_INODE, "missing", 7)), Errno::NoEntry);
    EXPECT_EQ(error_of(m_fs->lookup(hello, "x", 1)), Errno::NotDirectory);
}

TEST_P(Ext2Test, ReadsFastAndSlowSymlinks)
{
    stage_standard_tree();
    make_image();
    mount(Ext2MountMode::ReadOnly);
    char buffer[512];
    u32 fast = resolve("fast_link");
    EXPECT_EQ(m_fs->stat(fast).value().mode & EXT2_S_IFMT, EXT2_S_IFLNK);
    auto n = m_fs->readlink(fast, buffer, sizeof buffer);
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(std::string(buffer, n.value()), "hello.txt");
    auto m = m_fs->readlink(resolve("slow_link"), buffer, sizeof buffer);
    ASSERT_FALSE(m.is_error());
    EXPECT_EQ(std::string(buffer, m.value()), LONG_TARGET);
    EXPECT_EQ(error_of(m_fs->readlink(resolve("hello.txt"), buffer, sizeof buffer)), Errno::Invalid);
}

TEST_P(Ext2Test, ReadDirectoryListsEverythingAndResumes)
{
    stage_standard_tree();
    make_image();
    mount(Ext2MountMode::ReadOnly);
    std::set<std::string> expected { ".", "..", "lost+found", "hello.txt", "dir", "empty", "big.bin", "sparse.bin", "fast_link",
        "slow_link" };
    EXPECT_EQ(list(EXT2_ROOT_INODE), expected);

    // Two entries per call, as a tiny getdents64 buffer would take.
    std::multiset<std::string> seen;
    u64 cookie = 0;
    for (int call = 0; call < 100; ++call) {
        int taken = 0;
        usize reported = m_fs->read_directory(EXT2_ROOT_INODE, cookie,
                                 [&](char const* name, usize length, u32 inode, u8 type) {
                                     if (taken == 2)
                                         return false;
                                     ++taken;
                                     seen.insert(std::string(name, length));
                                     if (std::string(name, length) == "dir") {
                                         EXPECT_EQ(type, 4); // DT_DIR
                                     }
                                     if (std::string(name, length) == "fast_link") {
                                         EXPECT_EQ(type, 10); // DT_LNK
                                     }
                                     EXPECT_NE(inode, 0u);
                                     return true;
                                 })
                             .value();
        if (reported == 0)
            break;
    }
    EXPECT_EQ(seen, std::multiset<std::string>(expected.begin(), expected.end()));
}

TEST_P(Ext2Test, RefusesBadSuperblocks)
{
    make_image("4M");
    std::string image = slurp(m_image);
    std::string bad_magic = image;
    bad_magic[1024 + 56] = 0x12;
    spit(m_image, bad_magic);
    FileBlockDevice device(m_image.string());
    EXPECT_EQ(error_of(Ext2FileSystem::mount(device)), Errno::Invalid);

    std::string extents = image; // INCOMPAT_EXTENTS (0x40): not ours to read
    extents[1024 + 96] = static_cast<char>(extents[1024 + 96] | 0x40);
    spit(m_image, extents);
    FileBlockDevice device2(m_image.string());
    EXPECT_EQ(error_of(Ext2FileSystem::mount(device2)), Errno::Invalid);

    std::string ro_feature = image; // RO_COMPAT_HUGE_FILE: readable, not writable
    ro_feature[1024 + 100] = static_cast<char>(ro_feature[1024 + 100] | 0x08);
    spit(m_image, ro_feature);
    FileBlockDevice device3(m_image.string());
    EXPECT_EQ(error_of(Ext2FileSystem::mount(device3)), Errno::ReadOnlyFs);
    EXPECT_FALSE(Ext2FileSystem::mount(device3, Ext2MountMode::ReadOnly).is_error());
}
