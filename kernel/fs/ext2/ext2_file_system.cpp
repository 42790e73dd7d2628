// Ext2FileSystem: mounting, file data by page, sizes, metadata setters, freeing inodes and
// writing everything back. Namespace operations are in ext2_namespace.cpp.
#include "ext2_file_system.h"
#include "../../lib/memory.h"
#include "../../mm/vm_trace_events.h"
#include <new>

Ext2FileSystem::Ext2FileSystem(BlockDevice& device, Ext2Clock clock)
    : m_volume(device, clock)
    , m_cache(device)
    , m_allocator(m_volume, m_cache)
    , m_inodes(m_volume, m_cache)
    , m_map(m_volume, m_cache, m_allocator)
    , m_directories(m_volume, m_cache, m_inodes, m_map)
{ }

Ext2FileSystem::~Ext2FileSystem()
{
    delete[] m_scratch;
    delete[] m_orphans;
}

Result<OwnPtr<Ext2FileSystem>> Ext2FileSystem::mount(BlockDevice& device, Ext2MountMode mode, Ext2Clock clock)
{
    OwnPtr<Ext2FileSystem> fs(new (std::nothrow) Ext2FileSystem(device, clock));
    if (!fs)
        return Errno::NoMemory;
    TRY(fs->start(mode));
    return fs;
}

Result<void> Ext2FileSystem::start(Ext2MountMode mode)
{
    TRY(m_volume.load(mode));
    TRY(m_cache.initialize(m_volume.block_size()));
    m_scratch = new (std::nothrow) u8[m_volume.block_size()];
    if (!m_scratch)
        return Errno::NoMemory;
    Ext2DiskInode root = TRY(m_inodes.read(EXT2_ROOT_INODE));
    if (!ext2_is_directory(root.mode))
        return Errno::Invalid;
    m_mounted = true;
    if (m_volume.read_only())
        return {};
    // Linux's rule: clear VALID while mounted read-write, restore the old state at unmount,
    // so a crash leaves the volume marked for a check.
    Ext2Superblock& sb = m_volume.superblock();
    m_state_at_mount = sb.state;
    sb.state = static_cast<u16>(sb.state & ~EXT2_STATE_VALID);
    sb.mnt_count++;
    sb.mtime = m_volume.now();
    TRY(m_volume.write_back());
    return m_volume.device().flush();
}

Ext2Statistics Ext2FileSystem::statistics()
{
    Ext2Superblock const& sb = m_volume.superblock();
    u64 reserved = min(sb.r_blocks_count, sb.free_blocks_count);
    return Ext2Statistics { m_volume.block_size(), sb.blocks_count, sb.free_blocks_count, sb.free_blocks_count - reserved,
        sb.inodes_count, sb.free_inodes_count };
}

Result<void> Ext2FileSystem::check_writable() const
{
    if (!m_mounted)
        return Errno::Invalid;
    if (m_volume.read_only())
        return Errno::ReadOnlyFs;
    return {};
}

bool Ext2FileSystem::is_fast_symlink(Ext2DiskInode const& record) const
{
    u32 acl_sectors = record.file_acl ? m_volume.sectors_per_block() : 0;
    return ext2_is_symlink(record.mode) && record.blocks == acl_sectors;
}

bool Ext2FileSystem::holds_block_map(Ext2DiskInode const& record) const
{
    u16 type = record.mode & EXT2_S_IFMT;
    return !is_fast_symlink(record) && type != EXT2_S_IFCHR && type != EXT2_S_IFBLK;
}

Result<Ext2InodeInfo> Ext2FileSystem::stat(u32 inode)
{
    Ext2DiskInode r = TRY(m_inodes.read(inode));
    if (r.mode == 0)
        return Errno::NoEntry;
    return Ext2InodeInfo { inode, r.mode, r.links_count, r.uid | (u32(r.uid_high) << 16), r.gid | (u32(r.gid_high) << 16),
        ext2_inode_size(r), r.atime, r.mtime, r.ctime, r.blocks,
        holds_block_map(r) || ext2_is_symlink(r.mode) ? DeviceNumber {} : ext2_decode_device(r.block[0], r.block[1]) };
}

