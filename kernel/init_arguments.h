// The first program's argument list and environment, read from files in the root file
// system (the boot options args=PATH and env=PATH): tools/pagoda-run writes them there, so
// that any argument list Linux's execve would take (ARG_MAX, not the kernel command line's
// few kilobytes) reaches the program byte for byte. Each file holds NUL-terminated strings,
// the format of /proc/<pid>/cmdline and /proc/<pid>/environ; the argument file's first
// string is argv[0].
#pragma once

#include "lib/result.h"
#include "proc/initial_stack.h"

// Strings read from one such file; they live as long as the list.
class StringFile {
public:
    StringFile() = default;
    StringFile(StringFile const&) = delete;
    StringFile& operator=(StringFile const&) = delete;
    ~StringFile();

    // NoEntry when the file is missing; ArgListTooBig beyond execve's limits (a longer list
    // could not be started anyway); Invalid when the last string lacks its NUL.
    Result<void> read(char const* path);
    StringList strings() const { return { m_items, m_count }; }

private:
    char* m_bytes { nullptr };
    char const** m_items { nullptr };
    u64 m_count { 0 };
};
