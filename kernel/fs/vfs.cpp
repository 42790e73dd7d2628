#include "vfs.h"
#include "attributes.h"
#include "fifo.h"
#include "file_lock.h"
#include "kernel/fs/path_buffer.h"
#include "kernel/lib/memory.h"
#include "path_file.h"
#include "permission.h"
#include "pipe.h"

namespace {

struct Mount {
    char path[160];
    char source[96];
    char type[16];
    RefPtr<Inode> root;
    MountInfo info;
};
Mount g_mounts[24];
usize g_mount_count;

Mount* mount_entry(char const* where)
{
    for (usize i = 0; i < g_mount_count; ++i)
        if (strcmp(g_mounts[i].path, where) == 0)
            return &g_mounts[i];
    return nullptr;
}

void copy_string(char* out, usize capacity, char const* text)
{
    usize n = min(strlen(text), capacity - 1);
    memcpy(out, text, n);
    out[n] = '\0';
}

constexpr int MAX_LINKS = 40; // Linux's limit on symbolic links in one lookup

RefPtr<Inode> mounted_at(char const* path, usize length)
{
    for (usize i = 0; i < g_mount_count; ++i)
        if (strlen(g_mounts[i].path) == length && memcmp(g_mounts[i].path, path, length) == 0)
            return g_mounts[i].root;
    return nullptr;
}

// Replaces path[0..end) (a symlink, whose folder is path[0..folder_end)) by the link's target
// followed by the rest of the path from `end`, normalized into `path`.
Result<void> splice_link(Inode& link, char* path, usize capacity, usize folder_end, usize end)
{
    PATH_BUFFER(target);
    usize n = TRY(link.read_link(target, PATH_MAX - 1));
    target[n] = '\0';
    PATH_BUFFER(rest);
    usize rest_length = strlen(path + end);
    memcpy(rest, path + end, rest_length + 1);
    PATH_BUFFER(folder);
    memcpy(folder, path, folder_end);
    folder[folder_end] = '\0';

    PATH_BUFFER(combined);
    TRY(normalize_path(folder, target, combined, PATH_MAX));
    usize combined_length = strlen(combined);
    if (combined_length + rest_length + 2 > capacity)
        return Errno::NameTooLong;
    memcpy(path, combined, combined_length);
    usize length = combined_length;
    if (rest_length > 0) {
        if (length > 0 && rest[0] != '/')
            path[length++] = '/';
        memcpy(path + length, rest[0] == '/' && length == 0 ? rest + 1 : rest, rest_length + 1);
    } else {
        path[length] = '\0';
    }
    return {};
}

}

Result<void> normalize_path(char const* cwd, char const* path, char* out, usize capacity, Credentials const* who)
{
    if (!path[0])
        return Errno::NoEntry;
    usize length = 0;
    // out[0..physical) is taken to hold no links: `cwd` (chdir stores the resolved path), or
    // what a ".." left. A ".." beyond it goes up from the path so far with its links
    // followed; within it, no lookup (".." of a removed working directory works, as on Linux).
    usize physical = 0;
    auto make_physical = [&]() -> Result<void> {
        if (length == physical)
            return {};
        out[length] = '\0';
        PATH_BUFFER(resolved);
        RefPtr<Inode> directory = TRY(vfs_lookup(out, FollowLastLink::Yes, *who, resolved, PATH_MAX));
        if (!directory->is_directory())
            return Errno::NotDirectory;
        length = strlen(resolved);
        if (length >= capacity)
            return Errno::NameTooLong;
        memcpy(out, resolved, length + 1);
        return {};
    };
    // Pushes one component, or pops one for "..".
    auto add_component = [&](char const* start, usize n) -> Result<void> {
        if (n == 0 || (n == 1 && start[0] == '.'))
            return {};
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            if (who)
                TRY(make_physical());
            while (length > 0 && out[length - 1] != '/')
                --length;
            if (length > 0)
                --length;
            physical = length; // (with `who`) a real directory's path; without, unused
            return {};
        }
        if (n > 255)
            return Errno::NameTooLong;
        if (length + (length ? 1 : 0) + n + 1 > capacity)
            return Errno::NameTooLong;
        if (length)
            out[length++] = '/';
        memcpy(out + length, start, n);
        length += n;
        return {};
    };
    auto add_path = [&](char const* p) -> Result<void> {
        while (*p) {
            char const* start = p;
            while (*p && *p != '/')
                ++p;
            TRY(add_component(start, p - start));
            while (*p == '/')
                ++p;
        }
        return {};
    };
    if (path[0] != '/') {
        TRY(add_path(cwd));
        physical = length;
    }
    TRY(add_path(path));
    out[length] = '\0';
    return {};
}

