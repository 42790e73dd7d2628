// ext2 on real images, writing: create, extend into indirect blocks, truncate, unlink,
// directories, rename, links, a full disk, then e2fsck -fn and debugfs on the host must agree.
// Every test runs for 1, 2 and 4 KiB blocks; skipped when e2fsprogs is missing.
#include "ext2_fixture.h"

namespace {
class Ext2WriteTest : public Ext2Fixture { };
}

INSTANTIATE_TEST_SUITE_P(Ext2, Ext2WriteTest, ::testing::Values(1024u, 2048u, 4096u),
    [](testing::TestParamInfo<u32> const& info) { return std::to_string(info.param / 1024) + "KiB"; });

// ---- Writing ----

TEST_P(Ext2WriteTest, MountMarksNotCleanUntilUnmount)
{
    make_image("4M");
    mount();
    u16 state;
    {
        std::ifstream in(m_image, std::ios::binary);
        in.seekg(1024 + 58);
        in.read(reinterpret_cast<char*>(&state), 2);
    }
    EXPECT_EQ(state & EXT2_STATE_VALID, 0);
    u64 flushes = m_device->flushes;
    ASSERT_FALSE(m_fs->sync().is_error());
    EXPECT_GT(m_device->flushes, flushes);
    unmount();
    {
        std::ifstream in(m_image, std::ios::binary);
        in.seekg(1024 + 58);
        in.read(reinterpret_cast<char*>(&state), 2);
    }
    EXPECT_EQ(state, EXT2_STATE_VALID);
    expect_fsck_clean();
}

TEST_P(Ext2WriteTest, CreateWriteIntoDoubleIndirectAndReadBack)
{
    make_image("16M");
    mount();
    Ext2Statistics before = m_fs->statistics();
    u32 file = create(EXT2_ROOT_INODE, "new.bin");
    ASSERT_NE(file, 0u);
    EXPECT_EQ(error_of(m_fs->create(EXT2_ROOT_INODE, "new.bin", 7, 0644)), Errno::Exists);
    std::string data = pattern(BIG_SIZE, 7);
    ASSERT_FALSE(write_at(file, 0, data).is_error());
    EXPECT_TRUE(read_all(file) == data);
    Ext2InodeInfo info = m_fs->stat(file).value();
    EXPECT_EQ(info.size, BIG_SIZE);
    u64 data_blocks = (BIG_SIZE + block_size() - 1) / block_size();
    u64 used = before.free_blocks - m_fs->statistics().free_blocks;
    EXPECT_GT(used, data_blocks); // plus indirect blocks
    EXPECT_EQ(info.blocks, used * (block_size() / 512));
    // A small write into the middle, across a page boundary.
    ASSERT_FALSE(write_at(file, 3 * PAGE_SIZE - 5, "0123456789").is_error());
    data.replace(3 * PAGE_SIZE - 5, 10, "0123456789");
    unmount();
    expect_fsck_clean();
    EXPECT_TRUE(debugfs_cat("/new.bin") == data);
}

TEST_P(Ext2WriteTest, SparseExtendAndTruncateFreeBlocks)
{
    make_image("16M");
    mount();
    Ext2Statistics before = m_fs->statistics();
    u32 file = create(EXT2_ROOT_INODE, "sparse");
    // One page far out: needs the double-indirect tree but nothing below it.
    u64 far = 2 * MiB;
    ASSERT_FALSE(write_at(file, far, "far away").is_error());
    EXPECT_EQ(m_fs->stat(file).value().size, far + 8);
    std::string content = read_all(file);
    EXPECT_EQ(content.find_first_not_of('\0'), far);
    // Extend: just the size.
    ASSERT_FALSE(m_fs->set_size(file, 3 * MiB).is_error());
    EXPECT_EQ(m_fs->stat(file).value().size, 3 * MiB);
    unmount();
    expect_fsck_clean();
    mount();
    file = resolve("sparse");
    ASSERT_FALSE(write_at(file, 0, pattern(300 * 1024, 3)).is_error());
    // Truncate into the middle of a block; the tail must read as zeros after re-extending.
    ASSERT_FALSE(m_fs->set_size(file, 1000).is_error());
    ASSERT_FALSE(m_fs->set_size(file, 5000).is_error());
    std::string data = read_all(file);
    EXPECT_TRUE(data.substr(0, 1000) == pattern(300 * 1024, 3).substr(0, 1000));
    EXPECT_EQ(data.find_first_not_of('\0', 1000), std::string::npos);
    ASSERT_FALSE(m_fs->set_size(file, 0).is_error());
    EXPECT_EQ(m_fs->stat(file).value().blocks, 0u);
    EXPECT_EQ(m_fs->statistics().free_blocks, before.free_blocks);
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(debugfs_cat("/sparse"), "");
}

