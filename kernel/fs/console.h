// The console: fds 0, 1 and 2 of the first process, on the first serial port (COM1).
// Reads block (interruptibly) until a byte arrives and return what is there.
#pragma once

#include "file.h"

class Console final : public File {
public:
    static RefPtr<File> the();
    Result<usize> read_to_user(UserIo const&) override;
    Result<usize> write(u8 const* buffer, usize count, u64 offset) override;
    void stat(LinuxStat&) const override;
    // Readable while received bytes wait in the input ring; output never waits.
    u32 poll(WaitSet*) override;
    bool is_terminal() const override { return true; }
    bool is_seekable() const override { return false; }
};

// Turns on COM1's receive interrupt and takes it (IRQ 4) for the console.
void console_initialize();
