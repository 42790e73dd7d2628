#include "inode.h"
#include "block_devices.h"
#include "character_devices.h"
#include "file_seals.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/dirty_limit.h"
#include "kernel/mm/memory_context.h"
#include "kernel/mm/user_memory.h"
#include "kernel/mm/vm_trace_events.h"

Inode::~Inode()
{
    // Dirty pages reach the file before the inode goes (DESIGN.md write-back rule 4).
    if (m_page_cache)
        (void)m_page_cache->detach_pager();
}

Result<RefPtr<PageCache>> Inode::page_cache()
{
    if (!m_page_cache) {
        m_page_cache = TRY(PageCache::create(kernel_memory_context(), *this, stored_size(), page_limit()));
        VM_TRACE(trace_cache_file(*m_page_cache, device(), number()));
    }
    return m_page_cache;
}

Result<RefPtr<File>> Inode::open(int flags)
{
    if (is_regular())
        return InodeFile::create(
            RefPtr<Inode>(this), (flags & O_ACCMODE) != O_RDONLY ? InodeFile::ForWriting::Yes : InodeFile::ForWriting::No);
    if (is_directory())
        return InodeFile::create(RefPtr<Inode>(this));
    if ((mode() & MODE_TYPE_MASK) == MODE_FIFO)
        return Errno::NoDeviceOrAddress; // vfs_open opens FIFOs (open_fifo), knowing who opens
    if ((mode() & MODE_TYPE_MASK) == MODE_CHARACTER_DEVICE)
        return open_character_device(device_number());
    if ((mode() & MODE_TYPE_MASK) == MODE_BLOCK_DEVICE)
        return open_block_device(device_number(), flags);
    return Errno::NoDeviceOrAddress; // a socket
}

Result<void> Inode::get_write_access()
{
    if (m_write_count < 0)
        return Errno::TextBusy;
    ++m_write_count;
    return {};
}

void Inode::put_write_access()
{
    VERIFY(m_write_count > 0);
    --m_write_count;
}

Result<void> Inode::deny_write_access()
{
    if (m_write_count > 0)
        return Errno::TextBusy;
    --m_write_count;
    return {};
}

void Inode::allow_write_access()
{
    VERIFY(m_write_count < 0);
    ++m_write_count;
}

Result<ExecutableHold> ExecutableHold::take(RefPtr<Inode> inode)
{
    TRY(inode->deny_write_access());
    return ExecutableHold(static_cast<RefPtr<Inode>&&>(inode));
}

ExecutableHold ExecutableHold::duplicate() const
{
    if (m_inode)
        MUST(m_inode->deny_write_access());
    return ExecutableHold(m_inode);
}

ExecutableHold& ExecutableHold::operator=(ExecutableHold&& other)
{
    if (this != &other) {
        release();
        m_inode = static_cast<RefPtr<Inode>&&>(other.m_inode);
    }
    return *this;
}

void ExecutableHold::release()
{
    if (m_inode) {
        m_inode->allow_write_access();
        m_inode.clear();
    }
}

Result<void> Inode::allocate(u64 offset, u64 length, bool keep_size)
{
    RefPtr<PageCache> cache = TRY(page_cache());
    if (cache->is_backed())
        return Errno::NotSupported;
    TRY(check_sealed_allocate(*this, offset, length, cache->size()));
    u64 end = offset + length;
    u64 first = offset / PAGE_SIZE, last = (end - 1) / PAGE_SIZE;
    // With KEEP_SIZE, pages past the end are left for a write to allocate (Linux reserves
    // them too): the cache holds no page past the size.
    u64 size_after = keep_size ? cache->size() : max(cache->size(), end);
    if (size_after <= offset)
        return {};
    last = min(last, (size_after - 1) / PAGE_SIZE);
    u64 missing = 0;
    FrameNumber frame;
    for (u64 index = first; index <= last; ++index)
        missing += !cache->find_page(index, frame);
    if (RefPtr<PageLimit> limit = page_limit(); limit && missing > limit->free_pages())
        return Errno::NoSpace;
    if (size_after > cache->size())
        TRY(truncate(size_after));
    for (u64 index = first; index <= last; ++index)
        TRY(cache->get_page(index));
    return {};
}

Result<void> Inode::punch_hole(u64 offset, u64 length)
{
    RefPtr<PageCache> cache = TRY(page_cache());
    if (cache->is_backed())
        return Errno::NotSupported;
    TRY(may_punch_hole());
    cache->punch_hole(offset, length);
    update_times(TimeUpdate::Modify);
    return {};
}

Result<void> Inode::truncate(u64 size)
{
    if (is_directory())
        return Errno::IsDirectory;
    if (!is_regular())
        return Errno::Invalid;
    RefPtr<PageCache> cache = TRY(page_cache());
    TRY(check_sealed_resize(*this, cache->size(), size));
    cache->set_size(size);
    TRY(store_size(size));
    // Even when the size stays: truncate(2) always marks the file modified on Linux.
    update_times(TimeUpdate::Modify);
    return {};
}

Result<void> Inode::sync()
{
    if (m_page_cache)
        TRY(m_page_cache->write_back_all(WriteBackReason::Sync));
    return {};
}

Result<void> Inode::read_page(u64, u8* page)
{
    memset(page, 0, PAGE_SIZE);
    return {};
}

