// newc cpio reader: archives built here byte for byte (padding rules included), one made by
// the real cpio tool when the host has it, and truncated or corrupt ones.
#include "kernel/fs/cpio.h"
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <string>
#include <vector>

namespace {

struct FileSpec {
    std::string name;
    u32 mode;
    std::string data;
    u32 ino = 1;
    u32 mtime = 1700000000;
};

// Appends one newc entry: header, name, pad to 4, data, pad to 4.
void append_entry(std::vector<u8>& out, FileSpec const& f, char const* magic = "070701", u32 check = 0)
{
    char header[111];
    std::snprintf(header, sizeof header, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic, f.ino, f.mode, 1000u,
        100u, 1u, f.mtime, unsigned(f.data.size()), 8u, 1u, 0u, 0u, unsigned(f.name.size() + 1), check);
    out.insert(out.end(), header, header + 110);
    out.insert(out.end(), f.name.begin(), f.name.end());
    out.push_back(0);
    while (out.size() % 4)
        out.push_back(0);
    out.insert(out.end(), f.data.begin(), f.data.end());
    while (out.size() % 4)
        out.push_back(0);
}

void append_trailer(std::vector<u8>& out)
{
    append_entry(out, { "TRAILER!!!", 0, "", 0, 0 });
    while (out.size() % 512) // cpio pads the archive to its block size
        out.push_back(0);
}

std::vector<u8> sample_archive()
{
    std::vector<u8> out;
    append_entry(out, { ".", 040755, "", 1 });
    append_entry(out, { "./bin", 040755, "", 2 });
    append_entry(out, { "./bin/hello", 0100755, "hello, world\n", 3 }); // 13 bytes: padded
    append_entry(out, { "bin/sh", 0120777, "busybox", 4 });
    append_entry(out, { "/etc/empty", 0100644, "", 5 });
    append_entry(out, { "abc", 0100600, "1234", 6 }); // name+header 114 -> 116; data exact
    append_trailer(out);
    return out;
}

struct Seen {
    std::string name;
    u32 mode;
    std::string data;
};

Result<std::vector<Seen>> read_all(std::vector<u8> const& archive)
{
    auto opened = CpioArchive::open(archive.data(), archive.size());
    if (opened.is_error())
        return opened.error();
    CpioArchive cpio = opened.release_value();
    std::vector<Seen> seen;
    CpioEntry entry {};
    for (;;) {
        auto more = cpio.next(entry);
        if (more.is_error())
            return more.error();
        if (!more.value())
            break;
        EXPECT_EQ(entry.name[entry.name_length], '\0');
        seen.push_back({ std::string(entry.name, entry.name_length), entry.mode,
            std::string(reinterpret_cast<char const*>(entry.data), entry.size) });
    }
    return seen;
}

void expect_invalid(std::vector<u8> const& archive)
{
    // A copy of exactly the given size, so ASan catches any read past the end.
    std::vector<u8> exact(archive);
    auto result = read_all(exact);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::Invalid);
}

} // namespace

TEST(Cpio, ReadsEntriesAndStripsPrefixes)
{
    std::vector<u8> archive = sample_archive();
    auto result = read_all(archive);
    ASSERT_FALSE(result.is_error());
    auto const& seen = result.value();
    ASSERT_EQ(seen.size(), 6u);
    EXPECT_EQ(seen[0].name, "");
    EXPECT_EQ(seen[0].mode, 040755u);
    EXPECT_EQ(seen[1].name, "bin");
    EXPECT_EQ(seen[2].name, "bin/hello");
    EXPECT_EQ(seen[2].data, "hello, world\n");
    EXPECT_EQ(seen[3].name, "bin/sh");
    EXPECT_EQ(seen[3].data, "busybox");
    EXPECT_EQ(seen[4].name, "etc/empty");
    EXPECT_EQ(seen[4].data, "");
    EXPECT_EQ(seen[5].name, "abc");
    EXPECT_EQ(seen[5].data, "1234");
}

