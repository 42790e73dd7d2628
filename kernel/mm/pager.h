// Pager: how a PageCache reaches the bytes of its file. Each file system's inode implements
// it (ext2 reads and writes blocks, tmpfs has no backing store, host tests use a FakePager
// over a std::vector). The dependency points fs → mm: mm calls a Pager, never a file system.
//
// Lifetime: the PageCache keeps a raw pointer. The Pager must outlive the cache, or its owner
// must call PageCache::detach_pager() before the Pager goes away (see page_cache.h).
#pragma once

#include "../lib/result.h"
#include "../lib/types.h"

class Pager {
public:
    // Fills `page` (PAGE_SIZE bytes) with the file's bytes at index * PAGE_SIZE; bytes past
    // the end of the file must be zeros. IoError (or any errno) on failure.
    virtual Result<void> read_page(u64 index, u8* page) = 0;
    // Fills `count` pages (each PAGE_SIZE bytes, anywhere in memory) with the file's pages
    // first_index.. — read-ahead hands over a whole window, so a file system can read it in
    // few device requests, several in flight. On an error the caller trusts none of them.
    // Default: one read_page each.
    virtual Result<void> read_pages(u64 first_index, u8* const* pages, usize count)
    {
        for (usize i = 0; i < count; ++i)
            TRY(read_page(first_index + i, pages[i]));
        return {};
    }
    // Writes the first `valid_bytes` (1..PAGE_SIZE) bytes of `page` to the file at
    // index * PAGE_SIZE; the rest of the page lies past the end of the file. Synchronous:
    // the data is on the backing store (or queued to it) when this returns.
    virtual Result<void> write_page(u64 index, u8 const* page, usize valid_bytes) = 0;
    // Writes `count` whole pages (each PAGE_SIZE bytes inside the file), in ascending index
    // order but not necessarily consecutive: write-back hands over a whole batch of dirty
    // runs at once, so a file system can give the device all of it together (neighbours on
    // the disk merged into one request, several requests in flight) and wait once. Default:
    // one write_page each, all tried, the first error returned. On an error the caller keeps
    // every page of the batch dirty.
    struct PageToWrite {
        u64 index;
        u8 const* bytes;
    };
    virtual Result<void> write_pages(PageToWrite const* pages, usize count)
    {
        Result<void> first_error;
        for (usize i = 0; i < count; ++i) {
            auto written = write_page(pages[i].index, pages[i].bytes, PAGE_SIZE);
            if (written.is_error() && !first_error.is_error())
                first_error = written.error();
        }
        return first_error;
    }
    // False when the cache's pages are the only copy of the data (tmpfs, shared anonymous
    // memory): such pages are never dropped, never written back and never dirty.
    virtual bool is_backed() const = 0;
    // Whether a hole may be punched in the file now, asked by madvise's MADV_REMOVE (which
    // punches in the cache directly): a file system may refuse, as a write-sealed tmpfs
    // file does (EPERM, file_seals.h). Default: it may.
    virtual Result<void> may_punch_hole() { return {}; }

protected:
    ~Pager() = default; // never deleted through a Pager*
};
