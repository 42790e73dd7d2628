#include "read_ahead.h"

namespace {

u64 round_up_to_power_of_two(u64 n)
{
    u64 power = 1;
    while (power < n)
        power <<= 1;
    return power;
}

}

u64 ReadAhead::initial_size(u64 request)
{
    // Small requests get a window four or two times their size; big ones the maximum.
    u64 size = round_up_to_power_of_two(request == 0 ? 1 : request);
    if (size <= MAX_PAGES / 32)
        return size * 4;
    if (size <= MAX_PAGES / 4)
        return size * 2;
    return MAX_PAGES;
}

u64 ReadAhead::next_size(u64 size)
{
    if (size < MAX_PAGES / 16)
        return size * 4;
    if (size <= MAX_PAGES / 2)
        return size * 2;
    return MAX_PAGES;
}

bool ReadAhead::is_sequential(u64 index) const
{
    // Linux's test: the reader is at the start of the file or right after its last page.
    return index == 0 || (m_previous != ~u64(0) && index - m_previous <= 1);
}

ReadAhead::Window ReadAhead::current(u64 file_pages) const
{
    Window window;
    window.first = m_start;
    window.count = m_start >= file_pages ? 0 : min(m_size, file_pages - m_start);
    u64 marker = m_start + m_size - m_async_size;
    if (m_async_size > 0 && marker < window.first + window.count)
        window.marker = marker;
    return window;
}

ReadAhead::Window ReadAhead::start_window(u64 index, u64 request, u64 file_pages)
{
    m_start = index;
    m_size = initial_size(request);
    m_async_size = m_size > request ? m_size - request : m_size;
    // A first window that is all asynchronous would have its marker on the page being read:
    // read the next window with it at once.
    if (m_size == m_async_size) {
        u64 more = next_size(m_size);
        if (m_size + more <= MAX_PAGES) {
            m_async_size = more;
            m_size += more;
        } else {
            m_size = MAX_PAGES;
            m_async_size = MAX_PAGES / 2;
        }
    }
    return current(file_pages);
}

ReadAhead::Window ReadAhead::push_forward(u64 file_pages)
{
    m_start += m_size;
    m_size = next_size(m_size);
    m_async_size = m_size; // the marker is the new window's first page
    return current(file_pages);
}

ReadAhead::Window ReadAhead::on_read_miss(u64 index, u64 request, u64 file_pages)
{
    if (index >= file_pages)
        return {};
    request = min(request == 0 ? 1 : request, file_pages - index);
    Window window;
    if (m_size > 0 && index == m_start + m_size) // just past the window: still sequential
        window = push_forward(file_pages);
    else if (is_sequential(index) || request > MAX_PAGES)
        window = start_window(index, request, file_pages);
    else
        window = { index, request, NO_MARKER }; // random: what was asked for, state untouched
    accessed(index);
    return window;
}

ReadAhead::Window ReadAhead::on_fault_miss(u64 index, u64 file_pages)
{
    if (index >= file_pages)
        return {};
    ++m_fault_misses;
    Window window;
    if (m_size > 0 && index == m_start + m_size) {
        window = push_forward(file_pages);
    } else if (is_sequential(index)) {
        window = start_window(index, 1, file_pages);
    } else if (m_fault_misses > FAULT_MISSES_LIMIT) {
        window = { index, 1, NO_MARKER };
    } else {
        // Read-around: MAX_PAGES centred on the fault, the marker a quarter from the end.
        m_start = index > MAX_PAGES / 2 ? index - MAX_PAGES / 2 : 0;
        m_size = MAX_PAGES;
        m_async_size = MAX_PAGES / 4;
        window = current(file_pages);
    }
    accessed(index);
    return window;
}

ReadAhead::Window ReadAhead::on_marker(u64 index, u64 file_pages)
{
    Window window;
    if (m_size > 0 && index == m_start + m_size - m_async_size) {
        window = push_forward(file_pages);
    } else {
        // A marker of an older window (another reader moved the state): start a fresh
        // window just after this page, as big as sequential reading has earned.
        m_start = index + 1;
        m_size = MAX_PAGES;
        m_async_size = MAX_PAGES;
        window = current(file_pages);
    }
    accessed(index);
    return window;
}
