// mknod and mknodat: new file-system nodes that are not directories or links — regular
// files, FIFOs (named pipes, fs/fifo.h) and socket nodes. Checked as Linux's do_mknodat:
// the type first (a directory EPERM, an unknown type EINVAL), then the name (EEXIST,
// ENOENT, ENOTDIR), the permissions less the umask. Device nodes need privilege (CAP_MKNOD);
// a character device node opens the device of its number (fs/character_devices.h) on any
// file system that can hold one (ext2, tmpfs); the initramfs and /proc cannot (EPERM).
#include "handlers.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/log.h"

Result<i64> sys_mknodat(int dirfd, UserAddress path, u32 mode, u32 device)
{
    u32 type = mode & MODE_TYPE_MASK;
    switch (type) {
    case 0:
    case MODE_REGULAR:
    case MODE_FIFO:
    case MODE_SOCKET:
        break;
    case MODE_CHARACTER_DEVICE:
    case MODE_BLOCK_DEVICE:
        break; // CAP_MKNOD is checked after the folder's permission (vfs_mknod), as Linux's order

    case MODE_DIRECTORY:
        return Errno::NotPermitted;
    default:
        return Errno::Invalid;
    }
    PATH_BUFFER(normalized);
    TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX));
    Process& process = current_process();
    TRY(vfs_mknod(
        normalized, (type ? type : MODE_REGULAR) | (mode & ~process.umask() & 07777), decode_dev_t(device), process.credentials));
    return 0;
}

Result<i64> sys_mknod(UserAddress path, u32 mode, u32 device) { return sys_mknodat(AT_FDCWD, path, mode, device); }
