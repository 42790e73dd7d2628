// BlockDevice: storage addressed in bytes (offsets and lengths multiples of 512), as file
// systems see it. virtio-blk implements it in the kernel; a host file in unit tests.
#pragma once

#include "../lib/result.h"
#include "../lib/types.h"

enum class BlockDirection {
    Read,
    Write
};

// One piece of a batch of transfers: `length` bytes (a multiple of 512, all inside one page
// of memory, so physically contiguous) at `offset_bytes` on the device.
struct BlockPiece {
    u64 offset_bytes;
    u8* data;
    usize length;
};

class BlockDevice {
public:
    virtual ~BlockDevice() = default;
    virtual Result<void> read(u64 offset_bytes, u8* buffer, usize length) = 0;
    virtual Result<void> write(u64 offset_bytes, u8 const* buffer, usize length) = 0;
    // Carries out every piece and returns when all are done. A piece that continues the one
    // before it on the disk joins its request (merging), and the device keeps several
    // requests in flight where it can: read-ahead and write-back hand over many pages at
    // once this way. IoError if any request failed (the others were still carried out).
    // Default: one read or write per run of pieces that continue each other both on the
    // disk and in memory.
    virtual Result<void> transfer(BlockDirection direction, BlockPiece const* pieces, usize count)
    {
        Result<void> result;
        for (usize first = 0; first < count;) {
            usize length = pieces[first].length, next = first + 1;
            while (next < count && pieces[next].offset_bytes == pieces[first].offset_bytes + length
                && pieces[next].data == pieces[first].data + length)
                length += pieces[next++].length;
            auto done = direction == BlockDirection::Read ? read(pieces[first].offset_bytes, pieces[first].data, length)
                                                          : write(pieces[first].offset_bytes, pieces[first].data, length);
            if (done.is_error() && !result.is_error())
                result = done.error();
            first = next;
        }
        return result;
    }
    // Returns once everything written before has reached stable storage.
    virtual Result<void> flush() = 0;
    virtual u64 size_bytes() const = 0;
    // Someone opens the device's node or mounts it (acquire), and lets go (release): a loop
    // device counts them to know when it may detach; a device that cannot be used now says
    // NoDeviceOrAddress (a removed loop device). Disks need neither.
    virtual Result<void> acquire() { return {}; }
    virtual void release() { }
    // Writes fail with NotPermitted (EPERM, as Linux's blkdev_write_iter) on a read-only device.
    virtual bool is_read_only() const { return false; }
};
