// The ioctls of block-device nodes (Linux's blkdev_ioctl: the sizes, the sector size, a
// flush) and of loop devices and /dev/loop-control (drivers/block/loop.c). Numbers and
// struct layouts are Linux x86_64's (include/uapi/linux/fs.h, linux/loop.h).
#include "handlers.h"
#include "kernel/fs/block_devices.h"
#include "kernel/fs/loop_device.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "user_memory.h"

namespace {

constexpr u64 BLKROGET = 0x125e, BLKGETSIZE = 0x1260, BLKFLSBUF = 0x1261, BLKSSZGET = 0x1268, BLKBSZGET = 0x80081270,
              BLKGETSIZE64 = 0x80081272;
constexpr u64 LOOP_SET_FD = 0x4C00, LOOP_CLR_FD = 0x4C01, LOOP_SET_STATUS = 0x4C02, LOOP_GET_STATUS = 0x4C03,
              LOOP_SET_STATUS64 = 0x4C04, LOOP_GET_STATUS64 = 0x4C05, LOOP_CONFIGURE = 0x4C0A;
constexpr u64 LOOP_CTL_ADD = 0x4C80, LOOP_CTL_REMOVE = 0x4C81, LOOP_CTL_GET_FREE = 0x4C82;

// struct loop_info (x86_64: __kernel_old_dev_t is unsigned long), 168 bytes.
struct LinuxLoopInfo {
    i32 lo_number;
    u64 lo_device;
    u64 lo_inode;
    u64 lo_rdevice;
    i32 lo_offset;
    i32 lo_encrypt_type;
    i32 lo_encrypt_key_size;
    i32 lo_flags;
    char lo_name[64];
    u8 lo_encrypt_key[32];
    u64 lo_init[2];
    char reserved[4];
};
static_assert(sizeof(LinuxLoopInfo) == 168);

struct LinuxLoopInfo64 {
    u64 lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
    u32 lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
    char lo_file_name[64];
    char lo_crypt_name[64];
    u8 lo_encrypt_key[32];
    u64 lo_init[2];
};
static_assert(sizeof(LinuxLoopInfo64) == 232);

struct LinuxLoopConfig {
    u32 fd;
    u32 block_size;
    LinuxLoopInfo64 info;
    u64 reserved[8];
};
static_assert(sizeof(LinuxLoopConfig) == 304);

Result<i64> done(Result<void> result) { return result.is_error() ? Result<i64>(result.error()) : Result<i64>(0); }

// LOOP_SET_FD and LOOP_CONFIGURE: bind `fd`'s file; the device is writable only if both
// the node and the file were opened for writing (as Linux's loop_configure decides).
Result<void> bind_loop(LoopDevice& loop, OpenFile& node, int fd)
{
    RefPtr<OpenFile> backing = TRY(current_process().fds().get(fd));
    return loop.bind(backing, node.can_write());
}

Result<i64> set_status(LoopDevice& loop, LinuxLoopInfo64 const& info)
{
    LoopStatus wanted {};
    wanted.offset = info.lo_offset;
    wanted.size_limit = info.lo_sizelimit;
    wanted.flags = info.lo_flags;
    memcpy(wanted.file_name, info.lo_file_name, sizeof wanted.file_name);
    if (info.lo_encrypt_type != 0) {
        KLOG_ONCE("pid %u: loop encryption (type %u) is not supported: EINVAL", current_process().pid(), info.lo_encrypt_type);
        return Errno::Invalid;
    }
    if (info.lo_offset % 512 || info.lo_sizelimit % 512) {
        KLOG_ONCE("pid %u: loop offset or size limit not a multiple of 512 is not supported: EINVAL", current_process().pid());
        return Errno::Invalid;
    }
    return done(loop.set_status(wanted));
}

LinuxLoopInfo64 status64(LoopDevice& loop, LoopStatus const& status)
{
    LinuxLoopInfo64 info {};
    loop.backing_identity(info.lo_device, info.lo_inode);
    info.lo_offset = status.offset;
    info.lo_sizelimit = status.size_limit;
    info.lo_number = loop.index();
    info.lo_flags = status.flags;
    memcpy(info.lo_file_name, status.file_name, sizeof info.lo_file_name);
    return info;
}

Result<i64> loop_ioctl(LoopDevice& loop, OpenFile& node, u64 request, UserAddress argument)
{
    switch (request) {
    case LOOP_SET_FD:
        return done(bind_loop(loop, node, static_cast<int>(argument)));
    case LOOP_CONFIGURE: {
        auto config = TRY(read_user<LinuxLoopConfig>(argument));
        TRY(bind_loop(loop, node, static_cast<int>(config.fd)));
        auto result = set_status(loop, config.info);
        if (result.is_error())
            (void)loop.unbind();
        return result;
    }
    case LOOP_CLR_FD:
        return done(loop.unbind());
    case LOOP_SET_STATUS: {
        auto old = TRY(read_user<LinuxLoopInfo>(argument));
        LinuxLoopInfo64 info {};
        info.lo_offset = static_cast<u64>(static_cast<u32>(old.lo_offset));
        info.lo_flags = static_cast<u32>(old.lo_flags);
        info.lo_encrypt_type = static_cast<u32>(old.lo_encrypt_type);
        memcpy(info.lo_file_name, old.lo_name, sizeof info.lo_file_name);
        return set_status(loop, info);
    }
    case LOOP_SET_STATUS64:
        return set_status(loop, TRY(read_user<LinuxLoopInfo64>(argument)));
    case LOOP_GET_STATUS: {
        if (!argument)
            return Errno::Invalid;
        LinuxLoopInfo64 info = status64(loop, TRY(loop.status()));
        // The old struct cannot hold an offset of 2 GiB or more: EOVERFLOW, as Linux.
        if (info.lo_offset > 0x7fffffff)
            return Errno::Overflow;
        LinuxLoopInfo old {};
        old.lo_number = static_cast<i32>(info.lo_number);
        old.lo_device = info.lo_device;
        old.lo_inode = info.lo_inode;
        old.lo_offset = static_cast<i32>(info.lo_offset);
        old.lo_flags = static_cast<i32>(info.lo_flags);
        memcpy(old.lo_name, info.lo_file_name, sizeof old.lo_name);
        TRY(write_user(argument, old));
        return 0;
    }
    case LOOP_GET_STATUS64: {
        if (!argument)
            return Errno::Invalid;
        TRY(write_user(argument, status64(loop, TRY(loop.status()))));
        return 0;
    }
    default:
        // Linux's lo_ioctl answers what it does not know with EINVAL.
        KLOG_ONCE("pid %u: loop ioctl %#lx is not supported: EINVAL", current_process().pid(), request);
        return Errno::Invalid;
    }
}

}

