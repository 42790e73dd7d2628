// PageCache: reading ahead. A miss reads a window of pages around or after the page wanted
// through one Pager call (which a file system turns into few disk requests, in flight
// together); reaching a window's marker reads the next one. The window decisions are
// ReadAhead's (read_ahead.h); here they meet the cache.
//
// The reading sleeps, and while it sleeps the world may change: another reader may cache
// one of the pages, the file may shrink (or shrink and grow again), the Pager may be
// detached. So the frames stay out of the cache until the read is done, and then each page
// goes in only if its slot is still empty, it is still inside the file, and no shrink
// happened meanwhile. A page is therefore never visible half-filled.
#include "page_cache.h"

#include "../lib/profile.h"
#include "vm_trace_events.h"

Result<FrameNumber> PageCache::get_page_reading_ahead(u64 index, ReadAheadUse use, u64 request)
{
    if (!is_backed() || index >= page_count())
        return get_page(index);
    VmStats& stats = m_context.stats;
    if (CachedPage* page = m_pages.find(index)) {
        if (note_hit(index, *page, use))
            return page->frame;
        // The reader reached the marker: read the next window now, before it runs out.
        page->read_ahead_marker = false;
        ++stats.readahead_async;
        (void)read_window(m_read_ahead.on_marker(index, page_count()), index); // may sleep; a failed page is its reader's error
        if (CachedPage* again = m_pages.find(index))
            return again->frame;
        return get_page(index); // dropped while the window was read
    }
    ReadAhead::Window window = use == ReadAheadUse::Read ? m_read_ahead.on_read_miss(index, request, page_count())
                                                         : m_read_ahead.on_fault_miss(index, page_count());
    if (!read_window(window, index).is_error()) { // may sleep
        if (CachedPage* page = m_pages.find(index))
            return page->frame;
    }
    // The window failed (or the page was dropped meanwhile): read the page alone, so that an
    // error reaches this reader only if its own page is the one that failed.
    return get_page(index);
}

Result<void> PageCache::read_window(ReadAhead::Window window, u64 wanted)
{
    Result<void> result;
    u64 end = min(window.first + window.count, page_count());
    for (u64 index = window.first; index < end;) {
        if (m_pages.find(index)) {
            ++index;
            continue;
        }
        u64 run = 1;
        while (index + run < end && !m_pages.find(index + run))
            ++run;
        auto read = read_run(index, run, wanted, window.marker); // may sleep
        if (read.is_error() && !result.is_error())
            result = read.error();
        index += run;
        end = min(end, page_count()); // the file may have shrunk meanwhile
    }
    return result;
}

Result<void> PageCache::read_run(u64 first, u64 count, u64 wanted, u64 marker)
{
    if (!is_backed())
        return Errno::Invalid; // detached while an earlier run was read: the caller reads its page alone
    constexpr usize CAPACITY = ReadAhead::MAX_PAGES;
    count = min<u64>(count, CAPACITY);
    FrameNumber frames[CAPACITY];
    u8* buffers[CAPACITY];
    usize taken = 0;
    for (; taken < count; ++taken) {
        auto frame = take_frame_for_page();
        if (frame.is_error())
            break; // short of memory: read fewer
        frames[taken] = frame.value();
        buffers[taken] = m_context.physical.map_frame(frame.value());
    }
    if (taken == 0)
        return Errno::NoMemory;
    u64 shrinks = m_shrinks;
    Result<void> read;
    {
        PROFILE("page cache: pages read through the Pager (disk)");
        read = m_pager->read_pages(first, buffers, taken); // may sleep
    }
    for (usize i = 0; i < taken; ++i) {
        u64 index = first + i;
        bool keep = !read.is_error() && is_backed() && m_shrinks == shrinks && index < page_count() && !m_pages.find(index);
        if (!keep) {
            cancel_page(frames[i]);
            continue;
        }
        if (insert_page(index, frames[i]).is_error())
            continue; // insert_page gave the frame back
        CachedPage* page = m_pages.find(index);
        page->read_ahead = index != wanted;
        page->read_ahead_marker = index == marker;
        ++m_context.stats.page_cache_reads;
        if (index != wanted)
            ++m_context.stats.readahead_pages;
        VM_TRACE(trace_cache_page(VmEvent::CacheInsert, *this, index, frames[i], CacheFill::Read));
    }
    return read;
}

bool PageCache::is_read_ahead_marker(u64 index) const
{
    CachedPage const* page = m_pages.find(index);
    return page && page->read_ahead_marker;
}

bool PageCache::find_page_to_map_around(u64 index, FrameNumber& frame)
{
    CachedPage* page = m_pages.find(index);
    if (!page || page->read_ahead_marker)
        return false;
    note_read_ahead_used(*page);
    frame = page->frame;
    return true;
}

bool PageCache::note_hit(u64 index, CachedPage& page, ReadAheadUse use)
{
    note_read_ahead_used(page);
    if (use == ReadAheadUse::Fault)
        m_read_ahead.fault_hit();
    if (page.read_ahead_marker)
        return false;
    m_read_ahead.accessed(index);
    return true;
}

void PageCache::note_read_ahead_used(CachedPage& page)
{
    if (!page.read_ahead)
        return;
    page.read_ahead = false;
    count_concurrently(m_context.stats.readahead_hits); // faults of other caches may count at once
}

bool PageCache::find_page_for_parallel_fault(u64 index, FrameNumber& frame)
{
    CachedPage* page = m_pages.find(index);
    if (!page)
        return false;
    if (is_backed() && index < page_count() && !note_hit(index, *page, ReadAheadUse::Fault))
        return false;
    frame = page->frame;
    return true;
}