TEST_P(Ext2WriteTest, UnlinkDefersFreeingUntilRelease)
{
    stage_standard_tree();
    make_image();
    mount();
    Ext2Statistics before = m_fs->statistics();
    u32 big = resolve("big.bin");
    auto removed = m_fs->unlink(EXT2_ROOT_INODE, "big.bin", 7);
    ASSERT_FALSE(removed.is_error());
    EXPECT_EQ(removed.value(), big);
    EXPECT_EQ(error_of(m_fs->lookup(EXT2_ROOT_INODE, "big.bin", 7)), Errno::NoEntry);
    // Still readable by whoever has it open.
    EXPECT_EQ(links(big), 0);
    EXPECT_TRUE(read_all(big) == pattern(BIG_SIZE, 1));
    EXPECT_EQ(m_fs->statistics().free_blocks, before.free_blocks);
    ASSERT_FALSE(m_fs->release_inode(big).is_error());
    EXPECT_GT(m_fs->statistics().free_blocks, before.free_blocks + BIG_SIZE / block_size());
    EXPECT_EQ(m_fs->statistics().free_inodes, before.free_inodes + 1);
    ASSERT_FALSE(m_fs->release_inode(big).is_error()); // a second release is harmless
    EXPECT_EQ(error_of(m_fs->unlink(EXT2_ROOT_INODE, "dir", 3)), Errno::IsDirectory);

    // Unlinked but never released: unmount frees it.
    ASSERT_FALSE(m_fs->unlink(EXT2_ROOT_INODE, "hello.txt", 9).is_error());
    ASSERT_FALSE(m_fs->unlink(EXT2_ROOT_INODE, "slow_link", 9).is_error());
    unmount();
    expect_fsck_clean();
}

TEST_P(Ext2WriteTest, MkdirAndRmdirKeepLinkCounts)
{
    make_image("8M");
    mount();
    u16 root_links = links(EXT2_ROOT_INODE);
    u32 a = mkdir(EXT2_ROOT_INODE, "a");
    u32 b = mkdir(a, "b");
    u32 f = create(b, "f");
    ASSERT_FALSE(write_at(f, 0, "data in a/b/f").is_error());
    EXPECT_EQ(links(EXT2_ROOT_INODE), root_links + 1);
    EXPECT_EQ(links(a), 3);
    EXPECT_EQ(links(b), 2);
    EXPECT_EQ(m_fs->lookup(b, "..", 2).value(), a);
    EXPECT_EQ(list(b), (std::set<std::string> { ".", "..", "f" }));
    EXPECT_EQ(error_of(m_fs->mkdir(EXT2_ROOT_INODE, "a", 1, 0755)), Errno::Exists);
    EXPECT_EQ(error_of(m_fs->rmdir(EXT2_ROOT_INODE, "a", 1)), Errno::NotEmpty);
    EXPECT_EQ(error_of(m_fs->rmdir(b, "f", 1)), Errno::NotDirectory);
    EXPECT_EQ(error_of(m_fs->create(f, "x", 1, 0644)), Errno::NotDirectory);
    EXPECT_EQ(error_of(m_fs->rmdir(a, ".", 1)), Errno::Invalid);
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(debugfs_cat("/a/b/f"), "data in a/b/f");

    mount();
    u32 keep = mkdir(EXT2_ROOT_INODE, "keep");
    (void)keep;
    ASSERT_FALSE(m_fs->release_inode(m_fs->unlink(b, "f", 1).value()).is_error());
    auto removed_b = m_fs->rmdir(a, "b", 1);
    ASSERT_FALSE(removed_b.is_error());
    EXPECT_EQ(links(a), 2);
    EXPECT_EQ(error_of(m_fs->create(removed_b.value(), "x", 1, 0644)), Errno::NoEntry); // removed while "open"
    ASSERT_FALSE(m_fs->release_inode(removed_b.value()).is_error());
    ASSERT_FALSE(m_fs->release_inode(m_fs->rmdir(EXT2_ROOT_INODE, "a", 1).value()).is_error());
    EXPECT_EQ(links(EXT2_ROOT_INODE), root_links + 1); // "keep"
    unmount();
    expect_fsck_clean();
}

