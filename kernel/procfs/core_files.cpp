#include "core_files.h"
#include "kernel/proc/core_dump.h"

void fill_core_pattern(TextBuilder& out, Process&) { out.append("%s\n", core_pattern().text); }

Result<void> set_core_pattern(char const* text, usize length)
{
    CorePattern& pattern = core_pattern();
    usize n = 0;
    while (n < length && n < CorePattern::CAPACITY - 1 && text[n] != '\n' && text[n] != '\0')
        ++n;
    memcpy(pattern.text, text, n);
    pattern.text[n] = '\0';
    return {};
}

void fill_coredump_filter(TextBuilder& out, Process&) { out.append("%08x\n", COREDUMP_FILTER); }
