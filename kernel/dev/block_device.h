// BlockDevice: storage addressed in bytes (offsets and lengths multiples of 512), as file
// systems see it. virtio-blk implements it in the kernel; a host file in unit tests.
#pragma once

#include "../lib/result.h"
#include "../lib/types.h"

class BlockDevice {
public:
    virtual ~BlockDevice() = default;
    virtual Result<void> read(u64 offset_bytes, u8* buffer, usize length) = 0;
    virtual Result<void> write(u64 offset_bytes, u8 const* buffer, usize length) = 0;
    // Writes `count` pages (each PAGE_SIZE bytes, anywhere in memory) to consecutive bytes
    // from `offset_bytes`, as one request where the device can. Default: one write each.
    virtual Result<void> write_pages(u64 offset_bytes, u8 const* const* pages, usize count)
    {
        for (usize i = 0; i < count; ++i)
            TRY(write(offset_bytes + i * PAGE_SIZE, pages[i], PAGE_SIZE));
        return {};
    }
    // Returns once everything written before has reached stable storage.
    virtual Result<void> flush() = 0;
    virtual u64 size_bytes() const = 0;
};
