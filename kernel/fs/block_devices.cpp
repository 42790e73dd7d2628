#include "block_devices.h"
#include "kernel/lib/memory.h"

namespace {

struct RegisteredDevice {
    DeviceNumber number;
    BlockDevice* device;
    char name[16];
};
RegisteredDevice g_devices[16];
usize g_device_count;

constexpr usize SECTOR = 512;

RegisteredDevice const* entry_for(BlockDevice const& device)
{
    for (usize i = 0; i < g_device_count; ++i)
        if (g_devices[i].device == &device)
            return &g_devices[i];
    return nullptr;
}

}

Result<void> register_block_device(DeviceNumber number, BlockDevice& device, char const* name)
{
    if (g_device_count == sizeof g_devices / sizeof g_devices[0])
        return Errno::NoSpace;
    RegisteredDevice& entry = g_devices[g_device_count++];
    entry.number = number;
    entry.device = &device;
    usize n = min<usize>(strlen(name), sizeof entry.name - 1);
    memcpy(entry.name, name, n);
    entry.name[n] = '\0';
    return {};
}

BlockDevice* block_device(DeviceNumber number)
{
    for (usize i = 0; i < g_device_count; ++i)
        if (g_devices[i].number == number)
            return g_devices[i].device;
    return nullptr;
}

DeviceNumber block_device_number(BlockDevice const& device)
{
    auto const* entry = entry_for(device);
    return entry ? entry->number : DeviceNumber {};
}

char const* block_device_name(BlockDevice const& device)
{
    auto const* entry = entry_for(device);
    return entry ? entry->name : "?";
}

void for_each_block_device(FunctionRef<void(DeviceNumber, BlockDevice&, char const*)> visit)
{
    for (usize i = 0; i < g_device_count; ++i)
        visit(g_devices[i].number, *g_devices[i].device, g_devices[i].name);
}

Result<RefPtr<File>> open_block_device(DeviceNumber number, int)
{
    BlockDevice* device = block_device(number);
    if (!device)
        return Errno::NoDeviceOrAddress;
    TRY(device->acquire());
    auto* file = new (std::nothrow) BlockDeviceFile(*device, number);
    if (!file) {
        device->release();
        return Errno::NoMemory;
    }
    return adopt_ref<File>(file);
}

namespace {

// Moves [offset, offset+count) between the device and `buffer` (count already cut to the
// device's end). Whole sectors go straight between them; a piece that starts or ends inside
// a sector goes through a sector-sized buffer — for a write, read first, changed, written
// back.
Result<usize> transfer_bytes(BlockDevice& device, BlockDirection direction, u8* buffer, usize count, u64 offset)
{
    bool reading = direction == BlockDirection::Read;
    usize done = 0;
    while (done < count) {
        u64 position = offset + done;
        usize within = static_cast<usize>(position % SECTOR);
        usize left = count - done;
        if (within == 0 && left >= SECTOR) {
            usize whole = left - left % SECTOR;
            TRY(reading ? device.read(position, buffer + done, whole) : device.write(position, buffer + done, whole));
            done += whole;
            continue;
        }
        u8 sector[SECTOR];
        TRY(device.read(position - within, sector, SECTOR));
        usize n = min(SECTOR - within, left);
        if (reading) {
            memcpy(buffer + done, sector + within, n);
        } else {
            memcpy(sector + within, buffer + done, n);
            TRY(device.write(position - within, sector, SECTOR));
        }
        done += n;
    }
    return done;
}

}

// Reads up to the device's end (0 at or past it).
Result<usize> BlockDeviceFile::read(u8* buffer, usize count, u64 offset)
{
    u64 end = m_device.size_bytes();
    if (offset >= end)
        return 0;
    return transfer_bytes(m_device, BlockDirection::Read, buffer, static_cast<usize>(min<u64>(count, end - offset)), offset);
}

// Writes up to the device's end (ENOSPC at or past it, as Linux's blkdev_write_iter).
Result<usize> BlockDeviceFile::write(u8 const* buffer, usize count, u64 offset)
{
    if (m_device.is_read_only())
        return Errno::NotPermitted;
    u64 end = m_device.size_bytes();
    if (offset >= end)
        return count ? Result<usize>(Errno::NoSpace) : Result<usize>(0);
    return transfer_bytes(
        m_device, BlockDirection::Write, const_cast<u8*>(buffer), static_cast<usize>(min<u64>(count, end - offset)), offset);
}

void BlockDeviceFile::stat(LinuxStat& out) const
{
    out = {};
    out.st_mode = MODE_BLOCK_DEVICE | 0660;
    out.st_rdev = encode_dev_t(m_number);
    out.st_nlink = 1;
    out.st_blksize = 4096;
}