TEST_P(Ext2WriteTest, RenameLikeLinux)
{
    make_image("8M");
    mount();
    u32 one = create(EXT2_ROOT_INODE, "one");
    u32 two = create(EXT2_ROOT_INODE, "two");
    ASSERT_FALSE(write_at(one, 0, "first").is_error());
    ASSERT_FALSE(write_at(two, 0, "second").is_error());
    u32 d1 = mkdir(EXT2_ROOT_INODE, "d1");
    u32 d2 = mkdir(EXT2_ROOT_INODE, "d2");
    u32 inner = mkdir(d1, "inner");
    create(inner, "deep");
    u32 full = mkdir(EXT2_ROOT_INODE, "full");
    create(full, "occupant");

    // File over file: the target's inode comes back for release.
    auto replaced = m_fs->rename(EXT2_ROOT_INODE, "one", 3, EXT2_ROOT_INODE, "two", 3);
    ASSERT_FALSE(replaced.is_error());
    EXPECT_EQ(replaced.value(), two);
    ASSERT_FALSE(m_fs->release_inode(two).is_error());
    EXPECT_EQ(resolve("two"), one);
    EXPECT_EQ(resolve("one"), 0u);

    // Errors, as Linux.
    EXPECT_EQ(error_of(m_fs->rename(EXT2_ROOT_INODE, "two", 3, EXT2_ROOT_INODE, "d2", 2)), Errno::IsDirectory);
    EXPECT_EQ(error_of(m_fs->rename(EXT2_ROOT_INODE, "d2", 2, EXT2_ROOT_INODE, "two", 3)), Errno::NotDirectory);
    EXPECT_EQ(error_of(m_fs->rename(EXT2_ROOT_INODE, "d2", 2, EXT2_ROOT_INODE, "full", 4)), Errno::NotEmpty);
    EXPECT_EQ(error_of(m_fs->rename(EXT2_ROOT_INODE, "d1", 2, inner, "x", 1)), Errno::Invalid);
    EXPECT_EQ(error_of(m_fs->rename(EXT2_ROOT_INODE, "nope", 4, EXT2_ROOT_INODE, "x", 1)), Errno::NoEntry);

    // A directory moves to another parent: ".." and both parents' link counts follow.
    u16 d2_links = links(d2);
    ASSERT_FALSE(m_fs->rename(d1, "inner", 5, d2, "moved", 5).is_error());
    EXPECT_EQ(m_fs->lookup(inner, "..", 2).value(), d2);
    EXPECT_EQ(links(d1), 2);
    EXPECT_EQ(links(d2), d2_links + 1);
    EXPECT_NE(resolve("d2/moved/deep"), 0u);

    // A directory over an empty directory.
    u32 empty = mkdir(EXT2_ROOT_INODE, "empty");
    auto over = m_fs->rename(EXT2_ROOT_INODE, "d1", 2, EXT2_ROOT_INODE, "empty", 5);
    ASSERT_FALSE(over.is_error());
    EXPECT_EQ(over.value(), empty);
    ASSERT_FALSE(m_fs->release_inode(empty).is_error());
    EXPECT_EQ(resolve("empty"), d1);

    // Same name, hard links of one inode: nothing happens.
    ASSERT_FALSE(m_fs->link(one, EXT2_ROOT_INODE, "alias", 5).is_error());
    EXPECT_EQ(m_fs->rename(EXT2_ROOT_INODE, "alias", 5, EXT2_ROOT_INODE, "two", 3).value(), 0u);
    EXPECT_EQ(links(one), 2);
    // Rename within one directory to a new name.
    ASSERT_FALSE(m_fs->rename(EXT2_ROOT_INODE, "alias", 5, full, "alias2", 6).is_error());
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(debugfs_cat("/two"), "first");
    EXPECT_EQ(debugfs_cat("/full/alias2"), "first");
}

