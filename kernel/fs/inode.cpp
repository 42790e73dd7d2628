#include "inode.h"
#include "flusher.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/memory_context.h"
#include "kernel/mm/user_memory.h"

Inode::~Inode()
{
    // Dirty pages reach the file before the inode goes (DESIGN.md write-back rule 4).
    if (m_page_cache)
        (void)m_page_cache->detach_pager();
}

Result<RefPtr<PageCache>> Inode::page_cache()
{
    if (!m_page_cache)
        m_page_cache = TRY(PageCache::create(kernel_memory_context(), *this, stored_size(), page_limit()));
    return m_page_cache;
}

Result<RefPtr<File>> Inode::open(int)
{
    if (is_directory() || is_regular())
        return InodeFile::create(RefPtr<Inode>(this));
    return Errno::NoDeviceOrAddress;
}

Result<void> Inode::truncate(u64 size)
{
    if (is_directory())
        return Errno::IsDirectory;
    if (!is_regular())
        return Errno::Invalid;
    RefPtr<PageCache> cache = TRY(page_cache());
    cache->set_size(size);
    return store_size(size);
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

Result<RefPtr<File>> InodeFile::create(RefPtr<Inode> inode)
{
    RefPtr<PageCache> cache;
    if (inode->is_regular())
        cache = TRY(inode->page_cache());
    auto* file = new (std::nothrow) InodeFile(inode, cache);
    if (!file)
        return Errno::NoMemory;
    return adopt_ref<File>(file);
}

Result<usize> InodeFile::read(u8* buffer, usize count, u64 offset)
{
    if (!m_cache)
        return Errno::IsDirectory;
    return m_cache->read(offset, buffer, count);
}

Result<usize> InodeFile::write(u8 const* buffer, usize count, u64 offset)
{
    if (!m_cache)
        return Errno::IsDirectory;
    u64 old_size = m_cache->size();
    usize written = TRY(m_cache->write(offset, buffer, count));
    return finish_write(old_size, offset, written);
}

Result<usize> InodeFile::read_to_user(AddressSpace& space, u64 buffer, usize count, u64 offset)
{
    if (!m_cache)
        return Errno::IsDirectory;
    return m_cache->read_with(offset, count, [&](u8 const* bytes, usize done, usize chunk) {
        return bytes ? copy_to_user(space, buffer + done, bytes, chunk) : zero_user(space, buffer + done, chunk);
    });
}

Result<usize> InodeFile::write_from_user(AddressSpace& space, u64 buffer, usize count, u64 offset)
{
    if (!m_cache)
        return Errno::IsDirectory;
    u64 old_size = m_cache->size();
    usize written = TRY(m_cache->write_with(offset, count,
        [&](u8* destination, usize done, usize chunk) { return copy_from_user(space, destination, buffer + done, chunk); }));
    return finish_write(old_size, offset, written);
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
    throttle_dirty_writer(*m_cache);
    return written;
}

u64 InodeFile::size() const { return m_cache ? m_cache->size() : 0; }

u64 allocate_device_number()
{
    static u64 next = 1;
    return next++;
}
