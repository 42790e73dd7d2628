// Ext2Directory: entries never cross a block, so every operation works one block at a time.
#include "ext2_directory.h"
#include "../../lib/memory.h"
#include <new>

Result<Ext2DirEntryHeader> Ext2Directory::entry_at(u8 const* block, u32 offset) const
{
    Ext2DirEntryHeader header;
    if (offset + sizeof header > m_volume.block_size())
        return Errno::IoError;
    memcpy(&header, block + offset, sizeof header);
    if (header.rec_len < 8 || (header.rec_len & 3) || offset + header.rec_len > m_volume.block_size()
        || (header.inode != 0 && ext2_dir_entry_size(header.name_len) > header.rec_len))
        return Errno::IoError;
    if (header.inode != 0 && !m_volume.is_valid_inode(header.inode))
        return Errno::IoError;
    return header;
}

void Ext2Directory::write_entry(
    u8* block, u32 offset, u16 rec_len, u32 inode, char const* name, usize length, Ext2FileType type) const
{
    Ext2DirEntryHeader header { inode, rec_len, static_cast<u8>(length),
        m_volume.has_file_type() ? static_cast<u8>(type) : u8(0) };
    memcpy(block + offset, &header, sizeof header);
    memcpy(block + offset + sizeof header, name, length);
    // Zero the padding so the block's bytes are deterministic.
    usize padded = ext2_dir_entry_size(length) - sizeof header;
    memset(block + offset + sizeof header + length, 0, padded - length);
}

// Directory changed: new mtime/ctime, and any htree index is now stale, so drop the flag
// (the index's blocks are valid linear blocks; e2fsck rebuilds nothing for a plain dir).
Result<void> Ext2Directory::touch(u32 directory, Ext2DiskInode& record)
{
    record.mtime = record.ctime = m_volume.now();
    record.flags &= ~EXT2_INDEX_FL;
    return m_inodes.write(directory, record);
}

Result<Ext2DirEntryLocation> Ext2Directory::find(u32 directory, char const* name, usize length)
{
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    if (!ext2_is_directory(dir.mode))
        return Errno::NotDirectory;
    u32 bs = m_volume.block_size();
    u64 blocks = ext2_inode_size(dir) / bs;
    for (u64 fb = 0; fb < blocks; ++fb) {
        u32 phys = TRY(m_map.lookup(dir, fb));
        if (phys == 0)
            continue;
        u8 const* data = TRY(m_cache.get(phys));
        for (u32 offset = 0; offset < bs;) {
            Ext2DirEntryHeader header = TRY(entry_at(data, offset));
            if (header.inode != 0 && header.name_len == length && memcmp(data + offset + 8, name, length) == 0)
                return Ext2DirEntryLocation { phys, offset, header.inode, header.file_type };
            offset += header.rec_len;
        }
    }
    return Errno::NoEntry;
}

Result<void> Ext2Directory::add(u32 directory, char const* name, usize length, u32 child, Ext2FileType type)
{
    if (length == 0 || length > EXT2_NAME_MAX)
        return length == 0 ? Errno::NoEntry : Errno::NameTooLong;
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    u32 bs = m_volume.block_size();
    u32 needed = ext2_dir_entry_size(length);
    u64 blocks = ext2_inode_size(dir) / bs;
    for (u64 fb = 0; fb < blocks; ++fb) {
        u32 phys = TRY(m_map.lookup(dir, fb));
        if (phys == 0)
            continue;
        u8* data = TRY(m_cache.get(phys));
        for (u32 offset = 0; offset < bs;) {
            Ext2DirEntryHeader header = TRY(entry_at(data, offset));
            u32 used = header.inode != 0 ? ext2_dir_entry_size(header.name_len) : 0;
            if (header.rec_len - used >= needed) {
                if (used == 0) {
                    write_entry(data, offset, header.rec_len, child, name, length, type);
                } else {
                    u16 rest = static_cast<u16>(header.rec_len - used);
                    header.rec_len = static_cast<u16>(used);
                    memcpy(data + offset, &header, sizeof header);
                    write_entry(data, offset + used, rest, child, name, length, type);
                }
                m_cache.mark_dirty(phys);
                return touch(directory, dir);
            }
            offset += header.rec_len;
        }
    }

    // No room: append a block holding just this entry.
    bool allocated;
    auto phys = m_map.lookup_or_allocate(dir, directory, blocks, allocated);
    if (phys.is_error()) {
        // Free an indirect block attached before the data block ran out of space.
        auto trimmed = m_map.truncate(dir, blocks);
        TRY(m_inodes.write(directory, dir));
        TRY(trimmed);
        return phys.error();
    }
    u8* data = TRY(m_cache.get_zeroed(phys.value()));
    write_entry(data, 0, static_cast<u16>(bs), child, name, length, type);
    ext2_set_inode_size(dir, (blocks + 1) * bs);
    return touch(directory, dir);
}