TEST_P(Ext2WriteTest, LinksAndSymlinks)
{
    make_image("8M");
    mount();
    u32 file = create(EXT2_ROOT_INODE, "target");
    ASSERT_FALSE(write_at(file, 0, "linked").is_error());
    u32 dir = mkdir(EXT2_ROOT_INODE, "d");
    ASSERT_FALSE(m_fs->link(file, dir, "again", 5).is_error());
    EXPECT_EQ(links(file), 2);
    EXPECT_EQ(error_of(m_fs->link(dir, EXT2_ROOT_INODE, "dirlink", 7)), Errno::NotPermitted);
    EXPECT_EQ(error_of(m_fs->link(file, dir, "again", 5)), Errno::Exists);

    std::string slow_target = "/some/where/" + std::string(200, 'y');
    u32 fast = m_fs->symlink(EXT2_ROOT_INODE, "fast", 4, "target", 6).value();
    u32 slow = m_fs->symlink(dir, "slow", 4, slow_target.data(), slow_target.size()).value();
    char buffer[1024];
    EXPECT_EQ(std::string(buffer, m_fs->readlink(fast, buffer, sizeof buffer).value()), "target");
    EXPECT_EQ(std::string(buffer, m_fs->readlink(slow, buffer, sizeof buffer).value()), slow_target);
    EXPECT_EQ(m_fs->stat(fast).value().blocks, 0u);
    EXPECT_EQ(m_fs->stat(slow).value().blocks, block_size() / 512);
    EXPECT_EQ(m_fs->readlink(slow, buffer, 5).value(), 5u);
    ASSERT_FALSE(m_fs->chmod(file, 0600).is_error());
    ASSERT_FALSE(m_fs->chown(file, 1000, 70000).is_error());
    ASSERT_FALSE(m_fs->set_times(file, 111, 222).is_error());
    Ext2InodeInfo info = m_fs->stat(file).value();
    EXPECT_EQ(info.mode, EXT2_S_IFREG | 0600);
    EXPECT_EQ(info.uid, 1000u);
    EXPECT_EQ(info.gid, 70000u);
    EXPECT_EQ(info.atime, 111u);
    EXPECT_EQ(info.mtime, 222u);
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(debugfs_cat("/d/again"), "linked");
    fs::path out = m_dir / "stat.out";
    run("debugfs -R 'stat /d/slow' " + m_image.string() + " >" + out.string() + " 2>/dev/null");
    EXPECT_NE(slurp(out).find("Type: symlink"), std::string::npos);
}

TEST_P(Ext2WriteTest, DirectoriesGrowAndShrinkEntries)
{
    make_image("8M");
    mount();
    u32 dir = mkdir(EXT2_ROOT_INODE, "many");
    std::set<std::string> expected { ".", ".." };
    for (int i = 0; i < 200; ++i) {
        std::string name = "file-with-a-longish-name-" + std::to_string(i);
        create(dir, name);
        expected.insert(name);
    }
    EXPECT_GT(m_fs->stat(dir).value().size, u64(block_size()));
    EXPECT_EQ(list(dir), expected);
    for (int i = 0; i < 200; i += 2) {
        std::string name = "file-with-a-longish-name-" + std::to_string(i);
        ASSERT_FALSE(m_fs->release_inode(m_fs->unlink(dir, name.data(), name.size()).value()).is_error());
        expected.erase(name);
    }
    EXPECT_EQ(list(dir), expected);
    // Freed space is reused: short names fit into the gaps without growing the directory.
    u64 size = m_fs->stat(dir).value().size;
    for (int i = 0; i < 50; ++i)
        create(dir, "s" + std::to_string(i));
    EXPECT_EQ(m_fs->stat(dir).value().size, size);
    unmount();
    expect_fsck_clean();
}

