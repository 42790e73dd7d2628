// mount(2) and umount2(2): ext2 from a block device, tmpfs and proc in memory, a remount
// that changes a mount's access and options. Checked in Linux's order (fs/namespace.c):
// privilege (EPERM), the target (ENOENT, ENOTDIR), then the type (ENODEV) and the source
// (ENOTBLK for a node that is not a block device, ENXIO for a number no device has, EINVAL
// for a device that holds no ext2 volume). What Pagoda does not have — bind and move
// mounts, propagation, a mount stacked on another, a lazy unmount of a busy file system —
// returns EINVAL (EBUSY for stacking) and logs one line.
#include "handlers.h"
#include "kernel/fs/block_devices.h"
#include "kernel/fs/ext2_mount.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/fs/tmpfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/memory_context.h"
#include "kernel/procfs/procfs.h"
#include "user_memory.h"

namespace {

constexpr u64 MS_RDONLY = 0x1, MS_REMOUNT = 0x20, MS_MANDLOCK = 0x40, MS_DIRSYNC = 0x80, MS_BIND = 0x1000, MS_MOVE = 0x2000,
              MS_REC = 0x4000, MS_SILENT = 0x8000, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19,
              MS_SHARED = 1 << 20, MS_LAZYTIME = 1 << 25;
constexpr u64 MS_MGC_MASK = 0xffff0000, MS_MGC_VAL = 0xC0ED0000;
// The per-mount options this table keeps and shows.
constexpr u64 KEPT_OPTIONS = MOUNT_NOSUID | MOUNT_NODEV | MOUNT_NOEXEC | MOUNT_SYNCHRONOUS | MOUNT_NOATIME | MOUNT_NODIRATIME
    | MOUNT_RELATIME | MOUNT_STRICTATIME;
constexpr int MNT_FORCE = 1, MNT_DETACH = 2, MNT_EXPIRE = 4, UMOUNT_NOFOLLOW = 8;

// Copies a string argument of at most `capacity` - 1 bytes (longer: ENAMETOOLONG for a
// name, as Linux's copy_mount_string; the options page is cut, as Linux copies one page).
Result<void> read_user_string(UserAddress address, char* out, usize capacity)
{
    usize n = TRY(copy_string_from_user(user_space(), out, address, capacity));
    if (n >= capacity)
        return Errno::NameTooLong;
    return {};
}

char* find_char(char* text, char c)
{
    for (; *text; ++text)
        if (*text == c)
            return text;
    return nullptr;
}

// "size=N[kKmMgG%]", "nr_inodes=N[kKmMgG]", "mode=OCTAL" of tmpfs (Linux's shmem_parse_one).
Result<TmpfsOptions> parse_tmpfs_options(char* data, bool read_only)
{
    TmpfsOptions options;
    options.read_only = read_only;
    for (char* option = data; option && *option;) {
        char* comma = find_char(option, ',');
        if (comma)
            *comma = '\0';
        char* value = find_char(option, '=');
        if (value)
            *value++ = '\0';
        auto number = [&](u64& out, bool percent_of_ram) -> Result<void> {
            if (!value || !*value)
                return Errno::Invalid;
            u64 n = 0;
            char* p = value;
            for (; *p >= '0' && *p <= '9'; ++p)
                n = n * 10 + static_cast<u64>(*p - '0');
            switch (*p) {
            case 'k':
            case 'K':
                n <<= 10;
                ++p;
                break;
            case 'm':
            case 'M':
                n <<= 20;
                ++p;
                break;
            case 'g':
            case 'G':
                n <<= 30;
                ++p;
                break;
            case '%':
                if (!percent_of_ram)
                    return Errno::Invalid;
                n = n * kernel_memory_context().frames.total_frames() * 4096 / 100;
                ++p;
                break;
            default:
                break;
            }
            if (*p)
                return Errno::Invalid;
            out = n;
            return {};
        };
        if (strcmp(option, "size") == 0) {
            u64 bytes = 0;
            TRY(number(bytes, true));
            options.max_pages = (bytes + 4095) / 4096;
        } else if (strcmp(option, "nr_inodes") == 0) {
            TRY(number(options.max_inodes, false));
        } else if (strcmp(option, "mode") == 0) {
            if (!value || !*value)
                return Errno::Invalid;
            u32 mode = 0;
            for (char* p = value; *p; ++p) {
                if (*p < '0' || *p > '7')
                    return Errno::Invalid;
                mode = mode * 8 + static_cast<u32>(*p - '0');
            }
            options.root_mode = mode & 07777;
        } else if (*option) {
            KLOG_ONCE("pid %u: tmpfs mount option \"%s\" is not supported: EINVAL", current_process().pid(), option);
            return Errno::Invalid;
        }
        option = comma ? comma + 1 : nullptr;
    }
    return options;
}

// The block device a mount's source names, acquired: ENOTBLK for another kind of file.
Result<BlockDevice*> open_source_device(UserAddress source)
{
    if (!source)
        return Errno::NoEntry; // Linux's lookup_bdev of an empty name
    PATH_BUFFER(path);
    TRY(read_user_path(source, path, PATH_MAX));
    RefPtr<Inode> node = TRY(vfs_lookup(path, FollowLastLink::Yes, caller_credentials()));
    if ((node->mode() & MODE_TYPE_MASK) != MODE_BLOCK_DEVICE)
        return Errno::NotBlockDevice;
    BlockDevice* device = block_device(node->device_number());
    if (!device)
        return Errno::NoDeviceOrAddress;
    TRY(device->acquire());
    return device;
}

Result<i64> mount_new(char const* where, UserAddress source, char const* type, u64 flags, UserAddress data)
{
    if (vfs_mount_root(where)) {
        KLOG_ONCE("pid %u: mount on /%s, already a mount point (stacked mounts are not supported): EBUSY",
            current_process().pid(), where);
        return Errno::Busy;
    }
    bool read_only = flags & MS_RDONLY;
    u64 options = flags & KEPT_OPTIONS;
    // Kept and shown in /proc/mounts, but exec, set-ID bits and device nodes are not yet
    // checked against the mount: said once, as the unsupported half of the request.
    if (options & (MOUNT_NOSUID | MOUNT_NODEV | MOUNT_NOEXEC))
        KLOG_ONCE("pid %u: mount options nosuid/nodev/noexec are shown but not enforced", current_process().pid());
    char source_name[96] = "none";
    if (source && !copy_string_from_user(user_space(), source_name, source, sizeof source_name).is_error())
        source_name[sizeof source_name - 1] = '\0';
    if (strcmp(type, "ext2") == 0) {
        BlockDevice* device = TRY(open_source_device(source));
        auto root = ext2_mount(*device, block_device_name(*device), read_only ? Ext2Access::ReadOnly : Ext2Access::ReadWrite);
        if (root.is_error()) {
            device->release();
            // No ext2 volume there (bad magic, a feature ext2 lacks): EINVAL, as Linux.
            return root.error() == Errno::IoError || root.error() == Errno::NoMemory || root.error() == Errno::ReadOnlyFs
                ? root.error()
                : Errno::Invalid;
        }
        auto mounted = vfs_mount(where, root.value(), { "ext2", source_name, read_only, options, device });
        if (mounted.is_error()) {
            (void)root.value()->unmount_file_system();
            device->release();
            return mounted.error();
        }
        return 0;
    }
    if (strcmp(type, "tmpfs") == 0 || strcmp(type, "proc") == 0) {
        RefPtr<Inode> root;
        if (type[0] == 't') {
            char* text = new (std::nothrow) char[4096];
            if (!text)
                return Errno::NoMemory;
            text[0] = '\0';
            if (data) {
                auto copied = copy_string_from_user(user_space(), text, data, 4096);
                if (copied.is_error()) {
                    delete[] text;
                    return copied.error();
                }
                text[4095] = '\0';
            }
            auto parsed = parse_tmpfs_options(text, read_only);
            delete[] text;
            if (parsed.is_error())
                return parsed.error();
            root = TRY(tmpfs_create_root(parsed.value()));
        } else {
            if (read_only) {
                KLOG_ONCE("pid %u: a read-only proc mount is not supported: EINVAL", current_process().pid());
                return Errno::Invalid;
            }
            root = TRY(procfs_create_root());
        }
        TRY(vfs_mount(where, root, { type, source_name, read_only, options, nullptr }));
        return 0;
    }
    return Errno::NoDevice; // a type this kernel does not know (/proc/filesystems lists them)
}

// Whether any process works in the file system mounted at `where` or has one of its files
// open (descriptors, O_PATH ones too): Linux's mount reference count, which makes umount
// EBUSY.
bool in_use(char const* where, u64 device)
{
    usize length = strlen(where);
    bool used = false;
    for_each_process([&](Process& process) {
        if (used)
            return;
        char const* cwd = process.cwd();
        if (length == 0 || (strncmp(cwd, where, length) == 0 && (cwd[length] == '\0' || cwd[length] == '/')))
            used = true;
        FdTable& fds = process.fds();
        for (int fd = 0; fd < fds.capacity() && !used; ++fd) {
            auto file = fds.get_even_if_path_only(fd);
            if (file.is_error())
                continue;
            if (Inode* inode = file.value()->file().inode(); inode && inode->device() == device)
                used = true;
        }
    });
    return used;
}

}

