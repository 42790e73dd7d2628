// FileBlockDevice: a BlockDevice over a host file (an ext2 image made by mke2fs), with
// counters so tests can see how much I/O an operation did. It enforces the interface's
// 512-byte granularity, like the virtio-blk driver would.
#pragma once

#include "kernel/dev/block_device.h"
#include <string>

class FileBlockDevice final : public BlockDevice {
public:
    // Opens `path` read-write (or read-only). Check is_open() afterwards.
    explicit FileBlockDevice(std::string const& path, bool read_only = false);
    ~FileBlockDevice() override;

    bool is_open() const { return m_fd >= 0; }
    Result<void> read(u64 offset_bytes, u8* buffer, usize length) override;
    Result<void> write(u64 offset_bytes, u8 const* buffer, usize length) override;
    Result<void> flush() override;
    u64 size_bytes() const override { return m_size; }

    u64 reads = 0;
    u64 writes = 0;
    u64 flushes = 0;
    u64 bytes_read = 0;
    u64 bytes_written = 0;
    // When set, every write fails with IoError (to test error paths).
    bool fail_writes = false;

private:
    int m_fd = -1;
    u64 m_size = 0;
};
