// PageCache: the cached pages of one file (Linux's address_space, "filemap"): file page index
// → frame, the file size, per-page dirty state, and the list of Mappings that map it.
// read()/write() and file mappings all go through it, so a write() is visible in every
// MAP_SHARED mapping at once, and a MAP_SHARED store is visible to read() at once.
//
//   Inode (fs) ──RefPtr──▶ PageCache ◀──RefPtr── Mapping (one per mapped range, any process)
//     │ implements           │  m_pages: PageIndex (radix tree) index → CachedPage{frame, dirty}
//     ▼                      │  m_mappings: intrusive list of the Mappings (Linux's i_mmap)
//   Pager ◀──raw pointer─────┘  m_size: the file size
//
// Frame references: the cache holds one reference on each cached frame; every PTE mapping it
// holds another. So "refcount == 1" means "cached but mapped nowhere" (evictable if clean).
//
// Dirty state (backed caches only; a non-backed cache — tmpfs, shared anonymous memory — is
// never dirty and never written back, its pages being the only copy):
//
//   Clean ──write() / write fault on a MAP_SHARED page──▶ Dirty(since = now)
//   Dirty ──write_back(): mark Clean, write-protect in every MAP_SHARED mapping, gather
//           into a batch (up to 1,024 pages, runs of the file cut by clean pages or not),
//           then one Pager::write_pages() for the batch ──▶ Clean
//                                          (a store during/after the write faults and
//                                           re-dirties the page: nothing is lost)
//   the batch's write fails ──▶ each of its pages Dirty again (keeping its original
//                                timestamp, or the newer one if it was re-dirtied meanwhile)
//
// Lifetime: created by the inode (or by AddressSpace for MAP_SHARED|MAP_ANONYMOUS). The
// Pager is held by raw pointer: before the Pager is destroyed its owner must call
// detach_pager(), which writes the dirty pages back and from then on treats the cache as
// non-backed (misses read zeros, nothing is dropped). The inode should call write_back()
// (reason Release) when its last open file and mapping go away (DESIGN.md rule 4).
//
// Locking: protected by the VM lock (address_space.h). A miss may sleep in the Pager; the
// cache re-checks the slot afterwards, so two misses of one page keep one frame. Faults
// that hit the cache on several CPUs at once (parallel_fault.h) take parallel_fault_lock().
#pragma once

#include "../lib/function_ref.h"
#include "../lib/intrusive_list.h"
#include "../lib/ref_counted.h"
#include "../lib/result.h"
#include "../lib/spin_lock.h"
#include "mapping.h"
#include "memory_context.h"
#include "page_index.h"
#include "page_limit.h"
#include "pager.h"
#include "read_ahead.h"

class PageCache : public RefCounted<PageCache> {
public:
    using MappingList = IntrusiveList<Mapping, &Mapping::m_cache_node>;

    // A cache for a file of `size` bytes whose bytes `pager` reaches. Its pages count
    // against `limit` if one is given (page_limit.h: tmpfs). NoMemory.
    static Result<RefPtr<PageCache>> create(MemoryContext& context, Pager& pager, u64 size = 0, RefPtr<PageLimit> limit = {});
    // The backing of one MAP_SHARED|MAP_ANONYMOUS mmap: non-backed, `size` bytes of zeros.
    static Result<RefPtr<PageCache>> create_anonymous(MemoryContext& context, u64 size);

    MemoryContext& context() { return m_context; }
    // True when a Pager with a backing store is attached (pages may be dropped / written back).
    bool is_backed() const { return m_pager && m_pager->is_backed(); }
    // Pager::may_punch_hole of the file behind the cache (yes, once detached or for memory).
    Result<void> may_punch_hole() { return m_pager ? m_pager->may_punch_hole() : Result<void>(); }
    // True for the backing of shared anonymous memory (shown as anonymous in /proc maps).
    bool is_anonymous() const { return m_anonymous; }

    u64 size() const { return m_size; }
    // Pages that hold file bytes: ceil(size / PAGE_SIZE). A fault at or past it is SIGBUS.
    u64 page_count() const { return page_round_up(m_size) / PAGE_SIZE; }
    // Truncate or extend (ftruncate, O_TRUNC, exec of a shrunk file). Shrinking unmaps every
    // page wholly past the new end from every mapping (private copies too, as Linux does),
    // drops those pages (dirty ones are discarded) and zeroes the rest of the new last page.
    // Growing zeroes the bytes past the old end in the old last page (an mmap store may have
    // put bytes there). The file system resizes its own storage.
    void set_size(u64 size);