Result<i64> sys_mount(UserAddress source, UserAddress target, UserAddress type_address, u64 flags, UserAddress data)
{
    if (!caller_credentials().is_privileged())
        return Errno::NotPermitted; // CAP_SYS_ADMIN
    if ((flags & MS_MGC_MASK) == MS_MGC_VAL)
        flags &= ~MS_MGC_MASK; // the old magic number in the top half, which Linux drops
    PATH_BUFFER(path);
    TRY(read_user_path(target, path, PATH_MAX));
    PATH_BUFFER(where);
    RefPtr<Inode> directory = TRY(vfs_lookup(path, FollowLastLink::Yes, caller_credentials(), where, PATH_MAX));
    if (flags & (MS_BIND | MS_MOVE | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)) {
        KLOG_ONCE(
            "pid %u: mount flags %#lx (bind, move or propagation) are not supported: EINVAL", current_process().pid(), flags);
        return Errno::Invalid;
    }
    if (flags & MS_REMOUNT) {
        // The target must be the root of a mount (Linux: EINVAL otherwise).
        RefPtr<Inode> root = vfs_mount_root(where);
        if (!root || root != directory)
            return Errno::Invalid;
        TRY(vfs_remount(where, flags & MS_RDONLY, flags & KEPT_OPTIONS));
        return 0;
    }
    if (!directory->is_directory())
        return Errno::NotDirectory;
    if (!type_address)
        return Errno::Invalid;
    char type[32];
    TRY(read_user_string(type_address, type, sizeof type));
    (void)(MS_MANDLOCK | MS_DIRSYNC | MS_REC | MS_SILENT | MS_LAZYTIME); // accepted and ignored, as Linux does
    return mount_new(where, source, type, flags, data);
}

