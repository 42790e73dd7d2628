// PathBuffer: room for one path (PATH_MAX bytes) on the kernel heap. Paths are 4 KiB at most
// on Linux, and a few of them on a 32 KiB kernel stack (a rename holds two, a symlink lookup
// four) would overflow it; so path buffers never live on the stack.
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"
#include <new>
#include <utility>

constexpr usize PATH_MAX = 4096;

class PathBuffer {
public:
    static Result<PathBuffer> create()
    {
        char* data = new (std::nothrow) char[PATH_MAX];
        if (!data)
            return Errno::NoMemory;
        data[0] = '\0';
        return PathBuffer(data);
    }
    PathBuffer(PathBuffer&& other) : m_data(std::exchange(other.m_data, nullptr)) { }
    PathBuffer(PathBuffer const&) = delete;
    ~PathBuffer() { delete[] m_data; }

    char* data() { return m_data; }
    char const* data() const { return m_data; }
    operator char*() { return m_data; }
    static constexpr usize capacity() { return PATH_MAX; }

private:
    explicit PathBuffer(char* data) : m_data(data) { }
    char* m_data;
};

// Declares `name`, a PathBuffer, returning NoMemory from the enclosing function if none.
#define PATH_BUFFER(name) PathBuffer name = TRY(PathBuffer::create())
