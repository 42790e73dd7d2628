// SharedString: an immutable C string on the heap, shared by reference. Processes keep their
// working directory and program path this way: a path may be as long as PATH_MAX, yet fork
// copies a pointer, not 4 KiB, and most processes share their parent's.
#pragma once

#include "memory.h"
#include "ref_counted.h"
#include "result.h"
#include <new>

class SharedString {
public:
    SharedString() = default;
    // A copy of the `length` bytes at `text` (NUL added). NoMemory.
    static Result<SharedString> create(char const* text, usize length)
    {
        auto* buffer = new (std::nothrow) Buffer;
        char* bytes = new (std::nothrow) char[length + 1];
        if (!buffer || !bytes) {
            delete buffer;
            delete[] bytes;
            return Errno::NoMemory;
        }
        memcpy(bytes, text, length);
        bytes[length] = '\0';
        buffer->text = bytes;
        buffer->length = length;
        SharedString result;
        result.m_buffer = adopt_ref(buffer);
        return result;
    }
    static Result<SharedString> create(char const* text) { return create(text, strlen(text)); }

    // "" when empty.
    char const* text() const { return m_buffer ? m_buffer->text : ""; }
    usize length() const { return m_buffer ? m_buffer->length : 0; }

private:
    struct Buffer : RefCounted<Buffer> {
        ~Buffer() { delete[] text; }
        char* text { nullptr };
        usize length { 0 };
    };
    RefPtr<Buffer> m_buffer;
};
