#include "format.h"

namespace {

struct Output {
    char* buffer;
    usize size;
    usize length { 0 };

    void put(char c)
    {
        if (length + 1 < size)
            buffer[length] = c;
        ++length;
    }
};

void put_padded(Output& out, char const* text, usize text_length, int width, bool left, char pad)
{
    int padding = width > static_cast<int>(text_length) ? width - static_cast<int>(text_length) : 0;
    if (!left && pad == '0' && text_length > 0 && text[0] == '-') {
        out.put('-');
        ++text;
        --text_length;
    }
    if (!left)
        for (int i = 0; i < padding; ++i)
            out.put(pad);
    for (usize i = 0; i < text_length; ++i)
        out.put(text[i]);
    if (left)
        for (int i = 0; i < padding; ++i)
            out.put(' ');
}

usize unsigned_to_text(u64 value, unsigned base, bool upper, char* digits)
{
    char const* alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char reversed[32];
    usize n = 0;
    do {
        reversed[n++] = alphabet[value % base];
        value /= base;
    } while (value != 0);
    for (usize i = 0; i < n; ++i)
        digits[i] = reversed[n - 1 - i];
    return n;
}

}

int format_to_buffer(char* buffer, usize size, char const* fmt, va_list args)
{
    Output out { buffer, size };
    for (char const* p = fmt; *p; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        ++p;
        bool left = false;
        char pad = ' ';
        for (;; ++p) {
            if (*p == '-')
                left = true;
            else if (*p == '0')
                pad = '0';
            else
                break;
        }
        int width = 0;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        int precision = -1;
        if (*p == '.') {
            ++p;
            precision = 0;
            if (*p == '*') {
                precision = va_arg(args, int);
                ++p;
            }
            while (*p >= '0' && *p <= '9')
                precision = precision * 10 + (*p++ - '0');
        }
        int longness = 0;
        while (*p == 'l' || *p == 'z') {
            longness = (*p == 'z') ? 2 : longness + 1;
            ++p;
        }
        char digits[40];
        switch (*p) {
        case 'd':
        case 'i': {
            i64 value = longness ? va_arg(args, i64) : va_arg(args, int);
            usize n = 0;
            u64 magnitude = value < 0 ? static_cast<u64>(0) - static_cast<u64>(value) : static_cast<u64>(value);
            if (value < 0)
                digits[n++] = '-';
            n += unsigned_to_text(magnitude, 10, false, digits + n);
            put_padded(out, digits, n, width, left, pad);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            u64 value = longness ? va_arg(args, u64) : va_arg(args, unsigned);
            unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            usize n = unsigned_to_text(value, base, *p == 'X', digits);
            put_padded(out, digits, n, width, left, pad);
            break;
        }
        case 'p': {
            u64 value = reinterpret_cast<uptr>(va_arg(args, void*));
            digits[0] = '0';
            digits[1] = 'x';
            usize n = 2 + unsigned_to_text(value, 16, false, digits + 2);
            put_padded(out, digits, n, width, left, pad);
            break;
        }
        case 's': {
            char const* text = va_arg(args, char const*);
            if (!text)
                text = "(null)";
            usize n = 0;
            while (text[n] && (precision < 0 || n < static_cast<usize>(precision)))
                ++n;
            put_padded(out, text, n, width, left, ' ');
            break;
        }
        case 'c': {
            char c = static_cast<char>(va_arg(args, int));
            put_padded(out, &c, 1, width, left, ' ');
            break;
        }
        case '%':
            out.put('%');
            break;
        case '\0':
            --p;
            break;
        default:
            out.put('%');
            out.put(*p);
        }
    }
    if (size > 0)
        buffer[out.length < size ? out.length : size - 1] = '\0';
    return static_cast<int>(out.length);
}

int format(char* buffer, usize size, char const* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = format_to_buffer(buffer, size, fmt, args);
    va_end(args);
    return n;
}
