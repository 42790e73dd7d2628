#include "kernel/lib/device_number.h"
#include <gtest/gtest.h>
#include <sys/sysmacros.h>

// The dev_t encoding is glibc's makedev, so the host's macros are the oracle.
TEST(DeviceNumber, DevTIsGlibcsMakedev)
{
    DeviceNumber const samples[] = { { 1, 3 }, { 5, 1 }, { 254, 0 }, { 4095, 255 }, { 259, 70000 }, { 0xfffff, 0xffffffff } };
    for (DeviceNumber d : samples) {
        EXPECT_EQ(encode_dev_t(d), makedev(d.major, d.minor)) << d.major << ":" << d.minor;
        EXPECT_EQ(decode_dev_t(makedev(d.major, d.minor)), d);
    }
}

// Linux's old_encode_dev for numbers that fit 8+8 bits (i_block[0]), new_encode_dev
// otherwise (i_block[1]); both decode back.
TEST(DeviceNumber, Ext2SlotsRoundTrip)
{
    Ext2DeviceSlots small = ext2_encode_device({ 1, 3 });
    EXPECT_EQ(small.block0, 0x0103u);
    EXPECT_EQ(small.block1, 0u);
    Ext2DeviceSlots large = ext2_encode_device({ 259, 70000 });
    EXPECT_EQ(large.block0, 0u);
    EXPECT_EQ(large.block1, (70000u & 0xff) | (259u << 8) | ((70000u & ~0xffu) << 12));
    for (DeviceNumber d :
        { DeviceNumber { 1, 3 }, DeviceNumber { 255, 255 }, DeviceNumber { 256, 0 }, DeviceNumber { 259, 70000 } }) {
        Ext2DeviceSlots slots = ext2_encode_device(d);
        EXPECT_EQ(ext2_decode_device(slots.block0, slots.block1), d) << d.major << ":" << d.minor;
    }
}
