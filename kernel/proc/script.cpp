#include "script.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/page_cache.h"

namespace {

bool is_blank(u8 c) { return c == ' ' || c == '\t'; }

}

Result<bool> read_script_header(PageCache& cache, ScriptHeader& out)
{
    u8 line[SCRIPT_HEADER_BYTES];
    usize n = TRY(cache.read(0, line, sizeof line));
    if (n < 2 || line[0] != '#' || line[1] != '!')
        return false;
    usize end = 2;
    while (end < n && line[end] != '\n')
        ++end;
    bool whole_line = end < n || n < sizeof line; // a newline, or the file's end
    usize at = 2;
    while (at < end && is_blank(line[at]))
        ++at;
    usize name_start = at;
    while (at < end && !is_blank(line[at]) && line[at] != '\0')
        ++at;
    usize name_length = at - name_start;
    // Linux: an interpreter name cut off by the end of the buffer is not run.
    if (name_length == 0 || (!whole_line && at == end))
        return Errno::NoExec;
    memcpy(out.interpreter, line + name_start, name_length);
    out.interpreter[name_length] = '\0';
    while (at < end && is_blank(line[at]))
        ++at;
    usize argument_end = end;
    while (argument_end > at && is_blank(line[argument_end - 1]))
        --argument_end;
    for (usize i = at; i < argument_end; ++i)
        if (line[i] == '\0')
            argument_end = i; // the argument ends at a NUL, as Linux's string handling does
    out.has_argument = argument_end > at;
    memcpy(out.argument, line + at, argument_end - at);
    out.argument[argument_end - at] = '\0';
    return true;
}