Result<void> Ext2FileSystem::read_page(u32 inode, u64 page_index, u8* page) { return read_pages(inode, page_index, &page, 1); }

Result<void> Ext2FileSystem::read_pages(u32 inode, u64 first_index, u8* const* pages, usize count)
{
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    u64 size = ext2_inode_size(record);
    for (usize i = 0; i < count; ++i)
        memset(pages[i], 0, PAGE_SIZE);
    if (is_fast_symlink(record)) {
        if (first_index == 0 && count > 0)
            memcpy(pages[0], record.block, min<u64>(size, sizeof record.block));
        return {};
    }
    u32 bs = m_volume.block_size();
    u32 per_page = static_cast<u32>(PAGE_SIZE / bs);
    // One piece per block that holds data (holes stay zero); the device merges the pieces
    // of consecutive blocks into one request and keeps several in flight.
    auto* pieces = new (std::nothrow) BlockPiece[count * per_page];
    if (!pieces)
        return Errno::NoMemory;
    usize piece_count = 0;
    Result<void> result;
    for (usize i = 0; i < count && !result.is_error(); ++i) {
        u64 page_start = (first_index + i) * PAGE_SIZE;
        for (u32 b = 0; b < per_page && page_start + u64(b) * bs < size; ++b) {
            auto phys = m_map.lookup(record, page_start / bs + b);
            if (phys.is_error()) {
                result = phys.error();
                break;
            }
            if (phys.value() == 0)
                continue;
            if (b == 0)
                VM_TRACE(trace_disk(VmEvent::DiskRead, 0, inode, first_index + i, phys.value(), per_page));
            pieces[piece_count++] = { u64(phys.value()) * bs, pages[i] + b * bs, bs };
        }
    }
    if (!result.is_error())
        result = m_volume.device().transfer(BlockDirection::Read, pieces, piece_count);
    delete[] pieces;
    TRY(result);
    // The last block may hold bytes past the end of the file: they read as zeros.
    for (usize i = 0; i < count; ++i) {
        u64 page_start = (first_index + i) * PAGE_SIZE;
        if (page_start < size && size - page_start < PAGE_SIZE)
            memset(pages[i] + (size - page_start), 0, PAGE_SIZE - (size - page_start));
    }
    return {};
}

Result<void> Ext2FileSystem::reserve_blocks(u32 inode, u64 offset, u64 length)
{
    TRY(check_writable());
    if (length == 0)
        return {};
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    if (!ext2_is_regular(record.mode))
        return Errno::Invalid;
    if (offset + length > ext2_inode_size(record))
        return Errno::Invalid;
    u32 bs = m_volume.block_size();
    Result<void> result;
    for (u64 block = offset / bs; block <= (offset + length - 1) / bs; ++block) {
        bool allocated;
        auto physical = m_map.lookup_or_allocate(record, inode, block, allocated);
        if (physical.is_error()) {
            result = physical.error();
            break;
        }
        if (allocated)
            m_cache.forget(physical.value()); // file data bypasses the metadata cache
    }
    TRY(m_inodes.write(inode, record));
    return result;
}

Result<void> Ext2FileSystem::write_pages(u32 inode, Pager::PageToWrite const* pages, usize count)
{
    u32 bs = m_volume.block_size();
    // All of a batch in one transfer needs one piece per page; a page spanning several
    // blocks (or no memory for the pieces) goes page by page instead.
    BlockPiece* pieces = bs == PAGE_SIZE ? new (std::nothrow) BlockPiece[count] : nullptr;
    if (!pieces) {
        for (usize i = 0; i < count; ++i)
            TRY(write_page(inode, pages[i].index, pages[i].bytes, PAGE_SIZE));
        return {};
    }
    Result<void> result = write_whole_pages(inode, pages, count, pieces);
    delete[] pieces;
    return result;
}