Result<i64> sys_umount2(UserAddress target, int flags)
{
    if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
        return Errno::Invalid;
    if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
        return Errno::Invalid;
    if (!caller_credentials().is_privileged())
        return Errno::NotPermitted;
    PATH_BUFFER(path);
    TRY(read_user_path(target, path, PATH_MAX));
    PATH_BUFFER(where);
    FollowLastLink follow = (flags & UMOUNT_NOFOLLOW) ? FollowLastLink::No : FollowLastLink::Yes;
    RefPtr<Inode> directory = TRY(vfs_lookup(path, follow, caller_credentials(), where, PATH_MAX));
    RefPtr<Inode> root = vfs_mount_root(where);
    if (!root || root != directory)
        return Errno::Invalid; // not a mount point
    if (flags & MNT_EXPIRE) {
        KLOG_ONCE("pid %u: umount2 MNT_EXPIRE is not supported: EINVAL", current_process().pid());
        return Errno::Invalid;
    }
    u64 device = root->device();
    directory.clear();
    root.clear();
    // MNT_FORCE asks a network file system to give up its requests; ext2 and tmpfs have
    // none, so it unmounts as without it (Linux likewise).
    if (in_use(where, device)) {
        if (flags & MNT_DETACH) {
            KLOG_ONCE("pid %u: umount2 MNT_DETACH of a busy file system is not supported: EINVAL", current_process().pid());
            return Errno::Invalid;
        }
        return Errno::Busy;
    }
    TRY(vfs_unmount(where));
    return 0;
}
