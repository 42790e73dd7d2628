// Device numbers: a major (which driver) and a minor (which of its devices), and the ways
// Linux writes them down — in st_rdev and mknod's dev_t (glibc's makedev: 12 bits of major
// and 20 of minor, split around each other), and in an ext2 inode (the "old" 8+8-bit form
// in i_block[0] when both fit, else the "new" 12+20-bit form in i_block[1]). Pure, host-tested.
#pragma once

#include "types.h"

struct DeviceNumber {
    u32 major { 0 };
    u32 minor { 0 };
    bool operator==(DeviceNumber const&) const = default;
};

// st_rdev and the dev_t that mknod takes (gnu_dev_makedev / gnu_dev_major / minor).
constexpr u64 encode_dev_t(DeviceNumber d)
{
    return (u64(d.major & 0xfffff000) << 32) | (u64(d.major & 0xfff) << 8) | (u64(d.minor & 0xffffff00) << 12)
        | u64(d.minor & 0xff);
}
constexpr DeviceNumber decode_dev_t(u64 dev)
{
    return { static_cast<u32>(((dev >> 32) & 0xfffff000) | ((dev >> 8) & 0xfff)),
        static_cast<u32>(((dev >> 12) & 0xffffff00) | (dev & 0xff)) };
}

// What an ext2 device inode keeps in i_block[0] and i_block[1] (Linux's ext2_set_inode's
// old_encode_dev / new_encode_dev).
struct Ext2DeviceSlots {
    u32 block0, block1;
};
constexpr Ext2DeviceSlots ext2_encode_device(DeviceNumber d)
{
    if (d.major < 256 && d.minor < 256)
        return { (d.major << 8) | d.minor, 0 };
    return { 0, (d.minor & 0xff) | (d.major << 8) | ((d.minor & ~u32(0xff)) << 12) };
}
constexpr DeviceNumber ext2_decode_device(u32 block0, u32 block1)
{
    if (block0)
        return { (block0 >> 8) & 0xff, block0 & 0xff };
    return { (block1 & 0xfff00) >> 8, (block1 & 0xff) | ((block1 >> 12) & 0xfff00) };
}
