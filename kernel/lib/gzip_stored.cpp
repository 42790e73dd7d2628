#include "gzip_stored.h"
#include "kernel/lib/memory.h"

namespace {

constexpr usize HEADER_SIZE = 10, TRAILER_SIZE = 8; // ID1 ID2 CM FLG MTIME XFL OS; CRC32 ISIZE
constexpr usize BLOCK_HEADER_SIZE = 5, MAX_BLOCK = 65535; // BFINAL/BTYPE, LEN, NLEN

void put_u16(u8* at, u32 value)
{
    at[0] = static_cast<u8>(value);
    at[1] = static_cast<u8>(value >> 8);
}

void put_u32(u8* at, u32 value)
{
    put_u16(at, value & 0xffff);
    put_u16(at + 2, value >> 16);
}

}

u32 crc32(u8 const* data, usize length)
{
    // Bit by bit: /proc/config.gz is a few kilobytes read once per LTP test, so a 1 KiB
    // table would buy nothing worth its space.
    u32 crc = 0xffffffff;
    for (usize i = 0; i < length; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

usize gzip_stored_size(usize length)
{
    usize blocks = length == 0 ? 1 : (length + MAX_BLOCK - 1) / MAX_BLOCK; // an empty input still needs its final block
    return HEADER_SIZE + blocks * BLOCK_HEADER_SIZE + length + TRAILER_SIZE;
}

usize gzip_stored(u8 const* data, usize length, u8* out, usize capacity)
{
    usize size = gzip_stored_size(length);
    if (capacity < size)
        return 0;
    // Deflate, no flags, no modification time, no extra flags, OS 3 (Unix).
    u8 const header[HEADER_SIZE] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
    memcpy(out, header, HEADER_SIZE);
    usize at = HEADER_SIZE, done = 0;
    do {
        usize n = min(length - done, MAX_BLOCK);
        bool last = done + n == length;
        out[at] = last ? 1 : 0; // BFINAL, and BTYPE 00: stored
        put_u16(out + at + 1, static_cast<u32>(n));
        put_u16(out + at + 3, static_cast<u32>(~n & 0xffff));
        memcpy(out + at + BLOCK_HEADER_SIZE, data + done, n);
        at += BLOCK_HEADER_SIZE + n;
        done += n;
    } while (done < length);
    put_u32(out + at, crc32(data, length));
    put_u32(out + at + 4, static_cast<u32>(length)); // ISIZE: the length modulo 2^32
    return at + TRAILER_SIZE;
}
