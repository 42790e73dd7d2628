// Ext2FileSystem's namespace operations: names in, inode numbers out. Each operation checks
// everything that can fail before it changes anything on disk where it can, and undoes its
// own allocations when a later step fails, so a failed call leaves the volume consistent.
#include "../../lib/memory.h"
#include "ext2_file_system.h"
#include <new>

static Result<void> validate_name(char const* name, usize length)
{
    if (length == 0)
        return Errno::NoEntry;
    if (length > EXT2_NAME_MAX)
        return Errno::NameTooLong;
    for (usize i = 0; i < length; ++i) {
        if (name[i] == '/' || name[i] == '\0')
            return Errno::Invalid;
    }
    return {};
}

Result<u32> Ext2FileSystem::lookup(u32 directory, char const* name, usize length)
{
    if (!m_mounted)
        return Errno::Invalid;
    TRY(validate_name(name, length));
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    if (!ext2_is_directory(dir.mode))
        return Errno::NotDirectory;
    if (dir.links_count == 0)
        return Errno::NoEntry; // removed while open
    Ext2DirEntryLocation where = TRY(m_directories.find(directory, name, length));
    return where.inode;
}

Result<usize> Ext2FileSystem::read_directory(u32 directory, u64& cookie, Ext2DirectoryVisitor visitor)
{
    if (!m_mounted)
        return Errno::Invalid;
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    if (dir.links_count == 0 && ext2_is_directory(dir.mode))
        return usize(0);
    return m_directories.iterate(directory, cookie, visitor);
}

Result<Ext2DiskInode> Ext2FileSystem::prepare_new_entry(u32 directory, char const* name, usize length)
{
    TRY(check_writable());
    TRY(validate_name(name, length));
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    if (!ext2_is_directory(dir.mode))
        return Errno::NotDirectory;
    if (dir.links_count == 0)
        return Errno::NoEntry;
    auto existing = m_directories.find(directory, name, length);
    if (!existing.is_error())
        return Errno::Exists;
    if (existing.error() != Errno::NoEntry)
        return existing.error();
    return dir;
}

Ext2DiskInode Ext2FileSystem::new_inode_record(u16 mode, Ext2Owner owner) const
{
    Ext2DiskInode record {};
    u32 now = m_volume.now();
    record.mode = mode;
    record.uid = static_cast<u16>(owner.uid);
    record.uid_high = static_cast<u16>(owner.uid >> 16);
    record.gid = static_cast<u16>(owner.gid);
    record.gid_high = static_cast<u16>(owner.gid >> 16);
    record.atime = record.ctime = record.mtime = now;
    record.links_count = 1;
    if (m_volume.inode_size() > EXT2_GOOD_OLD_INODE_SIZE) {
        record.extra_isize = EXT2_NEW_EXTRA_ISIZE;
        record.crtime = now;
    }
    return record;
}

// Undoes a half-made inode: frees whatever blocks it got and the inode itself.
Result<void> Ext2FileSystem::discard_new_inode(u32 inode) { return free_inode_now(inode); }

Result<void> Ext2FileSystem::adjust_links(u32 inode, int delta)
{
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    record.links_count = static_cast<u16>(record.links_count + delta);
    record.ctime = m_volume.now();
    return m_inodes.write(inode, record);
}

Result<u32> Ext2FileSystem::create(u32 directory, char const* name, usize length, u32 mode, Ext2Owner owner, DeviceNumber device)
{
    TRY(prepare_new_entry(directory, name, length));
    u16 type = static_cast<u16>(mode & EXT2_S_IFMT);
    if (type == 0)
        type = EXT2_S_IFREG;
    bool device_node = type == EXT2_S_IFCHR || type == EXT2_S_IFBLK;
    if (type != EXT2_S_IFREG && type != EXT2_S_IFIFO && type != EXT2_S_IFSOCK && !device_node)
        return Errno::Invalid;
    u32 inode = TRY(m_allocator.allocate_inode(directory, false));
    Ext2DiskInode record = new_inode_record(static_cast<u16>(type | (mode & 07777)), owner);
    if (device_node) {
        Ext2DeviceSlots slots = ext2_encode_device(device);
        record.block[0] = slots.block0;
        record.block[1] = slots.block1;
    }
    TRY(m_inodes.write_new(inode, record));
    auto added = m_directories.add(directory, name, length, inode, ext2_file_type_of_mode(record.mode));
    if (added.is_error()) {
        TRY(discard_new_inode(inode));
        return added.error();
    }
    return inode;
}

