#include "symbols.h"
#include "kernel/lib/format.h"

namespace {
char const* g_map;
usize g_map_length;

u64 parse_hex(char const* p, char const* end, char const** stop)
{
    u64 value = 0;
    for (; p < end; ++p) {
        char c = *p;
        unsigned digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else
            break;
        value = value * 16 + digit;
    }
    *stop = p;
    return value;
}
}

void symbols_set_map(char const* text, usize length)
{
    g_map = text;
    g_map_length = length;
}

bool symbolize(u64 address, char* out, usize capacity)
{
    if (!g_map)
        return false;
    // Lines are "ffffffff80101000 T name", sorted by address: keep the last one <= address.
    char const* end = g_map + g_map_length;
    char const* best_name = nullptr;
    usize best_name_length = 0;
    u64 best_address = 0;
    for (char const* line = g_map; line < end;) {
        char const* after_address;
        u64 symbol = parse_hex(line, end, &after_address);
        char const* eol = after_address;
        while (eol < end && *eol != '\n')
            ++eol;
        if (after_address + 3 < eol && (after_address[1] == 'T' || after_address[1] == 't')) {
            if (symbol > address)
                break;
            best_address = symbol;
            best_name = after_address + 3;
            best_name_length = eol - best_name;
        }
        line = eol + 1;
    }
    if (!best_name)
        return false;
    format(out, capacity, "%.*s+0x%lx", static_cast<int>(best_name_length), best_name, address - best_address);
    return true;
}
