// PageCache: lookup and fill, read()/write(), size changes, dirty bookkeeping, write-back and
// eviction. The PTE side of write-back and truncation (write-protecting, unmapping) is done by
// each mapping's AddressSpace (file_mapping.cpp), reached through the mapping list.
#include "page_cache.h"
#include "../lib/profile.h"

#include "../lib/assert.h"
#include "reverse_map.h"
#include "vm_trace_events.h"
#include <new>

namespace {
LockClass g_parallel_fault_lock_class { "page cache's parallel-fault lock" };
}

Result<RefPtr<PageCache>> PageCache::create(MemoryContext& context, Pager& pager, u64 size, RefPtr<PageLimit> limit)
{
    auto* cache = new (std::nothrow) PageCache(context, &pager, size, false, std::move(limit));
    if (!cache)
        return Errno::NoMemory;
    return adopt_ref(cache);
}

Result<RefPtr<PageCache>> PageCache::create_anonymous(MemoryContext& context, u64 size)
{
    auto* cache = new (std::nothrow) PageCache(context, nullptr, size, true, {});
    if (!cache)
        return Errno::NoMemory;
    return adopt_ref(cache);
}

PageCache::PageCache(MemoryContext& context, Pager* pager, u64 size, bool anonymous, RefPtr<PageLimit> limit)
    : m_context(context)
    , m_pager(pager)
    , m_anonymous(anonymous)
    , m_size(size)
    , m_limit(std::move(limit))
    , m_parallel_fault_lock(g_parallel_fault_lock_class)
{
    if (m_pager && m_pager->is_backed()) {
        VERIFY(m_context.backed_caches);
        m_context.backed_caches->append(*this);
    }
}

void PageCacheList::for_each(FunctionRef<void(PageCache&)> visit)
{
    for (PageCache* cache = first(); cache;) {
        PageCache* following = next(*cache);
        visit(*cache);
        cache = following;
    }
}

PageCache::~PageCache()
{
    if (m_backed_node.is_linked())
        PageCacheList::remove(*this);
    VERIFY(m_mappings.is_empty());
    u64 index = 0;
    while (CachedPage* page = m_pages.next_present(index, ~u64(0), index))
        drop_page(index, *page);
}

void PageCache::mark_clean(CachedPage& page)
{
    if (!page.dirty)
        return;
    page.dirty = false;
    --m_dirty_count;
    --m_context.stats.dirty_pages;
}

void PageCache::drop_page(u64 index, CachedPage& page)
{
    mark_clean(page);
    FrameNumber frame = page.frame;
    VM_TRACE(trace_cache_page(VmEvent::CacheDrop, *this, index, frame));
    m_pages.remove(index);
    m_context.frames.unref(frame);
    --m_context.stats.page_cache_pages;
    if (!is_backed())
        --m_context.stats.unbacked_pages;
    if (m_limit)
        m_limit->uncharge();
}

Result<FrameNumber> PageCache::take_frame_for_page()
{
    if (m_limit)
        TRY(m_limit->charge());
    auto frame = m_context.frames.allocate(FrameUse::User);
    if (frame.is_error() && m_limit)
        m_limit->uncharge();
    return frame;
}

void PageCache::cancel_page(FrameNumber frame)
{
    m_context.frames.unref(frame);
    if (m_limit)
        m_limit->uncharge();
}

Result<void> PageCache::insert_page(u64 index, FrameNumber frame)
{
    auto inserted = m_pages.insert(index, frame);
    if (inserted.is_error()) {
        cancel_page(frame);
        return inserted.error();
    }
    ++m_context.stats.page_cache_pages;
    if (!is_backed())
        ++m_context.stats.unbacked_pages;
    return {};
}

Result<FrameNumber> PageCache::add_zeroed_page(u64 index)
{
    if (index >= PageIndex::MAX_PAGES)
        return Errno::FileTooBig;
    FrameNumber frame = TRY(take_frame_for_page());
    __builtin_memset(m_context.physical.map_frame(frame), 0, PAGE_SIZE);
    TRY(insert_page(index, frame));
    VM_TRACE(trace_cache_page(VmEvent::CacheInsert, *this, index, frame));
    return frame;
}