Result<u32> Ext2FileSystem::mkdir(u32 directory, char const* name, usize length, u32 mode, Ext2Owner owner)
{
    Ext2DiskInode parent = TRY(prepare_new_entry(directory, name, length));
    if (parent.links_count >= EXT2_LINK_MAX)
        return Errno::TooManyLinks;
    u32 inode = TRY(m_allocator.allocate_inode(directory, true));
    Ext2DiskInode record = new_inode_record(static_cast<u16>(EXT2_S_IFDIR | (mode & 07777)), owner);
    record.links_count = 2; // its entry in the parent, and its own "."
    TRY(m_inodes.write_new(inode, record));
    auto initialized = m_directories.initialize(inode, directory);
    if (!initialized.is_error())
        initialized = m_directories.add(directory, name, length, inode, Ext2FileType::Directory);
    if (initialized.is_error()) {
        TRY(discard_new_inode(inode));
        return initialized.error();
    }
    TRY(adjust_links(directory, +1)); // the child's ".."
    return inode;
}

Result<u32> Ext2FileSystem::rmdir(u32 directory, char const* name, usize length)
{
    TRY(check_writable());
    if (length == 1 && name[0] == '.')
        return Errno::Invalid;
    if (length == 2 && name[0] == '.' && name[1] == '.')
        return Errno::NotEmpty;
    u32 child = TRY(lookup(directory, name, length));
    Ext2DiskInode record = TRY(m_inodes.read(child));
    if (!ext2_is_directory(record.mode))
        return Errno::NotDirectory;
    if (!TRY(m_directories.is_empty(child)))
        return Errno::NotEmpty;
    TRY(reserve_orphan_slot());
    TRY(m_directories.remove(directory, name, length));
    record = TRY(m_inodes.read(child));
    record.links_count = 0;
    record.ctime = m_volume.now();
    TRY(m_inodes.write(child, record));
    add_orphan(child);
    TRY(adjust_links(directory, -1));
    return child;
}

Result<u32> Ext2FileSystem::unlink(u32 directory, char const* name, usize length)
{
    TRY(check_writable());
    u32 child = TRY(lookup(directory, name, length));
    Ext2DiskInode record = TRY(m_inodes.read(child));
    if (ext2_is_directory(record.mode))
        return Errno::IsDirectory;
    TRY(reserve_orphan_slot());
    TRY(m_directories.remove(directory, name, length));
    record = TRY(m_inodes.read(child));
    if (record.links_count > 0)
        record.links_count--;
    record.ctime = m_volume.now();
    TRY(m_inodes.write(child, record));
    if (record.links_count == 0)
        add_orphan(child);
    return child;
}

Result<void> Ext2FileSystem::link(u32 inode, u32 directory, char const* name, usize length)
{
    TRY(prepare_new_entry(directory, name, length));
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    if (record.mode == 0 || record.links_count == 0)
        return Errno::NoEntry;
    if (ext2_is_directory(record.mode))
        return Errno::NotPermitted;
    if (record.links_count >= EXT2_LINK_MAX)
        return Errno::TooManyLinks;
    TRY(m_directories.add(directory, name, length, inode, ext2_file_type_of_mode(record.mode)));
    return adjust_links(inode, +1);
}

Result<u32> Ext2FileSystem::symlink(
    u32 directory, char const* name, usize length, char const* target, usize target_length, Ext2Owner owner)
{
    TRY(prepare_new_entry(directory, name, length));
    if (target_length == 0)
        return Errno::NoEntry;
    // e2fsck accepts a slow symlink only if its target fits one block with a NUL.
    if (target_length >= m_volume.block_size() || target_length >= PAGE_SIZE)
        return Errno::NameTooLong;
    u32 inode = TRY(m_allocator.allocate_inode(directory, false));
    Ext2DiskInode record = new_inode_record(static_cast<u16>(EXT2_S_IFLNK | 0777), owner);
    bool fast = target_length <= EXT2_FAST_SYMLINK_MAX;
    if (fast) {
        memcpy(record.block, target, target_length);
        record.size = static_cast<u32>(target_length);
    }
    TRY(m_inodes.write_new(inode, record));
    Result<void> stored;
    if (!fast) {
        u8* page = new (std::nothrow) u8[PAGE_SIZE];
        if (!page) {
            stored = Errno::NoMemory;
        } else {
            memset(page, 0, PAGE_SIZE);
            memcpy(page, target, target_length);
            stored = write_page(inode, 0, page, target_length);
            delete[] page;
        }
    }
    if (!stored.is_error())
        stored = m_directories.add(directory, name, length, inode, Ext2FileType::Symlink);
    if (stored.is_error()) {
        TRY(discard_new_inode(inode));
        return stored.error();
    }
    return inode;
}

