// The fixture of the ext2 host tests (ext2_read_test.cpp, ext2_write_test.cpp).
#pragma once

// ext2 on real images: mke2fs -d builds them from a staging directory, the tests mount them
// through FileBlockDevice, read and change them, and then the host's e2fsck -fn must find
// nothing wrong and debugfs must read back the same bytes. Every test runs for 1, 2 and
// 4 KiB blocks. Skipped when e2fsprogs is missing.
#include "kernel/fs/ext2/ext2_file_system.h"
#include "tests/host/fakes/file_block_device.h"
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr u32 NOW = 1700000000;
u32 fake_clock() { return NOW; }

bool have_e2fsprogs()
{
    return std::system(
               "command -v mke2fs >/dev/null 2>&1 && command -v e2fsck >/dev/null 2>&1 && command -v debugfs >/dev/null 2>&1")
        == 0;
}

int run(std::string const& command)
{
    int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(fs::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void spit(fs::path const& path, std::string const& data)
{
    std::ofstream out(path, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string pattern(usize size, u32 seed)
{
    std::string data(size, '\0');
    u32 x = seed * 2654435761u + 12345;
    for (usize i = 0; i < size; ++i) {
        x = x * 1103515245u + 12345u;
        data[i] = static_cast<char>(x >> 16);
    }
    return data;
}

std::string const LONG_TARGET = std::string("a-rather-long-target/") + std::string(90, 'x') + "/end";
usize const BIG_SIZE = 5 * MiB + 123; // double-indirect with 1 KiB and 4 KiB blocks

class Ext2Fixture : public ::testing::TestWithParam<u32> {
protected:
    void SetUp() override
    {
        if (!have_e2fsprogs())
            GTEST_SKIP() << "e2fsprogs (mke2fs, e2fsck, debugfs) not installed";
        char templ[] = "/tmp/pagoda-ext2-XXXXXX";
        ASSERT_NE(mkdtemp(templ), nullptr);
        m_dir = templ;
        m_image = m_dir / "disk.img";
    }

    void TearDown() override
    {
        m_fs = OwnPtr<Ext2FileSystem>();
        m_device.reset();
        if (!m_dir.empty() && !HasFailure())
            fs::remove_all(m_dir);
        else if (!m_dir.empty())
            std::fprintf(stderr, "ext2 test files kept in %s\n", m_dir.c_str());
    }

    u32 block_size() const { return GetParam(); }

    // The standard tree: small and big files, a sparse file, nested directories, symlinks.
    void stage_standard_tree()
    {
        fs::path s = m_dir / "staging";
        fs::create_directories(s / "dir" / "sub");
        fs::create_directories(s / "empty");
        spit(s / "hello.txt", "hello, ext2\n");
        spit(s / "dir" / "sub" / "nested.txt", "nested file\n");
        spit(s / "big.bin", pattern(BIG_SIZE, 1));
        {
            std::ofstream sparse(s / "sparse.bin", std::ios::binary);
            sparse.seekp(600000);
            sparse.write("X", 1);
        }
        fs::permissions(s / "hello.txt", fs::perms(0640));
        fs::create_symlink("hello.txt", s / "fast_link");
        fs::create_symlink(LONG_TARGET, s / "slow_link");
    }

    void make_image(char const* size = "16M", char const* extra = "")
    {
        std::string staging = fs::exists(m_dir / "staging") ? "-d " + (m_dir / "staging").string() : "";
        std::string command = "mke2fs -q -F -t ext2 -b " + std::to_string(block_size()) + " " + extra + " " + staging + " "
            + m_image.string() + " " + size + " >" + (m_dir / "mke2fs.log").string() + " 2>&1";
        ASSERT_EQ(run(command), 0) << slurp(m_dir / "mke2fs.log");
    }

    void mount(Ext2MountMode mode = Ext2MountMode::ReadWrite)
    {
        m_device = std::make_unique<FileBlockDevice>(m_image.string(), mode == Ext2MountMode::ReadOnly);
        ASSERT_TRUE(m_device->is_open());
        auto result = Ext2FileSystem::mount(*m_device, mode, fake_clock);
        ASSERT_FALSE(result.is_error()) << errno_name(result.error());
        m_fs = result.release_value();
    }

    void unmount()
    {
        ASSERT_FALSE(m_fs->unmount().is_error());
        m_fs = OwnPtr<Ext2FileSystem>();
        m_device.reset();
    }

    void expect_fsck_clean()
    {
        fs::path log = m_dir / "e2fsck.log";
        int status = run("e2fsck -fn " + m_image.string() + " >" + log.string() + " 2>&1");
        EXPECT_EQ(status, 0) << slurp(log);
    }

    std::string debugfs_cat(std::string const& path)
    {
        fs::path out = m_dir / "debugfs.out";
        run("debugfs -R 'cat " + path + "' " + m_image.string() + " >" + out.string() + " 2>/dev/null");
        return slurp(out);
    }

    // The inode at a slash-separated path below the root ("" is the root).
    u32 resolve(std::string const& path)
    {
        u32 inode = EXT2_ROOT_INODE;
        std::stringstream parts(path);
        std::string part;
        while (std::getline(parts, part, '/')) {
            if (part.empty())
                continue;
            auto next = m_fs->lookup(inode, part.data(), part.size());
            if (next.is_error())
                return 0;
            inode = next.value();
        }
        return inode;
    }

    std::string read_all(u32 inode)
    {
        auto info = m_fs->stat(inode);
        EXPECT_FALSE(info.is_error());
        u64 size = info.value().size;
        std::string data(size, '\0');
        std::vector<u8> page(PAGE_SIZE);
        for (u64 index = 0; index * PAGE_SIZE < size; ++index) {
            auto read = m_fs->read_page(inode, index, page.data());
            EXPECT_FALSE(read.is_error());
            u64 n = std::min<u64>(PAGE_SIZE, size - index * PAGE_SIZE);
            std::copy(page.begin(), page.begin() + static_cast<long>(n), data.begin() + static_cast<long>(index * PAGE_SIZE));
        }
        return data;
    }

    // Writes `data` at `offset` the way the page cache would: whole pages, read-modify-write.
    Result<void> write_at(u32 inode, u64 offset, std::string const& data)
    {
        u64 old_size = m_fs->stat(inode).value().size;
        u64 end = std::max<u64>(old_size, offset + data.size());
        std::vector<u8> page(PAGE_SIZE);
        for (u64 index = offset / PAGE_SIZE; index * PAGE_SIZE < offset + data.size(); ++index) {
            TRY(m_fs->read_page(inode, index, page.data()));
            u64 page_start = index * PAGE_SIZE;
            for (u64 i = 0; i < PAGE_SIZE; ++i) {
                u64 at = page_start + i;
                if (at >= offset && at < offset + data.size())
                    page[i] = static_cast<u8>(data[at - offset]);
            }
            TRY(m_fs->write_page(inode, index, page.data(), std::min<u64>(PAGE_SIZE, end - page_start)));
        }
        return {};
    }

    u32 create(u32 directory, std::string const& name, u32 mode = 0644)
    {
        auto result = m_fs->create(directory, name.data(), name.size(), mode);
        EXPECT_FALSE(result.is_error()) << name << ": " << errno_name(result.error());
        return result.is_error() ? 0 : result.value();
    }

    u32 mkdir(u32 directory, std::string const& name)
    {
        auto result = m_fs->mkdir(directory, name.data(), name.size(), 0755);
        EXPECT_FALSE(result.is_error()) << name << ": " << errno_name(result.error());
        return result.is_error() ? 0 : result.value();
    }

    std::set<std::string> list(u32 directory)
    {
        std::set<std::string> names;
        u64 cookie = 0;
        auto result = m_fs->read_directory(directory, cookie, [&](char const* name, usize length, u32, u8) {
            names.insert(std::string(name, length));
            return true;
        });
        EXPECT_FALSE(result.is_error());
        return names;
    }

    u16 links(u32 inode) { return m_fs->stat(inode).value().links; }

    template<typename T> static Errno error_of(Result<T> result) { return result.is_error() ? result.error() : Errno {}; }

    fs::path m_dir;
    fs::path m_image;
    std::unique_ptr<FileBlockDevice> m_device;
    OwnPtr<Ext2FileSystem> m_fs;
};

} // namespace