Result<void> Ext2FileSystem::write_whole_pages(u32 inode, Pager::PageToWrite const* pages, usize count, BlockPiece* pieces)
{
    TRY(check_writable());
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    if (!ext2_is_regular(record.mode))
        return Errno::Invalid;
    u32 bs = m_volume.block_size();
    for (usize i = 0; i < count; ++i) {
        bool allocated;
        auto physical = m_map.lookup_or_allocate(record, inode, pages[i].index, allocated);
        if (physical.is_error()) {
            // Give back what this call attached past the end of the file (see write_page).
            auto trimmed = m_map.truncate(record, (ext2_inode_size(record) + bs - 1) / bs);
            TRY(m_inodes.write(inode, record));
            TRY(trimmed);
            return physical.error();
        }
        m_cache.forget(physical.value()); // file data bypasses the metadata cache
        pieces[i] = { u64(physical.value()) * bs, const_cast<u8*>(pages[i].bytes), PAGE_SIZE };
    }
    u64 end = count > 0 ? (pages[count - 1].index + 1) * PAGE_SIZE : 0;
    if (end > ext2_inode_size(record)) {
        ext2_set_inode_size(record, end);
        if (end > 0x7FFFFFFFu)
            m_volume.superblock().feature_ro_compat |= EXT2_RO_COMPAT_LARGE_FILE;
    }
    TRY(m_inodes.write(inode, record));
    for (usize i = 0; i < count; ++i) {
        if (i > 0 && pieces[i].offset_bytes == pieces[i - 1].offset_bytes + bs)
            continue;
        usize run = 1; // a run of consecutive blocks starts: one trace line for it
        while (i + run < count && pieces[i + run].offset_bytes == pieces[i].offset_bytes + run * bs)
            ++run;
        VM_TRACE(
            trace_disk(VmEvent::DiskWrite, 0, inode, pages[i].index, u32(pieces[i].offset_bytes / bs), static_cast<u32>(run)));
    }
    // All at once: the device merges the pieces of consecutive blocks — of one run of the
    // file or of several — into one request each and keeps the requests in flight together.
    return m_volume.device().transfer(BlockDirection::Write, pieces, count);
}

Result<void> Ext2FileSystem::write_page(u32 inode, u64 page_index, u8 const* page, usize valid_bytes)
{
    TRY(check_writable());
    if (valid_bytes == 0 || valid_bytes > PAGE_SIZE)
        return Errno::Invalid;
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    if (ext2_is_directory(record.mode))
        return Errno::IsDirectory;
    if (!ext2_is_regular(record.mode) && !ext2_is_symlink(record.mode))
        return Errno::Invalid;
    u32 bs = m_volume.block_size();
    u32 count = static_cast<u32>((valid_bytes + bs - 1) / bs);
    u64 first = page_index * (PAGE_SIZE / bs);
    u32 blocks[PAGE_SIZE / 1024];
    for (u32 i = 0; i < count; ++i) {
        bool allocated;
        auto phys = m_map.lookup_or_allocate(record, inode, first + i, allocated);
        if (phys.is_error()) {
            // Give back what this call attached past the end of the file: e2fsck rejects
            // blocks beyond i_size, and the data never got written.
            auto trimmed = m_map.truncate(record, (ext2_inode_size(record) + bs - 1) / bs);
            TRY(m_inodes.write(inode, record));
            TRY(trimmed);
            return phys.error();
        }
        blocks[i] = phys.value();
        m_cache.forget(blocks[i]); // file data bypasses the cache
    }
    u64 end = page_index * PAGE_SIZE + valid_bytes;
    if (end > ext2_inode_size(record)) {
        ext2_set_inode_size(record, end);
        if (end > 0x7FFFFFFFu)
            m_volume.superblock().feature_ro_compat |= EXT2_RO_COMPAT_LARGE_FILE;
    }
    TRY(m_inodes.write(inode, record));
    VM_TRACE(trace_disk(VmEvent::DiskWrite, 0, inode, page_index, blocks[0], count));

    u32 full = static_cast<u32>(valid_bytes / bs);
    for (u32 i = 0; i < full;) {
        u32 run = 1;
        while (i + run < full && blocks[i + run] == blocks[i] + run)
            ++run;
        TRY(m_volume.device().write(u64(blocks[i]) * bs, page + u64(i) * bs, u64(run) * bs));
        i += run;
    }
    if (full < count) {
        usize tail = valid_bytes - usize(full) * bs;
        memcpy(m_scratch, page + usize(full) * bs, tail);
        memset(m_scratch + tail, 0, bs - tail);
        TRY(m_volume.device().write(u64(blocks[full]) * bs, m_scratch, bs));
    }
    return {};
}