Result<void> Inode::write_page(u64, u8 const*, usize) { return {}; }

Result<void> Inode::may_punch_hole() { return check_sealed_punch_hole(*this); }

Result<RefPtr<File>> InodeFile::create(RefPtr<Inode> inode, ForWriting for_writing)
{
    RefPtr<PageCache> cache;
    if (inode->is_regular())
        cache = TRY(inode->page_cache());
    if (for_writing == ForWriting::Yes)
        TRY(inode->get_write_access());
    auto* file = new (std::nothrow) InodeFile(inode, cache, for_writing);
    if (!file) {
        if (for_writing == ForWriting::Yes)
            inode->put_write_access();
        return Errno::NoMemory;
    }
    if (for_writing == ForWriting::No)
        inode->note_read_only_open();
    return adopt_ref<File>(file);
}

InodeFile::~InodeFile()
{
    if (m_for_writing == ForWriting::Yes)
        m_inode->put_write_access();
    else
        m_inode->note_read_only_close();
}

Result<usize> InodeFile::read(u8* buffer, usize count, u64 offset)
{
    if (!m_cache)
        return Errno::IsDirectory;
    usize done = TRY(m_cache->read(offset, buffer, count));
    if (count > 0)
        m_inode->update_times(TimeUpdate::Access);
    return done;
}

Result<usize> InodeFile::write(u8 const* buffer, usize count, u64 offset)
{
    if (!m_cache)
        return Errno::IsDirectory;
    return write_in_slices(offset, count, [&](u8* destination, usize done, usize chunk) -> Result<usize> {
        __builtin_memcpy(destination, buffer + done, chunk);
        return chunk;
    });
}

Result<usize> InodeFile::read_to_user(UserIo const& io)
{
    if (!m_cache)
        return Errno::IsDirectory;
    usize done = TRY(m_cache->read_with(io.offset, io.count, [&](u8 const* bytes, usize done, usize chunk) -> Result<usize> {
        if (!bytes) // a hole reads as zeros: the shared zero frame's
            bytes = m_cache->context().physical.map_frame(m_cache->context().zero_frame);
        return copy_to_user_partial(io.space, io.buffer + done, bytes, chunk);
    }));
    if (io.count > 0)
        m_inode->update_times(TimeUpdate::Access);
    return done;
}

Result<usize> InodeFile::write_from_user(UserIo const& io)
{
    if (!m_cache)
        return Errno::IsDirectory;
    return write_in_slices(io.offset, io.count, [&](u8* destination, usize done, usize chunk) {
        return copy_from_user_partial(io.space, destination, io.buffer + done, chunk);
    });
}

Result<usize> InodeFile::write_in_slices(u64 offset, usize count, FunctionRef<Result<usize>(u8*, usize, usize)> give)
{
    // A slice at a time, each after the dirty-limit check (mm/dirty_limit.h): one long
    // write() must not make all of memory dirty before anybody looks. An error after some
    // slices is a short write, as it is inside one slice. The check may sleep, so the file's
    // seals (file_seals.h) are looked at after it, for each slice: a seal added meanwhile
    // stops the rest.
    usize done = 0;
    do {
        usize wanted = min<usize>(count - done, DIRTY_WRITE_SLICE);
        balance_dirty_pages(*m_cache, offset + done, wanted);
        auto allowed = sealed_write_length(*m_inode, offset + done, wanted, m_cache->size());
        if (allowed.is_error())
            return done > 0 ? Result<usize>(done) : Result<usize>(allowed.error());
        usize slice = allowed.value();
        u64 old_size = m_cache->size();
        auto copied = m_cache->write_with(offset + done, slice,
            [&](u8* destination, usize in_slice, usize chunk) { return give(destination, done + in_slice, chunk); });
        if (copied.is_error())
            return done > 0 ? Result<usize>(done) : Result<usize>(copied.error());
        auto finished = finish_write(old_size, offset + done, copied.value());
        if (finished.is_error())
            return done > 0 ? Result<usize>(done) : Result<usize>(finished.error());
        done += finished.value();
        if (finished.value() < wanted)
            break;
    } while (done < count);
    return done;
}

Result<usize> InodeFile::finish_write(u64 old_size, u64 offset, usize written)
{
    if (m_cache->size() != old_size)
        TRY(m_inode->store_size(m_cache->size()));
    if (auto reserved = m_inode->reserve_storage(offset, written); reserved.is_error()) {
        // No room on the disk: undo the growth and fail the write, as Linux would.
        if (m_cache->size() != old_size) {
            m_cache->set_size(old_size);
            (void)m_inode->store_size(old_size);
        }
        return reserved.error();
    }
    if (written > 0)
        m_inode->update_times(TimeUpdate::Modify);
    return written;
}

u64 InodeFile::size() const { return m_cache ? m_cache->size() : 0; }

u64 allocate_device_number()
{
    static u64 next = 1;
    return next++;
}

void statfs_without_storage(LinuxStatfs& out, i64 magic)
{
    out = {};
    out.f_type = magic;
    out.f_bsize = PAGE_SIZE;
    out.f_frsize = PAGE_SIZE;
    out.f_namelen = 255;
    out.f_flags = STATFS_VALID;
}
