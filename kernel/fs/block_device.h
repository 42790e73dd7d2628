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
    // Returns once everything written before has reached stable storage.
    virtual Result<void> flush() = 0;
    virtual u64 size_bytes() const = 0;
};