    // The frame caching page `index`, reading it through the Pager on a miss (a non-backed
    // cache zero-fills instead). The cache keeps its own reference: a caller that keeps the
    // frame beyond the current operation (a PTE) must ref() it. NoMemory, NoSpace (the
    // cache's PageLimit is used up), FileTooBig (index past 4 TiB), the Pager's error
    // (IoError), or Range when the file was truncated below the page while the Pager read it
    // (the page is past the end now).
    Result<FrameNumber> get_page(u64 index);
    // The same for a reader that goes on sequentially — read() wanting `request` pages from
    // here, or a page fault — reading ahead on the way (read_ahead.h): a miss reads a window
    // of pages with it through one Pager call; reaching a window's marker page reads the
    // next window. Pages enter the cache only once their read is complete, so no reader ever
    // sees one half-filled. Errors as get_page, and only for page `index`: a read-ahead page
    // that fails is left out, and its own reader gets the error when it asks for it.
    enum class ReadAheadUse {
        Read,
        Fault
    };
    Result<FrameNumber> get_page_reading_ahead(u64 index, ReadAheadUse use, u64 request = 1);
    // The cached frame without reading; false on a miss.
    bool find_page(u64 index, FrameNumber& frame) const;
    // For fault-around: find_page, but false for a read-ahead marker (left unmapped, so that
    // touching it faults and reads the next window). A read-ahead page mapped counts as used.
    bool find_page_to_map_around(u64 index, FrameNumber& frame);
    bool is_read_ahead_marker(u64 index) const;
    u64 cached_pages() const { return m_pages.count(); }

    // For a page fault running beside others (parallel_fault.h), which holds
    // parallel_fault_lock(): a hit as get_page_reading_ahead(index, Fault) counts it, but
    // false instead of any work that changes the cache — a miss, or a read-ahead marker
    // (reading the next window) — for the serial path to do.
    bool find_page_for_parallel_fault(u64 index, FrameNumber& frame);
    // Kept by faults served in parallel around what a hit changes: the read-ahead state, a
    // page's read-ahead flag. Nothing else takes it: every other user of the cache is serial
    // kernel code, which never runs while those faults do.
    SpinLock& parallel_fault_lock() { return m_parallel_fault_lock; }

    // read(2)/pread: copies up to n bytes at offset, stopping at the end of the file. Returns
    // the bytes copied (0 at or past EOF). An error after some bytes returns the short count.
    Result<usize> read(u64 offset, u8* buffer, usize n);
    // The same, handing each piece to `take` (bytes == nullptr: a hole, zeros), which returns
    // how much of it it took: read() copies straight into user memory this way, and a user
    // buffer that faults part-way ends the read with the count taken so far.
    Result<usize> read_with(u64 offset, usize n, FunctionRef<Result<usize>(u8 const* bytes, usize done, usize chunk)> take);
    // write(2)/pwrite: copies n bytes to offset, extending the size, marking pages dirty.
    // Returns n, or a short count if an error stops it after some bytes. FileTooBig past 4 TiB.
    Result<usize> write(u64 offset, u8 const* buffer, usize n);
    // The same, asking `give` to fill each piece and say how much it filled (write() copies
    // straight from user memory; a fault part-way ends the write with the count so far).
    Result<usize> write_with(u64 offset, usize n, FunctionRef<Result<usize>(u8* destination, usize done, usize chunk)> give);

    // Punches a hole of `length` bytes at `offset` (MADV_REMOVE, fallocate PUNCH_HOLE) in a
    // cache without a backing store, whose pages are the file: every page wholly inside is
    // unmapped from every mapping (private copies stay) and dropped, so it reads as zeros
    // and holds no frame; the bytes of partial pages at the ends are zeroed. The size stays.
    void punch_hole(u64 offset, u64 length);

    // Marks a cached page dirty (no-op for a non-backed cache or an uncached/dirty page); the
    // page remembers context().clock_ns() as the time it became dirty.
    void mark_dirty(u64 index);
    bool is_dirty(u64 index) const;
    bool has_dirty_pages() const { return m_dirty_count > 0; }
    u64 dirty_pages() const { return m_dirty_count; }

    // Writes back every dirty page with first_index <= index <= last_index: marks it clean
    // and write-protects it in every MAP_SHARED mapping BEFORE the Pager writes it, so a
    // store racing with (or after) the write faults and re-dirties it. The pages go in
    // batches of several runs, one Pager::write_pages call (one disk wait) each. Pages of a
    // batch that failed stay dirty; the first error is returned after trying all batches.
    Result<void> write_back(u64 first_index, u64 last_index, WriteBackReason reason);
    Result<void> write_back_all(WriteBackReason reason) { return write_back(0, ~u64(0), reason); }
    // For the flusher: writes back pages dirty since at least `age` ns before `now`.
    Result<void> write_back_older_than(u64 now, u64 age);

