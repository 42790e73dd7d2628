// A read-only file whose whole text is produced when it is opened (the /proc files):
// reading it later sees that snapshot, as a program reading /proc/vmstat expects.
#pragma once

#include "file.h"

class GeneratedFile final : public File {
public:
    // Takes ownership of `text` (allocated with new[]).
    static Result<RefPtr<File>> create(char* text, usize length, u32 mode = MODE_REGULAR | 0444);
    ~GeneratedFile() override { delete[] m_text; }
    Result<usize> read(u8* buffer, usize count, u64 offset) override;
    Result<usize> write(u8 const*, usize, u64) override { return Errno::Access; }
    void stat(LinuxStat&) const override;
    u64 size() const override { return m_length; }

private:
    GeneratedFile(char* text, usize length, u32 mode) : m_text(text), m_length(length), m_mode(mode) { }
    char* m_text;
    usize m_length;
    u32 m_mode;
};