Result<void> vfs_mount(char const* where, RefPtr<Inode> root, MountInfo info)
{
    if (g_mount_count == sizeof g_mounts / sizeof g_mounts[0] || strlen(where) >= sizeof g_mounts[0].path)
        return Errno::NoSpace;
    Mount& mount = g_mounts[g_mount_count++];
    memcpy(mount.path, where, strlen(where) + 1);
    copy_string(mount.source, sizeof mount.source, info.source);
    copy_string(mount.type, sizeof mount.type, info.type);
    mount.root = root;
    mount.info = info;
    mount.info.source = mount.source;
    mount.info.type = mount.type;
    return {};
}

RefPtr<Inode> vfs_mount_root(char const* where)
{
    Mount* mount = mount_entry(where);
    return mount ? mount->root : nullptr;
}

Result<void> vfs_unmount(char const* where)
{
    Mount* mount = mount_entry(where);
    if (!mount || where[0] == '\0')
        return mount ? Errno::Busy : Errno::Invalid; // the root stays
    usize length = strlen(where);
    for (usize i = 0; i < g_mount_count; ++i)
        if (strncmp(g_mounts[i].path, where, length) == 0 && g_mounts[i].path[length] == '/')
            return Errno::Busy;
    // The table's reference comes out for the file system to count the others.
    RefPtr<Inode> root = static_cast<RefPtr<Inode>&&>(mount->root);
    auto done = root->unmount_file_system();
    if (done.is_error()) {
        mount->root = static_cast<RefPtr<Inode>&&>(root);
        return done.error();
    }
    BlockDevice* device = mount->info.device;
    usize index = static_cast<usize>(mount - g_mounts);
    for (usize i = index; i + 1 < g_mount_count; ++i) {
        Mount& to = g_mounts[i];
        Mount& from = g_mounts[i + 1];
        memcpy(to.path, from.path, sizeof to.path);
        memcpy(to.source, from.source, sizeof to.source);
        memcpy(to.type, from.type, sizeof to.type);
        to.root = static_cast<RefPtr<Inode>&&>(from.root);
        to.info = from.info;
        to.info.source = to.source;
        to.info.type = to.type;
    }
    g_mounts[--g_mount_count].root.clear();
    root.clear(); // the file system's last object, which may take its mount with it
    if (device)
        device->release();
    return {};
}

Result<void> vfs_remount(char const* where, bool read_only, u64 options)
{
    Mount* mount = mount_entry(where);
    if (!mount)
        return Errno::Invalid;
    if (read_only != mount->info.read_only)
        TRY(mount->root->remount_file_system(read_only));
    mount->info.read_only = read_only;
    mount->info.options = options;
    return {};
}

void vfs_for_each_mount(FunctionRef<void(char const* where, MountInfo const&)> visit)
{
    for (usize i = 0; i < g_mount_count; ++i)
        visit(g_mounts[i].path, g_mounts[i].info);
}