TEST_P(Ext2WriteTest, FullDiskGivesNoSpaceAndStaysConsistent)
{
    make_image("2M");
    mount();
    u32 file = create(EXT2_ROOT_INODE, "filler");
    std::string chunk = pattern(PAGE_SIZE, 9);
    Errno error {};
    u64 offset = 0;
    for (; offset < 4 * MiB; offset += PAGE_SIZE) {
        auto written = write_at(file, offset, chunk);
        if (written.is_error()) {
            error = written.error();
            break;
        }
    }
    EXPECT_EQ(error, Errno::NoSpace);
    // A failed page write gives back what it got, so fewer than a page's blocks are left.
    EXPECT_LT(m_fs->statistics().free_blocks, PAGE_SIZE / block_size());
    EXPECT_EQ(m_fs->stat(file).value().size, offset);
    while (m_fs->statistics().free_blocks > 0) {
        ASSERT_FALSE(write_at(file, offset, chunk.substr(0, block_size())).is_error());
        offset += block_size();
    }
    EXPECT_EQ(error_of(m_fs->mkdir(EXT2_ROOT_INODE, "d", 1, 0755)), Errno::NoSpace);
    // Creating files still works while the directory block has room.
    u32 small = create(EXT2_ROOT_INODE, "small");
    EXPECT_EQ(error_of(write_at(small, 0, "x")), Errno::NoSpace);
    unmount();
    expect_fsck_clean();

    mount();
    file = resolve("filler");
    ASSERT_FALSE(m_fs->release_inode(m_fs->unlink(EXT2_ROOT_INODE, "filler", 6).value()).is_error());
    EXPECT_GT(m_fs->statistics().free_blocks, offset / block_size() / 2);
    ASSERT_FALSE(write_at(resolve("small"), 0, "now it fits").is_error());
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(debugfs_cat("/small"), "now it fits");
}

TEST_P(Ext2WriteTest, RevisionZeroVolume)
{
    make_image("4M", "-r 0");
    mount();
    u32 dir = mkdir(EXT2_ROOT_INODE, "old");
    u32 file = create(dir, "style");
    ASSERT_FALSE(write_at(file, 0, "revision zero").is_error());
    EXPECT_EQ(list(dir), (std::set<std::string> { ".", "..", "style" }));
    unmount();
    expect_fsck_clean();
    EXPECT_EQ(debugfs_cat("/old/style"), "revision zero");
}

TEST_P(Ext2WriteTest, ReadOnlyMountRefusesWrites)
{
    make_image("4M");
    std::string before = slurp(m_image);
    mount(Ext2MountMode::ReadOnly);
    EXPECT_EQ(error_of(m_fs->create(EXT2_ROOT_INODE, "x", 1, 0644)), Errno::ReadOnlyFs);
    EXPECT_EQ(m_device->writes, 0u);
    unmount();
    EXPECT_TRUE(slurp(m_image) == before);
}

TEST_P(Ext2WriteTest, TripleIndirectAndLargeFiles)
{
    make_image("16M");
    mount();
    Ext2Statistics before = m_fs->statistics();
    u64 p = block_size() / 4;
    u64 first_triple = 12 + p + p * p; // in blocks; past 4 GiB with 4 KiB blocks
    u64 offset = first_triple * block_size() + 100;
    u32 file = create(EXT2_ROOT_INODE, "huge");
    ASSERT_FALSE(write_at(file, offset, "triple").is_error());
    ASSERT_FALSE(write_at(file, 5, "direct").is_error());
    EXPECT_EQ(m_fs->stat(file).value().size, offset + 6);
    std::vector<u8> page(PAGE_SIZE);
    ASSERT_FALSE(m_fs->read_page(file, offset / PAGE_SIZE, page.data()).is_error());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(page.data()) + offset % PAGE_SIZE, 6), "triple");
    ASSERT_FALSE(m_fs->read_page(file, offset / PAGE_SIZE - 1, page.data()).is_error());
    EXPECT_EQ(std::count(page.begin(), page.end(), 0), long(PAGE_SIZE)); // a hole
    unmount();
    expect_fsck_clean();
    fs::path out = m_dir / "stat.out";
    run("debugfs -R 'stat /huge' " + m_image.string() + " >" + out.string() + " 2>/dev/null");
    EXPECT_NE(slurp(out).find("Size: " + std::to_string(offset + 6)), std::string::npos) << slurp(out);

    mount();
    file = resolve("huge");
    ASSERT_FALSE(m_fs->set_size(file, 10).is_error());
    EXPECT_EQ(read_all(file), std::string(5, '\0') + "direc");
    ASSERT_FALSE(m_fs->release_inode(m_fs->unlink(EXT2_ROOT_INODE, "huge", 4).value()).is_error());
    EXPECT_EQ(m_fs->statistics().free_blocks, before.free_blocks);
    EXPECT_EQ(m_fs->statistics().free_inodes, before.free_inodes);
    unmount();
    expect_fsck_clean();
}

