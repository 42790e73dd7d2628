/* Reading one of Pagoda's counters out of the text of /proc/vmstat ("name value" lines).
 * Shared by the demos and /init. Returns -1 when the counter is not there (e.g. on Linux,
 * which lacks Pagoda's own counters). */
#pragma once

#include <stdlib.h>
#include <string.h>

static long vmstat_field(const char *text, const char *name)
{
    size_t length = strlen(name);
    for (const char *line = text; *line;) {
        if (strncmp(line, name, length) == 0 && line[length] == ' ')
            return atol(line + length + 1);
        const char *next = strchr(line, '\n');
        if (!next)
            break;
        line = next + 1;
    }
    return -1;
}