Result<RefPtr<Inode>> vfs_lookup(
    char const* original, FollowLastLink follow, Credentials const& who, char* resolved, usize capacity)
{
    PATH_BUFFER(path);
    usize original_length = strlen(original);
    if (original_length >= PATH_MAX)
        return Errno::NameTooLong;
    memcpy(path, original, original_length + 1);

    int links = 0;
restart:
    RefPtr<Inode> inode = mounted_at("", 0);
    if (!inode)
        return Errno::NoEntry;
    usize position = 0;
    while (path[position]) {
        usize start = position;
        usize end = start;
        while (path[end] && path[end] != '/')
            ++end;
        if (!inode->is_directory())
            return Errno::NotDirectory;
        TRY(may_search(*inode, who));
        RefPtr<Inode> next = mounted_at(path, end);
        if (!next)
            next = TRY(inode->lookup(Name { path + start, end - start }));
        bool is_last = path[end] == '\0';
        if (next->is_symlink() && (!is_last || follow == FollowLastLink::Yes)) {
            if (++links > MAX_LINKS)
                return Errno::Loop;
            if (RefPtr<OpenFile> behind = next->file_behind_link()) {
                // A magic link: on to the open file's inode. One without (a pipe, the
                // console) can only end the path: vfs_open opens the file behind it.
                if (Inode* target = behind->file().inode())
                    next = RefPtr<Inode>(target);
                else if (!is_last)
                    return Errno::NotDirectory;
            } else {
                TRY(splice_link(*next, path, PATH_MAX, start > 0 ? start - 1 : 0, end));
                goto restart;
            }
        }
        inode = next;
        position = is_last ? end : end + 1;
    }
    if (resolved) {
        usize length = strlen(path);
        if (length >= capacity)
            return Errno::NameTooLong;
        memcpy(resolved, path, length + 1);
    }
    return inode;
}

Result<ParentAndName> vfs_lookup_parent(char const* path, Credentials const& who)
{
    usize length = strlen(path);
    if (length == 0)
        return Errno::Busy; // the root has no parent entry to change
    usize slash = length;
    while (slash > 0 && path[slash - 1] != '/')
        --slash;
    PATH_BUFFER(folder);
    usize folder_length = slash > 0 ? slash - 1 : 0;
    memcpy(folder, path, folder_length);
    folder[folder_length] = '\0';
    RefPtr<Inode> parent = TRY(vfs_lookup(folder, FollowLastLink::Yes, who));
    if (!parent->is_directory())
        return Errno::NotDirectory;
    // Looking the last name up needs search permission too, whatever is done with it.
    TRY(may_search(*parent, who));
    if (mounted_at(path, length))
        return Errno::Busy; // a mount point cannot be removed or renamed
    return ParentAndName { parent, Name { path + slash, length - slash } };
}

namespace {

// A directory removed while a process still works in it (or has it open) takes no new
// names: ENOENT, as on Linux.
Result<void> require_not_removed(Inode& directory)
{
    LinuxStat status {};
    directory.stat(status);
    if (status.st_nlink == 0)
        return Errno::NoEntry;
    return {};
}

// The directory that is to hold a new name (mkdir, link, symlink, open with O_CREAT): the
// name must be free (EEXIST — the root and every mount point exist already, as on Linux,
// where `mkdir -p /tmp/x` relies on it, not the EBUSY that removing one gives), then the
// directory must not have been removed (ENOENT), then the caller must be allowed to add to
// it (EROFS, EACCES), in Linux's order (may_create).
Result<ParentAndName> prepare_new_name(char const* path, Credentials const& who)
{
    if (path[0] == '\0' || mounted_at(path, strlen(path)))
        return Errno::Exists;
    ParentAndName where = TRY(vfs_lookup_parent(path, who));
    if (!where.parent->lookup(where.name).is_error())
        return Errno::Exists;
    TRY(require_not_removed(*where.parent));
    TRY(may_create(*where.parent, who));
    return where;
}

// The entry a removal or rename acts on, after the checks that it may go (may_delete).
Result<RefPtr<Inode>> removable_entry(ParentAndName const& where, Credentials const& who)
{
    RefPtr<Inode> victim = TRY(where.parent->lookup(where.name));
    TRY(may_delete(*where.parent, *victim, who));
    return victim;
}

// open(2)'s permission check on an existing file (Linux's may_open): read and/or write as
// the access mode says, and write for O_TRUNC even with O_RDONLY.
Result<void> may_open(Inode& inode, int flags, Credentials const& who)
{
    u32 may = 0;
    switch (flags & O_ACCMODE) {
    case O_RDONLY:
        may = MayRead;
        break;
    case O_WRONLY:
        may = MayWrite;
        break;
    default: // O_RDWR, and 3, which Linux also checks as both
        may = MayRead | MayWrite;
        break;
    }
    if (flags & O_TRUNC)
        may |= MayWrite;
    TRY(inode_permission(inode, who, may));
    // O_NOATIME hides reads from the access time: only the owner (or CAP_FOWNER) may.
    if ((flags & O_NOATIME) && !is_owner_or_privileged(inode, who))
        return Errno::NotPermitted;
    return {};
}

}