TEST_P(Ext2WriteTest, PartialPageAllocationFailureLeavesNoStrayBlocks)
{
    if (block_size() == PAGE_SIZE)
        GTEST_SKIP() << "a page is one block: nothing can be half-allocated";
    make_image("2M");
    mount();
    u32 small = create(EXT2_ROOT_INODE, "small");
    ASSERT_FALSE(write_at(small, 0, "one block").is_error());
    u32 filler = create(EXT2_ROOT_INODE, "filler");
    std::string chunk = pattern(PAGE_SIZE, 5);
    for (u64 offset = 0; !write_at(filler, offset, chunk).is_error(); offset += PAGE_SIZE) { }
    // Make exactly one block free, then ask for a whole page in a new file.
    ASSERT_FALSE(m_fs->release_inode(m_fs->unlink(EXT2_ROOT_INODE, "small", 5).value()).is_error());
    while (m_fs->statistics().free_blocks > 1)
        ASSERT_FALSE(write_at(create(EXT2_ROOT_INODE, "b" + std::to_string(m_fs->statistics().free_blocks)), 0, "z").is_error());
    ASSERT_EQ(m_fs->statistics().free_blocks, 1u);
    u32 victim = create(EXT2_ROOT_INODE, "victim");
    EXPECT_EQ(error_of(write_at(victim, 0, chunk)), Errno::NoSpace);
    EXPECT_EQ(m_fs->stat(victim).value().size, 0u);
    EXPECT_EQ(m_fs->stat(victim).value().blocks, 0u);
    EXPECT_EQ(m_fs->statistics().free_blocks, 1u);
    unmount();
    expect_fsck_clean();
}

TEST_P(Ext2WriteTest, DeviceErrorsComeBackAsIoError)
{
    make_image("4M");
    mount();
    u32 file = create(EXT2_ROOT_INODE, "f");
    m_device->fail_writes = true;
    std::vector<u8> page(PAGE_SIZE, 'q');
    EXPECT_EQ(error_of(m_fs->write_page(file, 0, page.data(), PAGE_SIZE)), Errno::IoError);
    EXPECT_EQ(error_of(m_fs->sync()), Errno::IoError);
    m_device->fail_writes = false;
    unmount();
}

TEST_P(Ext2WriteTest, ContiguousBlocksOfAPageAreReadInOneRequest)
{
    stage_standard_tree();
    make_image();
    mount(Ext2MountMode::ReadOnly);
    u32 big = resolve("big.bin");
    std::vector<u8> page(PAGE_SIZE);
    ASSERT_FALSE(m_fs->read_page(big, 0, page.data()).is_error()); // warms the cache
    u64 reads = m_device->reads;
    ASSERT_FALSE(m_fs->read_page(big, 1, page.data()).is_error());
    EXPECT_EQ(m_device->reads - reads, 1u);
    EXPECT_TRUE(
        std::string(reinterpret_cast<char*>(page.data()), PAGE_SIZE) == pattern(BIG_SIZE, 1).substr(PAGE_SIZE, PAGE_SIZE));
}