Result<void> Ext2Directory::remove(u32 directory, char const* name, usize length)
{
    Ext2DirEntryLocation where = TRY(find(directory, name, length));
    u8* data = TRY(m_cache.get(where.block));
    // Find the entry before ours in the same block, if any.
    u32 previous = where.offset;
    for (u32 offset = 0; offset < where.offset;) {
        Ext2DirEntryHeader header = TRY(entry_at(data, offset));
        previous = offset;
        offset += header.rec_len;
    }
    Ext2DirEntryHeader header = TRY(entry_at(data, where.offset));
    if (previous != where.offset) {
        Ext2DirEntryHeader before = TRY(entry_at(data, previous));
        before.rec_len = static_cast<u16>(before.rec_len + header.rec_len);
        memcpy(data + previous, &before, sizeof before);
    } else {
        header.inode = 0;
        memcpy(data + where.offset, &header, sizeof header);
    }
    m_cache.mark_dirty(where.block);
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    return touch(directory, dir);
}

Result<void> Ext2Directory::retarget(u32 directory, char const* name, usize length, u32 inode, Ext2FileType type)
{
    Ext2DirEntryLocation where = TRY(find(directory, name, length));
    u8* data = TRY(m_cache.get(where.block));
    Ext2DirEntryHeader header = TRY(entry_at(data, where.offset));
    header.inode = inode;
    header.file_type = m_volume.has_file_type() ? static_cast<u8>(type) : u8(0);
    memcpy(data + where.offset, &header, sizeof header);
    m_cache.mark_dirty(where.block);
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    return touch(directory, dir);
}

Result<bool> Ext2Directory::is_empty(u32 directory)
{
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    u32 bs = m_volume.block_size();
    u64 blocks = ext2_inode_size(dir) / bs;
    for (u64 fb = 0; fb < blocks; ++fb) {
        u32 phys = TRY(m_map.lookup(dir, fb));
        if (phys == 0)
            continue;
        u8 const* data = TRY(m_cache.get(phys));
        for (u32 offset = 0; offset < bs;) {
            Ext2DirEntryHeader header = TRY(entry_at(data, offset));
            if (header.inode != 0 && !ext2_is_dot_or_dot_dot(reinterpret_cast<char const*>(data + offset + 8), header.name_len))
                return false;
            offset += header.rec_len;
        }
    }
    return true;
}

Result<void> Ext2Directory::initialize(u32 directory, u32 parent)
{
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    bool allocated;
    auto phys = m_map.lookup_or_allocate(dir, directory, 0, allocated);
    if (phys.is_error()) {
        TRY(m_inodes.write(directory, dir));
        return phys.error();
    }
    u32 bs = m_volume.block_size();
    u8* data = TRY(m_cache.get_zeroed(phys.value()));
    write_entry(data, 0, 12, directory, ".", 1, Ext2FileType::Directory);
    write_entry(data, 12, static_cast<u16>(bs - 12), parent, "..", 2, Ext2FileType::Directory);
    ext2_set_inode_size(dir, bs);
    return m_inodes.write(directory, dir);
}

u8 Ext2Directory::dirent_type(Ext2DirEntryHeader const& header)
{
    static constexpr u8 by_file_type[] = { 0, 8, 4, 2, 6, 1, 12, 10 };
    if (m_volume.has_file_type() && header.file_type != 0 && header.file_type < sizeof by_file_type)
        return by_file_type[header.file_type];
    auto record = m_inodes.read(header.inode);
    return record.is_error() ? u8(0) : ext2_dirent_type_of_mode(record.value().mode);
}

Result<usize> Ext2Directory::iterate(u32 directory, u64& cookie, Ext2DirectoryVisitor visitor)
{
    Ext2DiskInode dir = TRY(m_inodes.read(directory));
    if (!ext2_is_directory(dir.mode))
        return Errno::NotDirectory;
    u32 bs = m_volume.block_size();
    u64 size = ext2_inode_size(dir);
    // The visitor may fault on a user buffer and re-enter the file system, so work on a
    // private copy of each block rather than on a cache slot that could be evicted.
    u8* copy = new (std::nothrow) u8[bs];
    if (!copy)
        return Errno::NoMemory;
    usize reported = 0;
    bool failed = false;
    Errno failure {};
    while (cookie < size) {
        u64 fb = cookie / bs;
        u32 start = static_cast<u32>(cookie % bs);
        auto phys = m_map.lookup(dir, fb);
        if (phys.is_error()) {
            failed = true;
            failure = phys.error();
            break;
        }
        if (phys.value() != 0) {
            auto data = m_cache.get(phys.value());
            if (data.is_error()) {
                failed = true;
                failure = data.error();
                break;
            }
            memcpy(copy, data.value(), bs);
        }
        bool stopped = false;
        for (u32 offset = 0; phys.value() != 0 && offset < bs;) {
            auto header = entry_at(copy, offset);
            if (header.is_error()) {
                failed = true;
                failure = header.error();
                stopped = true;
                break;
            }
            Ext2DirEntryHeader const& h = header.value();
            if (offset >= start && h.inode != 0) {
                if (!visitor(reinterpret_cast<char const*>(copy + offset + 8), h.name_len, h.inode, dirent_type(h))) {
                    cookie = fb * bs + offset;
                    stopped = true;
                    break;
                }
                ++reported;
            }
            offset += h.rec_len;
        }
        if (stopped)
            break;
        cookie = (fb + 1) * bs;
    }
    delete[] copy;
    if (failed)
        return failure;
    return reported;
}
