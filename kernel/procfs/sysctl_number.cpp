#include "sysctl_number.h"

Result<SysctlNumber> parse_sysctl_number(char const* text, usize length)
{
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    usize i = 0;
    while (i < length && is_space(text[i]))
        ++i;
    SysctlNumber number;
    if (i < length && text[i] == '-') {
        number.negative = true;
        ++i;
    }
    if (i == length || !is_digit(text[i]))
        return Errno::Invalid;
    for (; i < length && is_digit(text[i]); ++i) {
        u64 digit = static_cast<u64>(text[i] - '0');
        if (number.magnitude > (~u64(0) - digit) / 10)
            return Errno::Invalid;
        number.magnitude = number.magnitude * 10 + digit;
    }
    while (i < length && is_space(text[i]))
        ++i;
    if (i != length)
        return Errno::Invalid;
    return number;
}