TEST(Cpio, EntryFields)
{
    std::vector<u8> archive;
    append_entry(archive, { "./bin/hello", 0100755, "hi", 77, 1234567 });
    append_trailer(archive);
    auto opened = CpioArchive::open(archive.data(), archive.size());
    ASSERT_FALSE(opened.is_error());
    CpioArchive cpio = opened.release_value();
    CpioEntry e {};
    auto more = cpio.next(e);
    ASSERT_FALSE(more.is_error());
    ASSERT_TRUE(more.value());
    EXPECT_TRUE(e.is_regular());
    EXPECT_FALSE(e.is_directory());
    EXPECT_FALSE(e.is_symlink());
    EXPECT_EQ(e.mode & 07777, 0755u);
    EXPECT_EQ(e.uid, 1000u);
    EXPECT_EQ(e.gid, 100u);
    EXPECT_EQ(e.nlink, 1u);
    EXPECT_EQ(e.mtime, 1234567u);
    EXPECT_EQ(e.ino, 77u);
    EXPECT_EQ(e.dev_major, 8u);
    EXPECT_EQ(e.dev_minor, 1u);
    EXPECT_EQ(e.size, 2u);
    // Data starts 4-aligned after header + name: 110 + 12 = 122 -> 124.
    EXPECT_EQ(e.data, archive.data() + 124);
    // Then the trailer, and it stays at the end.
    for (int i = 0; i < 3; ++i) {
        auto end = cpio.next(e);
        ASSERT_FALSE(end.is_error());
        EXPECT_FALSE(end.value());
    }
}

TEST(Cpio, ForEachVisitsAllAndPropagatesErrors)
{
    std::vector<u8> archive = sample_archive();
    auto cpio = CpioArchive::open(archive.data(), archive.size()).release_value();
    int count = 0;
    auto all = cpio.for_each([&](CpioEntry const&) -> Result<void> {
        ++count;
        return {};
    });
    EXPECT_FALSE(all.is_error());
    EXPECT_EQ(count, 6);

    auto again = CpioArchive::open(archive.data(), archive.size()).release_value();
    count = 0;
    auto stopped = again.for_each([&](CpioEntry const& e) -> Result<void> {
        ++count;
        if (e.is_symlink())
            return Errno::NoSpace;
        return {};
    });
    ASSERT_TRUE(stopped.is_error());
    EXPECT_EQ(stopped.error(), Errno::NoSpace);
    EXPECT_EQ(count, 4);
}

TEST(Cpio, UppercaseAndLowercaseHex)
{
    std::vector<u8> archive;
    append_entry(archive, { "f", 0100644, std::string(0xab, 'z') });
    append_trailer(archive);
    // Lower-case the size field (offset 6 + 6*8 = 54).
    for (int i = 54; i < 62; ++i)
        archive[i] = u8(std::tolower(archive[i]));
    auto result = read_all(archive);
    ASSERT_FALSE(result.is_error());
    EXPECT_EQ(result.value()[0].data.size(), 0xabu);
}

TEST(Cpio, ChecksumVariant)
{
    std::string data = "checksummed";
    u32 sum = 0;
    for (unsigned char c : data)
        sum += c;
    std::vector<u8> good;
    append_entry(good, { "c", 0100644, data }, "070702", sum);
    append_trailer(good);
    auto result = read_all(good);
    ASSERT_FALSE(result.is_error());
    EXPECT_EQ(result.value()[0].data, data);

    std::vector<u8> bad;
    append_entry(bad, { "c", 0100644, data }, "070702", sum + 1);
    append_trailer(bad);
    expect_invalid(bad);
}

TEST(Cpio, BadMagic)
{
    std::vector<u8> archive = sample_archive();
    archive[5] = '7'; // "070707" is the old portable format, not newc
    auto opened = CpioArchive::open(archive.data(), archive.size());
    ASSERT_TRUE(opened.is_error());
    EXPECT_EQ(opened.error(), Errno::Invalid);

    // Bad magic in a later entry is found when reached.
    archive = sample_archive();
    archive[112] = 'X'; // second entry: first is 110 + 2 -> 112
    expect_invalid(archive);
}

