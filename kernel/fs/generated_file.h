// A file whose whole text is produced when it is opened (the /proc files): reading it later
// sees that snapshot, as a program reading /proc/vmstat expects. Read-only, unless it has a
// Writer (a /proc/sys tunable): a write at offset 0 hands the bytes to it, one at a later
// offset is ignored (Linux's strict sysctl writes), an empty one does nothing.
#pragma once

#include "file.h"

class GeneratedFile final : public File {
public:
    using Writer = Result<void> (*)(char const* text, usize length);
    // Takes ownership of `text` (allocated with new[]).
    static Result<RefPtr<File>> create(char* text, usize length, u32 mode = MODE_REGULAR | 0444, Writer writer = nullptr);
    ~GeneratedFile() override { delete[] m_text; }
    Result<usize> read(u8* buffer, usize count, u64 offset) override;
    Result<usize> write(u8 const* buffer, usize count, u64 offset) override;
    void stat(LinuxStat&) const override;
    u64 size() const override { return m_length; }

private:
    GeneratedFile(char* text, usize length, u32 mode, Writer writer)
        : m_text(text), m_length(length), m_mode(mode), m_writer(writer)
    { }
    char* m_text;
    usize m_length;
    u32 m_mode;
    Writer m_writer;
};