bool PageCache::find_page(u64 index, FrameNumber& frame) const
{
    CachedPage const* page = m_pages.find(index);
    if (page)
        frame = page->frame;
    return page != nullptr;
}

Result<FrameNumber> PageCache::get_page(u64 index)
{
    if (CachedPage* page = m_pages.find(index))
        return page->frame;
    if (index >= PageIndex::MAX_PAGES)
        return Errno::FileTooBig;
    if (!m_pager || !m_pager->is_backed())
        return add_zeroed_page(index); // a hole: the cache is the only copy
    FrameNumber frame = TRY(take_frame_for_page());
    PROFILE("page cache: page read through the Pager (disk)");
    u64 shrinks = m_shrinks;
    auto read = m_pager->read_page(index, m_context.physical.map_frame(frame)); // may sleep
    if (read.is_error()) {
        cancel_page(frame);
        return read.error();
    }
    // Someone else may have read the same page while we slept: theirs stays, ours goes.
    if (CachedPage* page = m_pages.find(index)) {
        cancel_page(frame);
        return page->frame;
    }
    // Or the file shrank meanwhile: a page past its end must not enter the cache.
    if (index >= page_count()) {
        cancel_page(frame);
        return Errno::Range;
    }
    // It shrank and grew again: what we read may be bytes the shrink removed. Read again.
    if (m_shrinks != shrinks) {
        cancel_page(frame);
        return get_page(index);
    }
    TRY(insert_page(index, frame));
    ++m_context.stats.page_cache_reads;
    VM_TRACE(trace_cache_page(VmEvent::CacheInsert, *this, index, frame, CacheFill::Read));
    return frame;
}

Result<usize> PageCache::read_with(u64 offset, usize n, FunctionRef<Result<usize>(u8 const* bytes, usize done, usize chunk)> take)
{
    if (offset >= m_size)
        return 0;
    n = min<u64>(n, m_size - offset);
    usize done = 0;
    while (done < n) {
        u64 position = offset + done;
        u64 index = position / PAGE_SIZE;
        usize in_page = position % PAGE_SIZE;
        usize chunk = min<u64>(n - done, PAGE_SIZE - in_page);
        u8 const* bytes = nullptr; // a hole of a cache without backing: no frame needed to read it
        if (m_pages.find(index) || is_backed()) {
            u64 pages_wanted = (offset + n - 1) / PAGE_SIZE - index + 1;
            auto frame = get_page_reading_ahead(index, ReadAheadUse::Read, pages_wanted);
            if (frame.is_error() && frame.error() == Errno::Range)
                return done; // truncated while we read: the file ends here now
            if (frame.is_error())
                return done > 0 ? Result<usize>(done) : Result<usize>(frame.error());
            bytes = m_context.physical.map_frame(frame.value()) + in_page;
        }
        auto taken = take(bytes, done, chunk);
        if (taken.is_error())
            return done > 0 ? Result<usize>(done) : Result<usize>(taken.error());
        done += taken.value();
        if (taken.value() < chunk)
            break; // the taker stopped part-way (a user buffer that faults): what it took counts
    }
    return done;
}

Result<usize> PageCache::read(u64 offset, u8* buffer, usize n)
{
    return read_with(offset, n, [&](u8 const* bytes, usize done, usize chunk) -> Result<usize> {
        if (bytes)
            __builtin_memcpy(buffer + done, bytes, chunk);
        else
            __builtin_memset(buffer + done, 0, chunk);
        return chunk;
    });
}