Result<i64> block_device_ioctl(BlockDeviceFile& file, OpenFile& node, u64 request, UserAddress argument)
{
    BlockDevice& device = file.device();
    switch (request) {
    case BLKGETSIZE64:
        TRY(write_user<u64>(argument, device.size_bytes()));
        return 0;
    case BLKGETSIZE: // in 512-byte sectors, in an unsigned long
        TRY(write_user<u64>(argument, device.size_bytes() / 512));
        return 0;
    case BLKSSZGET:
        TRY(write_user<i32>(argument, 512));
        return 0;
    case BLKBSZGET:
        TRY(write_user<i32>(argument, 4096));
        return 0;
    case BLKROGET:
        TRY(write_user<i32>(argument, device.is_read_only() ? 1 : 0));
        return 0;
    case BLKFLSBUF:
        // Linux needs CAP_SYS_ADMIN, then writes the device's buffers; there is no buffer
        // cache in front of a device here, so what remains is the device's own flush.
        if (!caller_credentials().is_privileged())
            return Errno::Access;
        return done(device.flush());
    default:
        break;
    }
    if (file.number().major == LOOP_MAJOR)
        if (LoopDevice* loop = LoopDevice::get(file.number().minor))
            return loop_ioctl(*loop, node, request, argument);
    KLOG_ONCE("pid %u: block-device ioctl %#lx is not supported: ENOTTY", current_process().pid(), request);
    return Errno::NotTty;
}

Result<i64> loop_control_ioctl(u64 request, UserAddress argument)
{
    switch (request) {
    case LOOP_CTL_GET_FREE:
        for (u32 i = 0; i < LOOP_DEVICE_COUNT; ++i)
            if (LoopDevice* loop = LoopDevice::get(i); loop && loop->is_present() && !loop->is_bound())
                return static_cast<i64>(i);
        KLOG_ONCE("pid %u: LOOP_CTL_GET_FREE: all %zu loop devices are bound (no more are made): ENOSPC", current_process().pid(),
            LOOP_DEVICE_COUNT);
        return Errno::NoSpace;
    case LOOP_CTL_ADD:
    case LOOP_CTL_REMOVE: {
        LoopDevice* loop = LoopDevice::get(static_cast<u32>(argument));
        if (!loop) {
            KLOG_ONCE("pid %u: loop device %lu is beyond the %zu Pagoda has: EINVAL", current_process().pid(), argument,
                LOOP_DEVICE_COUNT);
            return Errno::Invalid;
        }
        if (request == LOOP_CTL_ADD) {
            TRY(loop->add());
            return static_cast<i64>(argument);
        }
        TRY(loop->remove());
        return 0;
    }
    default:
        return Errno::NotTty;
    }
}
