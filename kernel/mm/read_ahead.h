// ReadAhead: the read-ahead state of one file and its decisions (Linux's file_ra_state and
// ondemand_readahead, mm/readahead.c). Pure arithmetic on page indices, so host tests can
// drive it; PageCache does the reading.
//
// A *window* is a run of pages read in one go; one page in it, the *marker*, is flagged in
// the cache. A reader that misses starts a window sized from its request; a reader that
// reaches the marker (or misses just past the window) is sequential: the next window, up to
// four times larger, is read before the reader runs out of pages — Linux's asynchronous
// read-ahead (here it reads while the reader waits, but early and in big requests). A miss
// that follows no pattern reads only what was asked for, and leaves the state alone.
//
//   on_read_miss at 0, 16 pages asked:  [0 ............ 31]       marker at 16
//   reader reaches 16 (the marker):                       [32 .......... 63]   marker at 32
//   reader reaches 32:                                                    [64 ... 95] ...
//
// Page faults go the same way, except that a patternless miss reads the pages around the
// fault (Linux's read-around: code and data near a touched page are likely next) — unless
// faults on the file keep missing, when that is wasted work and only the page is read.
#pragma once

#include "../lib/types.h"

class ReadAhead {
public:
    static constexpr u64 MAX_PAGES = 32; // 128 KiB, Linux's default read_ahead_kb
    // Faults that miss more than this often, net of hits, turn read-around off (MMAP_LOTSAMISS).
    static constexpr u64 FAULT_MISSES_LIMIT = 100;
    static constexpr u64 NO_MARKER = ~u64(0);

    // Pages first..first+count-1 to read (those not cached yet); `marker` is flagged.
    struct Window {
        u64 first { 0 };
        u64 count { 0 };
        u64 marker { NO_MARKER };
        bool contains(u64 index) const { return index >= first && index - first < count; }
    };

    // read() misses page `index`, wanting `request` pages from it; the file has `file_pages`.
    Window on_read_miss(u64 index, u64 request, u64 file_pages);
    // A page fault misses page `index`.
    Window on_fault_miss(u64 index, u64 file_pages);
    // A reader (read or fault) reached the marker at `index`: the window after the current one.
    Window on_marker(u64 index, u64 file_pages);
    // Every access, hit or miss, says where the reader is (sequential detection).
    void accessed(u64 index) { m_previous = index; }
    // A fault found its page cached: read-around is paying off.
    void fault_hit()
    {
        if (m_fault_misses > 0)
            --m_fault_misses;
    }

    // The current window (for tests): start, size, and how many of its pages lie from the marker on.
    u64 start() const { return m_start; }
    u64 size() const { return m_size; }
    u64 async_size() const { return m_async_size; }

    static u64 initial_size(u64 request);
    static u64 next_size(u64 size);

private:
    bool is_sequential(u64 index) const;
    Window start_window(u64 index, u64 request, u64 file_pages);
    Window push_forward(u64 file_pages);
    Window current(u64 file_pages) const;

    u64 m_start { 0 }; // the window: m_start .. m_start + m_size - 1
    u64 m_size { 0 };
    u64 m_async_size { 0 }; // the marker sits at m_start + m_size - m_async_size
    u64 m_previous { ~u64(0) }; // the page the reader touched last (none yet)
    u64 m_fault_misses { 0 };
};