Result<void> Ext2FileSystem::set_size(u32 inode, u64 size)
{
    TRY(check_writable());
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    if (ext2_is_directory(record.mode))
        return Errno::IsDirectory;
    if (!ext2_is_regular(record.mode))
        return Errno::Invalid;
    u32 bs = m_volume.block_size();
    if (size > m_map.max_blocks() * bs)
        return Errno::FileTooBig;
    u64 old_size = ext2_inode_size(record);
    if (size == old_size)
        return {};
    if (size < old_size) {
        // Zero the rest of the new last block, so that growing the file later shows zeros.
        if (size % bs) {
            u32 phys = TRY(m_map.lookup(record, size / bs));
            if (phys) {
                TRY(m_volume.device().read(u64(phys) * bs, m_scratch, bs));
                memset(m_scratch + size % bs, 0, bs - size % bs);
                TRY(m_volume.device().write(u64(phys) * bs, m_scratch, bs));
            }
        }
        auto freed = m_map.truncate(record, (size + bs - 1) / bs);
        if (freed.is_error()) {
            TRY(m_inodes.write(inode, record));
            return freed.error();
        }
    }
    ext2_set_inode_size(record, size);
    if (size > 0x7FFFFFFFu)
        m_volume.superblock().feature_ro_compat |= EXT2_RO_COMPAT_LARGE_FILE;
    record.mtime = record.ctime = m_volume.now();
    return m_inodes.write(inode, record);
}

Result<void> Ext2FileSystem::chmod(u32 inode, u32 mode)
{
    TRY(check_writable());
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    record.mode = static_cast<u16>((record.mode & EXT2_S_IFMT) | (mode & 07777));
    record.ctime = m_volume.now();
    return m_inodes.write(inode, record);
}

Result<void> Ext2FileSystem::chown(u32 inode, u32 uid, u32 gid)
{
    TRY(check_writable());
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    record.uid = static_cast<u16>(uid);
    record.uid_high = static_cast<u16>(uid >> 16);
    record.gid = static_cast<u16>(gid);
    record.gid_high = static_cast<u16>(gid >> 16);
    record.ctime = m_volume.now();
    return m_inodes.write(inode, record);
}

Result<void> Ext2FileSystem::set_times(u32 inode, u32 atime, u32 mtime)
{
    TRY(check_writable());
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    record.atime = atime;
    record.mtime = mtime;
    record.ctime = m_volume.now();
    return m_inodes.write(inode, record);
}

Result<void> Ext2FileSystem::touch(u32 inode, Ext2TimeUpdate update)
{
    TRY(check_writable());
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    Ext2DiskInode before = record;
    u32 now = m_volume.now();
    switch (update) {
    case Ext2TimeUpdate::Access:
        record.atime = now;
        break;
    case Ext2TimeUpdate::Modify:
        record.mtime = record.ctime = now;
        break;
    case Ext2TimeUpdate::Change:
        record.ctime = now;
        break;
    }
    // Within the same second nothing changes, and the inode table block stays clean: a
    // loop of small write()s dirties it once a second, not once a call.
    if (record.atime == before.atime && record.mtime == before.mtime && record.ctime == before.ctime)
        return {};
    return m_inodes.write(inode, record);
}