Result<usize> PageCache::write_with(
    u64 offset, usize n, FunctionRef<Result<usize>(u8* destination, usize done, usize chunk)> give)
{
    if (n == 0)
        return 0;
    constexpr u64 limit = PageIndex::MAX_PAGES * PAGE_SIZE;
    if (offset >= limit || n > limit - offset)
        return Errno::FileTooBig;
    if (offset + n > m_size)
        zero_page_tail(m_size); // bytes between the old end and the write must read as zeros
    usize done = 0;
    while (done < n) {
        u64 position = offset + done;
        u64 index = position / PAGE_SIZE;
        usize in_page = position % PAGE_SIZE;
        usize chunk = min<u64>(n - done, PAGE_SIZE - in_page);
        // No need to read what the write replaces entirely, or what lies past the end.
        bool whole_page = in_page == 0 && chunk == PAGE_SIZE;
        bool fresh = !m_pages.find(index) && (whole_page || index * PAGE_SIZE >= m_size);
        auto frame = fresh ? add_zeroed_page(index) : get_page(index);
        if (frame.is_error())
            return done > 0 ? Result<usize>(done) : Result<usize>(frame.error());
        auto given = give(m_context.physical.map_frame(frame.value()) + in_page, done, chunk);
        usize got = given.is_error() ? 0 : given.value();
        // (Only if nothing maps it yet: the giver's own fault may have mapped this very page.)
        if (got < chunk && fresh && index * PAGE_SIZE < m_size && m_context.frames.ref_count(frame.value()) == 1) {
            // A page the write was to replace whole, never read from the file: with only part
            // of it written it would lose the file's bytes in the rest. Drop it; the next
            // access reads the page from the file again (Linux discards a short copy too).
            drop_page(index, *m_pages.find(index));
            got = 0;
        }
        if (got > 0) {
            mark_dirty(index);
            done += got;
            if (offset + done > m_size)
                m_size = offset + done;
        }
        if (got < chunk) // the giver stopped part-way (a user buffer that faults)
            return done > 0 || !given.is_error() ? Result<usize>(done) : Result<usize>(given.error());
    }
    return done;
}

Result<usize> PageCache::write(u64 offset, u8 const* buffer, usize n)
{
    return write_with(offset, n, [&](u8* destination, usize done, usize chunk) -> Result<usize> {
        __builtin_memcpy(destination, buffer + done, chunk);
        return chunk;
    });
}

void PageCache::zero_page_tail(u64 offset)
{
    usize in_page = offset % PAGE_SIZE;
    if (in_page == 0)
        return;
    if (CachedPage* page = m_pages.find(offset / PAGE_SIZE))
        __builtin_memset(m_context.physical.map_frame(page->frame) + in_page, 0, PAGE_SIZE - in_page);
}

void PageCache::set_size(u64 size)
{
    if (size > m_size) {
        zero_page_tail(m_size);
        m_size = size;
        return;
    }
    if (size == m_size)
        return;
    m_size = size;
    ++m_shrinks;
    u64 first_dropped = page_round_up(size) / PAGE_SIZE;
    // Unmap first, so that no PTE keeps a dropped frame alive or shows stale file bytes.
    unmap_cache_pages_from(*this, first_dropped);
    u64 index = first_dropped;
    while (CachedPage* page = m_pages.next_present(index, ~u64(0), index))
        drop_page(index, *page);
    zero_page_tail(size);
}

void PageCache::punch_hole(u64 offset, u64 length)
{
    VERIFY(!is_backed());
    u64 end = offset + length < offset ? ~u64(0) : offset + length;
    u64 first_whole = page_round_up(offset) / PAGE_SIZE, end_whole = end / PAGE_SIZE;
    // The partial pages at either end keep their frame; only their bytes in the hole go.
    auto zero_bytes = [&](u64 from, u64 to) {
        if (CachedPage* page = m_pages.find(from / PAGE_SIZE))
            __builtin_memset(m_context.physical.map_frame(page->frame) + from % PAGE_SIZE, 0, to - from);
    };
    if (first_whole > end_whole) { // the hole lies inside one page
        zero_bytes(offset, end);
        return;
    }
    if (offset % PAGE_SIZE)
        zero_bytes(offset, first_whole * PAGE_SIZE);
    if (end % PAGE_SIZE && end_whole >= first_whole)
        zero_bytes(end_whole * PAGE_SIZE, end);
    if (end_whole == first_whole)
        return;
    u64 last = end_whole - 1;
    unmap_cache_frames(*this, first_whole, last);
    u64 index = first_whole;
    while (CachedPage* page = m_pages.next_present(index, last, index))
        drop_page(index, *page);
}