namespace {

// Opening /proc/<pid>/fd/N of a file without an inode: a pipe gives a new end of the same pipe
// (as Linux opens the pipe's inode), the console the console.
Result<RefPtr<File>> open_file_behind_link(File& file, int flags)
{
    Pipe* pipe = file.pipe();
    if (!pipe || (flags & O_PATH))
        return RefPtr<File>(&file); // O_PATH names the pipe; it does not become one of its ends
    int access = flags & O_ACCMODE;
    PipeAccess end = access == O_RDONLY ? PipeAccess::Read : access == O_WRONLY ? PipeAccess::Write : PipeAccess::ReadWrite;
    return create_pipe_end(RefPtr<Pipe>(pipe), end, pipe->writers_seen(), nullptr);
}

}

Result<RefPtr<File>> vfs_open(char const* path, int flags, u32 mode, Credentials const& who, char* resolved)
{
    FollowLastLink follow = (flags & O_NOFOLLOW) ? FollowLastLink::No : FollowLastLink::Yes;
    auto found = vfs_lookup(path, follow, who, resolved, PATH_MAX);
    RefPtr<Inode> inode;
    bool created = false;
    if (found.is_error()) {
        if (found.error() != Errno::NoEntry || !(flags & O_CREAT))
            return found.error();
        ParentAndName where = TRY(prepare_new_name(path, who));
        u32 new_mode = MODE_REGULAR | (mode & 07777);
        InodeOwner owner = owner_for_new_inode(*where.parent, who, new_mode);
        inode = TRY(where.parent->create(where.name, new_mode, owner));
        created = true;
        if (resolved)
            memcpy(resolved, path, strlen(path) + 1);
    } else {
        if ((flags & O_CREAT) && (flags & O_EXCL))
            return Errno::Exists;
        inode = found.release_value();
    }
    if (inode->is_symlink() && follow == FollowLastLink::Yes)
        if (RefPtr<OpenFile> behind = inode->file_behind_link())
            return open_file_behind_link(behind->file(), flags);
    if ((flags & O_DIRECTORY) && !inode->is_directory())
        return Errno::NotDirectory;
    if (flags & O_PATH)
        return open_path_only(inode); // the name only: no permission but the walk's, no open
    if (inode->is_symlink())
        return Errno::Loop; // O_NOFOLLOW on a link
    int access = flags & O_ACCMODE;
    if (inode->is_directory() && (access != O_RDONLY || (flags & O_CREAT)))
        return Errno::IsDirectory;
    // A file this call created may be opened as asked whatever its mode says.
    if (!created)
        TRY(may_open(*inode, flags, who));
    // Open first, truncate afterwards, as Linux does: the open file's write access is what
    // keeps a running program's executable from being truncated (ETXTBSY). O_RDONLY with
    // O_TRUNC truncates too on Linux; it takes write access just for the truncation.
    RefPtr<File> file = (inode->mode() & MODE_TYPE_MASK) == MODE_FIFO ? TRY(open_fifo(*inode, flags, PipeUser::of(who)))
                                                                      : TRY(inode->open(flags));
    // A lease holder is told, and given time, before the open (and its truncation) goes on.
    TRY(break_leases(*inode, access != O_RDONLY, flags & O_NONBLOCK));
    if ((flags & O_TRUNC) && inode->is_regular() && !created) {
        if (access == O_RDONLY)
            TRY(inode->get_write_access());
        auto truncated = clear_set_id_before_write(*inode, who);
        if (!truncated.is_error())
            truncated = inode->truncate(0);
        if (access == O_RDONLY)
            inode->put_write_access();
        TRY(truncated);
    }
    return file;
}