Result<usize> Ext2FileSystem::readlink(u32 inode, char* buffer, usize capacity)
{
    if (!m_mounted)
        return Errno::Invalid;
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    if (!ext2_is_symlink(record.mode))
        return Errno::Invalid;
    usize length = min<u64>(ext2_inode_size(record), capacity);
    if (is_fast_symlink(record)) {
        length = min<usize>(length, sizeof record.block);
        memcpy(buffer, record.block, length);
        return length;
    }
    u8* page = new (std::nothrow) u8[PAGE_SIZE];
    if (!page)
        return Errno::NoMemory;
    auto read = read_page(inode, 0, page);
    if (!read.is_error())
        memcpy(buffer, page, min<usize>(length, PAGE_SIZE));
    delete[] page;
    if (read.is_error())
        return read.error();
    return min<usize>(length, PAGE_SIZE);
}

// Invalid if `directory` is `moved` or lies below it: a directory cannot move into itself.
Result<void> Ext2FileSystem::check_not_ancestor(u32 directory, u32 moved)
{
    u32 current = directory;
    for (u32 depth = 0; depth < 4096; ++depth) {
        if (current == moved)
            return Errno::Invalid;
        if (current == EXT2_ROOT_INODE)
            return {};
        Ext2DirEntryLocation parent = TRY(m_directories.find(current, "..", 2));
        if (parent.inode == current)
            return {};
        current = parent.inode;
    }
    return Errno::Loop;
}

Result<u32> Ext2FileSystem::rename(
    u32 old_directory, char const* old_name, usize old_length, u32 new_directory, char const* new_name, usize new_length)
{
    TRY(check_writable());
    if (ext2_is_dot_or_dot_dot(old_name, old_length) || ext2_is_dot_or_dot_dot(new_name, new_length))
        return Errno::Busy;
    TRY(validate_name(new_name, new_length));
    u32 source = TRY(lookup(old_directory, old_name, old_length));
    Ext2DiskInode new_dir = TRY(m_inodes.read(new_directory));
    if (!ext2_is_directory(new_dir.mode))
        return Errno::NotDirectory;
    if (new_dir.links_count == 0)
        return Errno::NoEntry;
    u32 target = 0;
    auto existing = m_directories.find(new_directory, new_name, new_length);
    if (!existing.is_error())
        target = existing.value().inode;
    else if (existing.error() != Errno::NoEntry)
        return existing.error();
    if (target == source)
        return 0u; // two names of one inode: POSIX says do nothing

    Ext2DiskInode source_record = TRY(m_inodes.read(source));
    bool moving_directory = ext2_is_directory(source_record.mode);
    bool target_is_directory = false;
    if (target) {
        Ext2DiskInode target_record = TRY(m_inodes.read(target));
        target_is_directory = ext2_is_directory(target_record.mode);
        if (moving_directory && !target_is_directory)
            return Errno::NotDirectory;
        if (!moving_directory && target_is_directory)
            return Errno::IsDirectory;
        if (target_is_directory && !TRY(m_directories.is_empty(target)))
            return Errno::NotEmpty;
        TRY(reserve_orphan_slot());
    }
    bool reparenting = moving_directory && old_directory != new_directory;
    if (reparenting) {
        TRY(check_not_ancestor(new_directory, source));
        if (!target && new_dir.links_count >= EXT2_LINK_MAX)
            return Errno::TooManyLinks;
    }

    Ext2FileType type = ext2_file_type_of_mode(source_record.mode);
    if (target)
        TRY(m_directories.retarget(new_directory, new_name, new_length, source, type));
    else
        TRY(m_directories.add(new_directory, new_name, new_length, source, type));
    TRY(m_directories.remove(old_directory, old_name, old_length));

    if (target) {
        Ext2DiskInode target_record = TRY(m_inodes.read(target));
        target_record.links_count = target_is_directory ? 0 : static_cast<u16>(target_record.links_count - 1);
        target_record.ctime = m_volume.now();
        TRY(m_inodes.write(target, target_record));
        if (target_record.links_count == 0)
            add_orphan(target);
        if (target_is_directory)
            TRY(adjust_links(new_directory, -1)); // the replaced directory's ".." is gone
    }
    if (reparenting) {
        TRY(m_directories.retarget(source, "..", 2, new_directory, Ext2FileType::Directory));
        TRY(adjust_links(old_directory, -1));
        TRY(adjust_links(new_directory, +1));
    }
    source_record = TRY(m_inodes.read(source));
    source_record.ctime = m_volume.now();
    TRY(m_inodes.write(source, source_record));
    return target;
}
