#include "sysctl_number.h"

Result<u64> parse_sysctl_number(char const* text, usize length, bool* negative)
{
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    usize i = 0;
    while (i < length && is_space(text[i]))
        ++i;
    if (negative && (*negative = i < length && text[i] == '-'))
        ++i;
    if (i == length || !is_digit(text[i]))
        return Errno::Invalid;
    u64 value = 0;
    for (; i < length && is_digit(text[i]); ++i) {
        u64 digit = static_cast<u64>(text[i] - '0');
        if (value > (~u64(0) - digit) / 10)
            return Errno::Invalid;
        value = value * 10 + digit;
    }
    while (i < length && is_space(text[i]))
        ++i;
    if (i != length)
        return Errno::Invalid;
    return value;
}