// Blocks first, then the inode record (zeroed but for dtime, which e2fsck wants non-zero
// on a deleted inode), then the bitmap bit.
Result<void> Ext2FileSystem::free_inode_now(u32 inode)
{
    Ext2DiskInode record = TRY(m_inodes.read(inode));
    bool is_directory = ext2_is_directory(record.mode);
    if (holds_block_map(record)) {
        auto freed = m_map.truncate(record, 0);
        if (freed.is_error()) {
            TRY(m_inodes.write(inode, record));
            return freed.error();
        }
    }
    if (record.file_acl != 0) {
        // An extended-attribute block: free it when we are its only user.
        u8* block = TRY(m_cache.get(record.file_acl));
        u32 refcount = reinterpret_cast<u32*>(block)[1];
        if (refcount <= 1) {
            TRY(m_allocator.free_block(record.file_acl));
        } else {
            reinterpret_cast<u32*>(block)[1] = refcount - 1;
            m_cache.mark_dirty(record.file_acl);
        }
    }
    Ext2DiskInode dead {};
    u32 now = m_volume.now();
    dead.dtime = now ? now : 1;
    dead.generation = record.generation;
    TRY(m_inodes.write(inode, dead));
    return m_allocator.free_inode(inode, is_directory);
}

Result<void> Ext2FileSystem::release_inode(u32 inode)
{
    TRY(check_writable());
    if (!take_orphan(inode))
        return {};
    return free_inode_now(inode);
}

Result<void> Ext2FileSystem::reserve_orphan_slot()
{
    if (m_orphan_count < m_orphan_capacity)
        return {};
    usize capacity = m_orphan_capacity ? m_orphan_capacity * 2 : 16;
    u32* grown = new (std::nothrow) u32[capacity];
    if (!grown)
        return Errno::NoMemory;
    for (usize i = 0; i < m_orphan_count; ++i)
        grown[i] = m_orphans[i];
    delete[] m_orphans;
    m_orphans = grown;
    m_orphan_capacity = capacity;
    return {};
}

void Ext2FileSystem::add_orphan(u32 inode)
{
    VERIFY(m_orphan_count < m_orphan_capacity);
    m_orphans[m_orphan_count++] = inode;
}

bool Ext2FileSystem::take_orphan(u32 inode)
{
    for (usize i = 0; i < m_orphan_count; ++i) {
        if (m_orphans[i] == inode) {
            m_orphans[i] = m_orphans[--m_orphan_count];
            return true;
        }
    }
    return false;
}

Result<void> Ext2FileSystem::sync()
{
    if (!m_mounted)
        return Errno::Invalid;
    if (m_volume.read_only())
        return {};
    TRY(m_cache.write_back_all());
    TRY(m_volume.write_back());
    return m_volume.device().flush();
}

Result<void> Ext2FileSystem::unmount()
{
    if (!m_mounted)
        return Errno::Invalid;
    if (!m_volume.read_only()) {
        while (m_orphan_count > 0) {
            u32 inode = m_orphans[--m_orphan_count];
            TRY(free_inode_now(inode));
        }
        m_volume.superblock().state = m_state_at_mount;
        TRY(sync());
    }
    m_mounted = false;
    return {};
}

Result<void> Ext2FileSystem::remount(Ext2MountMode mode)
{
    bool to_read_only = mode == Ext2MountMode::ReadOnly;
    if (to_read_only == m_volume.read_only())
        return {};
    if (to_read_only) {
        while (m_orphan_count > 0) {
            u32 inode = m_orphans[--m_orphan_count];
            TRY(free_inode_now(inode));
        }
        m_volume.superblock().state = m_state_at_mount;
        TRY(sync());
        return m_volume.set_mode(mode);
    }
    TRY(m_volume.set_mode(mode));
    Ext2Superblock& sb = m_volume.superblock();
    m_state_at_mount = sb.state;
    sb.state = static_cast<u16>(sb.state & ~EXT2_STATE_VALID);
    sb.mtime = m_volume.now();
    TRY(m_volume.write_back());
    return m_volume.device().flush();
}