TEST(Cpio, NonHexField)
{
    std::vector<u8> archive = sample_archive();
    archive[6 + 6 * 8 + 3] = 'g'; // filesize of the first entry
    expect_invalid(archive);
}

TEST(Cpio, TruncatedAnywhere)
{
    // Every cut before the trailer's name ends must be refused, and never overread.
    std::vector<u8> archive = sample_archive();
    size_t trailer_name_end = 0;
    for (size_t i = 0; i + 10 <= archive.size(); ++i) {
        if (std::string(reinterpret_cast<char const*>(&archive[i]), 10) == "TRAILER!!!")
            trailer_name_end = i + 11;
    }
    ASSERT_GT(trailer_name_end, 0u);
    for (size_t cut = 0; cut < trailer_name_end; ++cut) {
        std::vector<u8> part(archive.begin(), archive.begin() + cut);
        auto opened = CpioArchive::open(part.data(), part.size());
        if (opened.is_error()) {
            EXPECT_EQ(opened.error(), Errno::Invalid);
            continue;
        }
        auto result = read_all(part);
        ASSERT_TRUE(result.is_error()) << "cut at " << cut;
        EXPECT_EQ(result.error(), Errno::Invalid);
    }
    // The trailer's own padding is not needed.
    std::vector<u8> up_to_trailer(archive.begin(), archive.begin() + trailer_name_end);
    EXPECT_FALSE(read_all(up_to_trailer).is_error());
}

TEST(Cpio, CorruptSizes)
{
    std::vector<u8> archive;
    append_entry(archive, { "f", 0100644, "data" });
    append_trailer(archive);
    std::vector<u8> huge = archive;
    std::memcpy(&huge[54], "FFFFFFFF", 8); // file size far beyond the archive
    expect_invalid(huge);

    std::vector<u8> huge_name = archive;
    std::memcpy(&huge_name[94], "FFFFFFFF", 8); // namesize
    expect_invalid(huge_name);

    std::vector<u8> zero_name = archive;
    std::memcpy(&zero_name[94], "00000000", 8);
    expect_invalid(zero_name);

    std::vector<u8> unterminated = archive;
    unterminated[111] = 'x'; // the NUL after "f"
    expect_invalid(unterminated);
}

TEST(Cpio, MissingTrailer)
{
    std::vector<u8> archive;
    append_entry(archive, { "f", 0100644, "data" });
    expect_invalid(archive);
}

TEST(Cpio, ArchiveMadeByCpioTool)
{
    if (std::system("command -v cpio >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "no cpio on this host";
    std::string dir = testing::TempDir() + "pagoda_cpio_test";
    std::string archive_path = dir + ".cpio";
    std::string script = "rm -rf " + dir + " && mkdir -p " + dir + "/sub && cd " + dir
        + " && printf 'abcde' > sub/five && printf '' > empty && ln -s sub/five link"
        + " && find . | LC_ALL=C sort | cpio -o -H newc --quiet > " + archive_path;
    ASSERT_EQ(std::system(script.c_str()), 0);
    std::ifstream in(archive_path, std::ios::binary);
    std::vector<u8> archive((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::system(("rm -rf " + dir + " " + archive_path).c_str());

    auto result = read_all(archive);
    ASSERT_FALSE(result.is_error());
    std::vector<std::string> names;
    for (auto const& s : result.value())
        names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string> { "", "empty", "link", "sub", "sub/five" }));
    EXPECT_EQ(result.value()[2].data, "sub/five");
    EXPECT_EQ(result.value()[2].mode & CPIO_TYPE_MASK, CPIO_TYPE_SYMLINK);
    EXPECT_EQ(result.value()[4].data, "abcde");
    EXPECT_EQ(result.value()[3].mode & CPIO_TYPE_MASK, CPIO_TYPE_DIRECTORY);
}
