// mknod and mknodat: new file-system nodes that are not directories or links — regular
// files, FIFOs (named pipes, fs/fifo.h) and socket nodes. Checked as Linux's do_mknodat:
// the type first (a directory EPERM, an unknown type EINVAL), then the name (EEXIST,
// ENOENT, ENOTDIR), the permissions less the umask. Device nodes are refused with EPERM
// and a log line: Pagoda's devices live in /dev only.
#include "handlers.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/log.h"

namespace {
constexpr u32 MODE_BLOCK_DEVICE = 0060000;
}

Result<i64> sys_mknodat(int dirfd, UserAddress path, u32 mode, u32 device)
{
    (void)device; // only device nodes use it
    u32 type = mode & MODE_TYPE_MASK;
    switch (type) {
    case 0:
    case MODE_REGULAR:
    case MODE_FIFO:
    case MODE_SOCKET:
        break;
    case MODE_CHARACTER_DEVICE:
    case MODE_BLOCK_DEVICE:
        KLOG_ONCE("pid %u: mknod of a device node is not supported: EPERM", current_process().pid());
        return Errno::NotPermitted;
    case MODE_DIRECTORY:
        return Errno::NotPermitted;
    default:
        return Errno::Invalid;
    }
    PATH_BUFFER(normalized);
    TRY(read_user_path_at(dirfd, path, normalized, PATH_MAX));
    Process& process = current_process();
    TRY(vfs_mknod(normalized, type | (mode & ~process.umask() & 07777), process.credentials));
    return 0;
}

Result<i64> sys_mknod(UserAddress path, u32 mode, u32 device) { return sys_mknodat(AT_FDCWD, path, mode, device); }
