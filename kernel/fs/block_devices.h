// The block devices by number, as their nodes (S_IFBLK) name them: the virtio disks (vda..,
// Linux's virtio-blk major 254, minors 16 apart) and the loop devices (major 7). Opening a
// node gives a BlockDeviceFile, which reads and writes the device's bytes.
#pragma once

#include "file.h"
#include "kernel/dev/block_device.h"
#include "kernel/lib/device_number.h"
#include "kernel/lib/function_ref.h"

constexpr u32 VIRTIO_BLOCK_MAJOR = 254, LOOP_MAJOR = 7;

// Adds a device that lives as long as the kernel; `name` is its /dev name ("vda", "loop0").
Result<void> register_block_device(DeviceNumber, BlockDevice&, char const* name);
// The device of that number, or nullptr.
BlockDevice* block_device(DeviceNumber);
// The number of a registered device (for st_rdev of what is mounted from it).
DeviceNumber block_device_number(BlockDevice const&);
char const* block_device_name(BlockDevice const&);
void for_each_block_device(FunctionRef<void(DeviceNumber, BlockDevice&, char const* name)>);

// open(2) of a block-device node: ENXIO for a number no device has (as Linux), or whatever
// the device's acquire() says; EACCES-free (the VFS checked the node's permissions).
Result<RefPtr<File>> open_block_device(DeviceNumber, int flags);

// An open block-device node: its bytes at any offset (the device needs 512-byte pieces, so
// partial sectors are read, changed and written back), its size for lseek(SEEK_END).
class BlockDeviceFile final : public File {
public:
    BlockDeviceFile(BlockDevice& device, DeviceNumber number) : m_device(device), m_number(number) { }
    ~BlockDeviceFile() override { m_device.release(); }
    Result<usize> read(u8* buffer, usize count, u64 offset) override;
    Result<usize> write(u8 const* buffer, usize count, u64 offset) override;
    void stat(LinuxStat&) const override;
    u64 size() const override { return m_device.size_bytes(); }
    BlockDeviceFile* block_device_file() override { return this; }
    BlockDevice& device() { return m_device; }
    DeviceNumber number() const { return m_number; }

private:
    BlockDevice& m_device;
    DeviceNumber m_number;
};