// A write-back batch: whole pages at ascending, not consecutive, indices, in one call.
TEST_P(Ext2WriteTest, WritePagesTakesABatchWithGapsAndLeavesTheGapsHoles)
{
    make_image("4M");
    mount();
    u32 file = create(EXT2_ROOT_INODE, "batch");
    u64 const indices[] = { 0, 1, 2, 5, 9 };
    std::vector<std::vector<u8>> bytes;
    std::vector<Pager::PageToWrite> batch;
    for (u64 index : indices) {
        std::string data = pattern(PAGE_SIZE, static_cast<u32>(index) + 40);
        bytes.emplace_back(data.begin(), data.end());
    }
    for (usize i = 0; i < bytes.size(); ++i)
        batch.push_back({ indices[i], bytes[i].data() });
    ASSERT_FALSE(m_fs->write_pages(file, batch.data(), batch.size()).is_error());
    auto info = m_fs->stat(file).value();
    EXPECT_EQ(info.size, 10 * PAGE_SIZE); // up to the end of the last page of the batch
    // The gaps hold no block: five pages of data, and with small blocks one indirect block.
    EXPECT_GE(info.blocks, 5 * PAGE_SIZE / 512);
    EXPECT_LE(info.blocks, 5 * PAGE_SIZE / 512 + block_size() / 512);
    std::vector<u8> page(PAGE_SIZE);
    for (u64 index = 0; index < 10; ++index) {
        ASSERT_FALSE(m_fs->read_page(file, index, page.data()).is_error());
        auto written = std::find(std::begin(indices), std::end(indices), index);
        if (written != std::end(indices))
            EXPECT_EQ(page, bytes[static_cast<usize>(written - std::begin(indices))]) << "page " << index;
        else
            EXPECT_EQ(page, std::vector<u8>(PAGE_SIZE, 0)) << "hole " << index;
    }
    unmount();
    expect_fsck_clean();
}

// Random operations against a model; then e2fsck and debugfs must agree with the model.
TEST_P(Ext2WriteTest, RandomOperationsStayConsistent)
{
    make_image("8M");
    mount();
    std::map<std::string, std::string> model; // "d/name" -> content
    u32 dirs[3] = { EXT2_ROOT_INODE, mkdir(EXT2_ROOT_INODE, "x"), mkdir(EXT2_ROOT_INODE, "y") };
    char const* dir_names[3] = { "", "x/", "y/" };
    u32 seed = 12345 + block_size();
    auto next = [&](u32 bound) {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 8) % bound;
    };
    for (int step = 0; step < 400; ++step) {
        u32 d = next(3);
        std::string name = "f" + std::to_string(next(12));
        std::string path = std::string(dir_names[d]) + name;
        u32 op = next(5);
        auto existing = m_fs->lookup(dirs[d], name.data(), name.size());
        if (op == 0 && existing.is_error()) {
            create(dirs[d], name);
            model[path] = "";
        } else if (op == 1 && !existing.is_error()) {
            u64 offset = next(3) == 0 ? next(300000) : next(5000);
            std::string data = pattern(next(20000) + 1, step);
            ASSERT_FALSE(write_at(existing.value(), offset, data).is_error()) << path;
            std::string& content = model[path];
            if (content.size() < offset + data.size())
                content.resize(offset + data.size(), '\0');
            content.replace(offset, data.size(), data);
        } else if (op == 2 && !existing.is_error()) {
            u64 size = next(40000);
            ASSERT_FALSE(m_fs->set_size(existing.value(), size).is_error());
            model[path].resize(size, '\0');
        } else if (op == 3 && !existing.is_error()) {
            ASSERT_FALSE(m_fs->release_inode(m_fs->unlink(dirs[d], name.data(), name.size()).value()).is_error());
            model.erase(path);
        } else if (op == 4 && !existing.is_error()) {
            u32 d2 = next(3);
            std::string name2 = "f" + std::to_string(next(12));
            auto replaced = m_fs->rename(dirs[d], name.data(), name.size(), dirs[d2], name2.data(), name2.size());
            ASSERT_FALSE(replaced.is_error());
            if (replaced.value()) {
                ASSERT_FALSE(m_fs->release_inode(replaced.value()).is_error());
            }
            std::string content = model[path];
            model.erase(path);
            model[std::string(dir_names[d2]) + name2] = content;
        }
    }
    for (auto const& [path, content] : model)
        EXPECT_TRUE(read_all(resolve(path)) == content) << path;
    unmount();
    expect_fsck_clean();
    for (auto const& [path, content] : model)
        EXPECT_TRUE(debugfs_cat("/" + path) == content) << path;
}