    // Memory pressure: drops up to `wanted` clean pages from a backed cache; a later access
    // reads them again. Without `include_mapped`, only pages no PTE maps (frame refcount 1)
    // go. With it, a mapped page is unmapped from every mapping first — unless a program
    // used it since reclaim last looked (an accessed bit, cleared now): that one is spared
    // this time (the clock algorithm's second chance), so reclaim never takes the code a
    // program is running from under it. The scan goes on from where the last one stopped
    // (the clock's hand), looks at no more than `scan_limit` pages, and at most at every
    // page once.
    struct Eviction {
        u64 evicted { 0 };
        u64 spared { 0 }; // mapped pages passed over because they were in use
    };
    Eviction evict_clean_pages(u64 wanted, bool include_mapped, u64 scan_limit = ~u64(0));

    // Writes back, then forgets the Pager (see the lifetime note above). Returns the
    // write-back error, if any; the Pager is forgotten either way.
    Result<void> detach_pager();

    // The mappings of this cache (Linux's i_mmap), for msync and debugging.
    MappingList const& mappings() const { return m_mappings; }
    bool is_mapped() const { return !m_mappings.is_empty(); }
    // Who hears of mappings coming and going (mapping.h); null: nobody. The observer must
    // set it back to null before it goes away.
    MappingObserver* observer() const { return m_observer; }
    void set_observer(MappingObserver* observer) { m_observer = observer; }

private:
    friend class RefCounted<PageCache>;
    friend class Mapping; // links itself in and out of m_mappings

    PageCache(MemoryContext& context, Pager* pager, u64 size, bool anonymous, RefPtr<PageLimit> limit);
    ~PageCache(); // drops every page; the mapping list must be empty (mappings hold refs)

    u64 now() const { return m_context.clock_ns ? m_context.clock_ns() : 0; }
    // Allocates a zeroed frame and caches it at `index` (not read from the Pager).
    Result<FrameNumber> add_zeroed_page(u64 index);
    // Charges the limit and takes a user frame for a page about to enter the cache; undone
    // by cancel_page() if it does not enter after all.
    Result<FrameNumber> take_frame_for_page();
    void cancel_page(FrameNumber frame);
    // Caches `frame` (from take_frame_for_page) at `index`; NoMemory undoes it.
    Result<void> insert_page(u64 index, FrameNumber frame);
    // Removes page `index` from the cache and drops the cache's frame reference.
    void drop_page(u64 index, CachedPage& page);
    // Zeroes the bytes of the page containing byte `offset` from `offset` to the page end.
    void zero_page_tail(u64 offset);
    void mark_clean(CachedPage& page);
    // A reader found page `index` cached: counts a read-ahead page used and tells the
    // read-ahead state; false when the page is the window's marker (the next read is due).
    bool note_hit(u64 index, CachedPage& page, ReadAheadUse use);
    void note_read_ahead_used(CachedPage& page);
    // Reads the pages of `window` not cached yet (`wanted` among them, or a page the reader
    // holds) and caches those still wanted when the read is done. read_run: one run of them.
    Result<void> read_window(ReadAhead::Window window, u64 wanted);
    Result<void> read_run(u64 first, u64 count, u64 wanted, u64 marker);
    // Writes back the dirty pages in [first_index, last_index] that `wanted` picks, in
    // batches of several runs (one Pager::write_pages call, one wait, each).
    Result<void> write_back_where(u64 first_index, u64 last_index, WriteBackReason, FunctionRef<bool(CachedPage const&)> wanted);
    struct WriteBackBatch;
    void flush_batch(WriteBackBatch&, Result<void>& result);
    void keep_dirty_after_failed_write(u64 index, u64 dirty_since);
    void count_written(WriteBackReason, u64 pages);

    // All protected by the VM lock (address_space.h); a Pager call may sleep with it held.
    MemoryContext& m_context;
    Pager* m_pager; // null once detached
    bool m_anonymous;
    u64 m_size;
    u64 m_dirty_count { 0 };
    u64 m_reclaim_hand { 0 }; // the page index reclaim looks at next (evict_clean_pages)
    ReadAhead m_read_ahead; // one state per file, shared by read() and faults
    u64 m_shrinks { 0 }; // set_size() calls that shrank the file: a read that slept across one keeps nothing
    RefPtr<PageLimit> m_limit; // null: no limit
    SpinLock m_parallel_fault_lock;
    PageIndex m_pages;
    MappingList m_mappings;
    MappingObserver* m_observer { nullptr }; // raw: the observer holds a reference to us

public:
    ListNode m_backed_node; // in context().backed_caches while a backed Pager is attached
};

// Every page cache with a backing store (MemoryContext::backed_caches): where the flusher
// looks for old dirty pages and reclaim for clean ones. A cache links itself in when
// created with a backed Pager and out when destroyed or detached.
class PageCacheList : public IntrusiveList<PageCache, &PageCache::m_backed_node> {
public:
    // Visits every cache; the visitor may cause the current one to be removed.
    void for_each(FunctionRef<void(PageCache&)> visit);
};