void PageCache::mark_dirty(u64 index)
{
    if (!is_backed())
        return;
    CachedPage* page = m_pages.find(index);
    if (!page || page->dirty)
        return;
    page->dirty = true;
    page->dirty_since = now();
    ++m_dirty_count;
    if (++m_context.stats.dirty_pages > m_context.stats.dirty_pages_peak)
        m_context.stats.dirty_pages_peak = m_context.stats.dirty_pages;
    VM_TRACE(trace_cache_page(VmEvent::CacheDirty, *this, index, page->frame));
}

bool PageCache::is_dirty(u64 index) const
{
    CachedPage const* page = m_pages.find(index);
    return page && page->dirty;
}

// A batch of dirty pages on its way to the Pager in one call: as many runs as fit, consecutive
// in the file or not, so that the device gets them all at once — neighbours on the disk merged
// into one request, the requests in flight together — and write-back waits once per batch
// instead of once per run (Linux's writeback plugs a whole range's bios the same way).
struct PageCache::WriteBackBatch {
    // 4 MiB: eight of the device's largest requests (512 KiB, the limit read-ahead's requests
    // have too); the arrays come from the heap, 24 KiB being too much for a kernel stack.
    static constexpr usize CAPACITY = 1024;
    // In the batch itself: enough for a write-back of a few pages without the heap, and what
    // write-back goes on with when memory is short and the heap has no room for the arrays.
    static constexpr usize FALLBACK_CAPACITY = 16;

    // Room for `wanted` pages (the cache's dirty count when write-back starts), up to
    // CAPACITY; should more pages turn dirty meanwhile, a full batch is simply sent early.
    WriteBackBatch(WriteBackReason why, u64 wanted) : reason(why)
    {
        usize size = static_cast<usize>(min<u64>(wanted, CAPACITY));
        if (size > FALLBACK_CAPACITY) {
            pages = new (std::nothrow) Pager::PageToWrite[size];
            dirty_since = new (std::nothrow) u64[size];
        }
        if (pages && dirty_since) {
            capacity = size;
        } else {
            delete[] pages;
            delete[] dirty_since;
            pages = fallback_pages;
            dirty_since = fallback_dirty_since;
            capacity = FALLBACK_CAPACITY;
        }
    }
    ~WriteBackBatch()
    {
        if (pages != fallback_pages) {
            delete[] pages;
            delete[] dirty_since;
        }
    }
    WriteBackBatch(WriteBackBatch const&) = delete;
    WriteBackBatch& operator=(WriteBackBatch const&) = delete;

    bool is_full() const { return count == capacity; }
    void add(u64 index, u8 const* bytes, u64 since)
    {
        pages[count] = { index, bytes };
        dirty_since[count] = since;
        ++count;
    }

    WriteBackReason reason;
    usize count { 0 };
    usize capacity { 0 };
    Pager::PageToWrite* pages { nullptr };
    u64* dirty_since { nullptr }; // when each page became dirty, restored if its write fails
    Pager::PageToWrite fallback_pages[FALLBACK_CAPACITY];
    u64 fallback_dirty_since[FALLBACK_CAPACITY];
};

void PageCache::keep_dirty_after_failed_write(u64 index, u64 dirty_since)
{
    // The page may have been dropped or re-dirtied while the write slept; a re-dirtied page
    // keeps its newer timestamp, the others get their original one back.
    CachedPage* page = m_pages.find(index);
    if (page && !page->dirty) {
        mark_dirty(index);
        page->dirty_since = dirty_since;
    }
}

void PageCache::flush_batch(WriteBackBatch& batch, Result<void>& result)
{
    if (batch.count == 0)
        return;
    PROFILE("write-back: one batch of pages to the Pager");
    ++m_context.stats.write_back_batches;
    m_context.stats.write_back_batch_peak = max<u64>(m_context.stats.write_back_batch_peak, batch.count);
    auto written = m_pager->write_pages(batch.pages, batch.count);
    if (written.is_error()) {
        for (usize i = 0; i < batch.count; ++i)
            keep_dirty_after_failed_write(batch.pages[i].index, batch.dirty_since[i]);
        if (!result.is_error())
            result = written.error();
    } else {
        count_written(batch.reason, batch.count);
    }
    batch.count = 0;
}

