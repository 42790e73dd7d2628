// gzip_stored: zlib inflates what it writes back to the same bytes (one block, several
// blocks, none), the CRC-32 is the standard one, and a buffer too small gets nothing.
#include "kernel/lib/gzip_stored.h"
#include <gtest/gtest.h>
#include <string>
#include <vector>
#include <zlib.h>

namespace {

std::string inflate_gzip(std::vector<u8> const& stream)
{
    z_stream z {};
    EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK); // 16: expect a gzip wrapper
    std::string text;
    char chunk[4096];
    z.next_in = const_cast<u8*>(stream.data());
    z.avail_in = static_cast<uInt>(stream.size());
    int status;
    do {
        z.next_out = reinterpret_cast<Bytef*>(chunk);
        z.avail_out = sizeof chunk;
        status = inflate(&z, Z_NO_FLUSH);
        text.append(chunk, sizeof chunk - z.avail_out);
    } while (status == Z_OK);
    EXPECT_EQ(status, Z_STREAM_END); // a wrong CRC or length ends in Z_DATA_ERROR
    inflateEnd(&z);
    return text;
}

std::vector<u8> wrap(std::string const& text)
{
    std::vector<u8> out(gzip_stored_size(text.size()));
    usize n = gzip_stored(reinterpret_cast<u8 const*>(text.data()), text.size(), out.data(), out.size());
    EXPECT_EQ(n, out.size());
    return out;
}

}

TEST(GzipStored, Crc32IsTheStandardOne)
{
    EXPECT_EQ(crc32(reinterpret_cast<u8 const*>("123456789"), 9), 0xcbf43926u);
    EXPECT_EQ(crc32(nullptr, 0), 0u);
}

TEST(GzipStored, ZlibReadsBackOneBlock)
{
    std::string text = "CONFIG_MMU=y\n# CONFIG_SWAP is not set\n";
    EXPECT_EQ(inflate_gzip(wrap(text)), text);
}

TEST(GzipStored, ZlibReadsBackSeveralBlocks)
{
    std::string text;
    for (int i = 0; text.size() < 3 * 65535 + 100; ++i)
        text += "line " + std::to_string(i) + "\n";
    std::vector<u8> stream = wrap(text);
    EXPECT_EQ(stream.size(), 10 + 4 * 5 + text.size() + 8); // four stored blocks
    EXPECT_EQ(inflate_gzip(stream), text);
}

TEST(GzipStored, EmptyInputIsAValidStream) { EXPECT_EQ(inflate_gzip(wrap("")), ""); }

TEST(GzipStored, TooSmallABufferGetsNothing)
{
    u8 out[32] = {};
    EXPECT_EQ(gzip_stored(reinterpret_cast<u8 const*>("0123456789abcdef"), 16, out, sizeof out), 0u);
    EXPECT_EQ(out[0], 0);
}