Result<void> vfs_mkdir(char const* path, u32 mode, Credentials const& who)
{
    ParentAndName where = TRY(prepare_new_name(path, who));
    u32 new_mode = MODE_DIRECTORY | (mode & 07777);
    InodeOwner owner = owner_for_new_inode(*where.parent, who, new_mode);
    TRY(where.parent->make_directory(where.name, new_mode, owner));
    return {};
}

Result<void> vfs_mknod(char const* path, u32 mode, DeviceNumber device, Credentials const& who)
{
    ParentAndName where = TRY(prepare_new_name(path, who));
    InodeOwner owner = owner_for_new_inode(*where.parent, who, mode);
    u32 type = mode & MODE_TYPE_MASK;
    if (type == MODE_CHARACTER_DEVICE || type == MODE_BLOCK_DEVICE) {
        if (!who.is_privileged())
            return Errno::NotPermitted; // CAP_MKNOD, after the folder's write permission
        TRY(where.parent->create_device(where.name, mode, device, owner));
    } else
        TRY(where.parent->create(where.name, mode, owner));
    return {};
}

Result<void> vfs_unlink(char const* path, Credentials const& who)
{
    ParentAndName where = TRY(vfs_lookup_parent(path, who));
    TRY(removable_entry(where, who));
    return where.parent->unlink(where.name);
}

Result<void> vfs_rmdir(char const* path, Credentials const& who)
{
    if (path[0] == '\0')
        return Errno::Busy;
    ParentAndName where = TRY(vfs_lookup_parent(path, who));
    TRY(removable_entry(where, who));
    return where.parent->remove_directory(where.name);
}

Result<void> vfs_rename(char const* from, char const* to, Credentials const& who)
{
    ParentAndName source = TRY(vfs_lookup_parent(from, who));
    ParentAndName target = TRY(vfs_lookup_parent(to, who));
    if (source.parent->device() != target.parent->device())
        return Errno::CrossDevice;
    // A directory cannot move into itself.
    usize from_length = strlen(from);
    if (strncmp(from, to, from_length) == 0 && to[from_length] == '/')
        return Errno::Invalid;
    {
        // The references end before the rename, so that a replaced file that nothing else
        // holds can be freed as soon as it loses its name.
        RefPtr<Inode> moving = TRY(removable_entry(source, who));
        auto replaced = target.parent->lookup(target.name);
        if (replaced.is_error())
            TRY(may_create(*target.parent, who));
        else
            TRY(may_delete(*target.parent, *replaced.value(), who));
        // A directory that changes parent rewrites its "..": that needs write permission on it.
        if (moving->is_directory() && source.parent != target.parent)
            TRY(inode_permission(*moving, who, MayWrite));
    }
    return source.parent->rename(source.name, *target.parent, target.name);
}

Result<void> vfs_link(char const* existing, char const* new_path, Credentials const& who)
{
    RefPtr<Inode> inode = TRY(vfs_lookup(existing, FollowLastLink::No, who));
    ParentAndName where = TRY(prepare_new_name(new_path, who));
    if (where.parent->device() != inode->device())
        return Errno::CrossDevice;
    return where.parent->link(where.name, *inode);
}

Result<void> vfs_symlink(char const* target, char const* link_path, Credentials const& who)
{
    ParentAndName where = TRY(prepare_new_name(link_path, who));
    u32 mode = MODE_SYMLINK | 0777;
    return where.parent->make_symlink(where.name, target, owner_for_new_inode(*where.parent, who, mode));
}

Result<usize> vfs_readlink(char const* path, char* out, usize capacity, Credentials const& who)
{
    RefPtr<Inode> inode = TRY(vfs_lookup(path, FollowLastLink::No, who));
    return inode->read_link(out, capacity);
}

Result<void> vfs_sync_all()
{
    Result<void> first_error;
    for (usize i = 0; i < g_mount_count; ++i) {
        auto result = g_mounts[i].root->sync_file_system();
        if (result.is_error() && !first_error.is_error())
            first_error = result.error();
    }
    return first_error;
}