void PageCache::count_written(WriteBackReason reason, u64 pages)
{
    m_context.stats.written_back_pages += pages;
    m_context.stats.written_back_for[static_cast<usize>(reason)] += pages;
}

Result<void> PageCache::write_back(u64 first_index, u64 last_index, WriteBackReason reason)
{
    return write_back_where(first_index, last_index, reason, [](CachedPage const&) { return true; });
}

Result<void> PageCache::write_back_older_than(u64 now, u64 age)
{
    return write_back_where(0, ~u64(0), WriteBackReason::Periodic,
        [&](CachedPage const& page) { return now >= page.dirty_since && now - page.dirty_since >= age; });
}

Result<void> PageCache::write_back_where(
    u64 first_index, u64 last_index, WriteBackReason reason, FunctionRef<bool(CachedPage const&)> wanted)
{
    if (m_dirty_count == 0 || !m_pager)
        return {};
    VM_TRACE(trace_write_back_start(*this, first_index, last_index, reason));
    Result<void> result;
    WriteBackBatch batch(reason, m_dirty_count);
    u64 index = first_index;
    while (CachedPage* page = m_pages.next_present(index, last_index, index)) {
        if (page->dirty && wanted(*page)) {
            u64 dirty_since = page->dirty_since;
            mark_clean(*page);
            VM_TRACE(trace_cache_page(VmEvent::CacheClean, *this, index, page->frame));
            // Clean and write-protected before the I/O: a store from now on faults and
            // re-dirties the page, so it is written again (Serenity, Zircon AwaitingClean).
            write_protect_cache_page(*this, index);
            u64 start = index * PAGE_SIZE;
            if (start < m_size) {
                u8 const* bytes = m_context.physical.map_frame(page->frame);
                if (m_size - start >= PAGE_SIZE) {
                    batch.add(index, bytes, dirty_since);
                    if (batch.is_full())
                        flush_batch(batch, result);
                } else {
                    // The file's partial last page goes on its own (only its valid bytes),
                    // after the pages before it. The batch's write slept: the page may be
                    // gone and the file shorter now.
                    flush_batch(batch, result);
                    page = m_pages.find(index);
                    if (page && m_size > start) {
                        bytes = m_context.physical.map_frame(page->frame);
                        auto written = m_pager->write_page(index, bytes, m_size - start);
                        if (written.is_error()) {
                            keep_dirty_after_failed_write(index, dirty_since);
                            if (!result.is_error())
                                result = written.error();
                        } else {
                            count_written(reason, 1);
                        }
                    }
                }
            }
        }
        if (index == last_index)
            break;
        ++index;
    }
    flush_batch(batch, result);
    VM_TRACE(trace_write_back_end(*this, result.is_error()));
    return result;
}

PageCache::Eviction PageCache::evict_clean_pages(u64 wanted, bool include_mapped, u64 scan_limit)
{
    Eviction result;
    if (!is_backed() || m_pages.count() == 0)
        return result;
    scan_limit = min(scan_limit, m_pages.count());
    u64 index = m_reclaim_hand;
    for (u64 scanned = 0; scanned < scan_limit && result.evicted < wanted; ++scanned) {
        CachedPage* page = m_pages.next_present(index, ~u64(0), index);
        if (!page)
            page = m_pages.next_present(0, ~u64(0), index); // wrap around
        if (!page)
            break;
        if (include_mapped && !page->dirty && m_context.frames.ref_count(page->frame) > 1) {
            if (clear_cache_page_referenced(*this, index))
                ++result.spared;
            else
                unmap_clean_cache_page(*this, index);
        }
        if (!page->dirty && m_context.frames.ref_count(page->frame) == 1) {
            drop_page(index, *page);
            ++result.evicted;
            ++m_context.stats.page_cache_evictions;
        }
        ++index;
    }
    m_reclaim_hand = index;
    return result;
}

Result<void> PageCache::detach_pager()
{
    auto result = write_back_all(WriteBackReason::Release);
    if (is_backed())
        m_context.stats.unbacked_pages += m_pages.count(); // now the only copy of the data
    m_pager = nullptr;
    if (m_backed_node.is_linked())
        PageCacheList::remove(*this);
    return result;
}
