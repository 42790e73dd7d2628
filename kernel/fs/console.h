// The console: fds 0, 1 and 2 of the first process, a terminal on the first serial port
// (COM1). Typed bytes go through the line discipline (line_discipline.h) from the receive
// interrupt; reads take cooked input from it (canonical lines, or raw bytes with VMIN and
// VTIME), writes go out through its output processing. The terminal's job-control state —
// the session it controls and its foreground process group — is kept here as numbers; the
// process layer decides with them (sys_ioctl's TIOC* requests, background reads) and gets
// ^C/^\/^Z's signals through the signal hook.
#pragma once

#include "file.h"
#include "line_discipline.h"

class Console final : public File {
public:
    static RefPtr<File> the();
    static Console& terminal();
    Result<usize> read_to_user(UserIo const&) override;
    Result<usize> write(u8 const* buffer, usize count, u64 offset) override;
    void stat(LinuxStat&) const override;
    // Readable once a read would not wait (console.cpp); output never waits.
    u32 poll(WaitSet*) override;
    bool is_pollable() const override { return true; }
    bool is_terminal() const override { return true; }
    bool is_seekable() const override { return false; }

    Termios termios() const;
    // TCSETS*: false for a mode the line discipline does not honour.
    bool set_termios(Termios const&);
    // TCFLSH: input, output (nothing is buffered on the way out) or both.
    void flush_input();
    // TOSTOP: a background process's write gets SIGTTOU (proc/terminal.h).
    bool stops_background_writers() const;
    // FIONREAD: what a read would get now.
    usize bytes_available() const;

    // Job control (numbers only; proc/ interprets them). 0 = none.
    u32 foreground_group() const { return m_foreground_group; }
    void set_foreground_group(u32 group) { m_foreground_group = group; }
    u32 session() const { return m_session; }
    void set_session(u32 session) { m_session = session; }

    struct WindowSize {
        u16 rows, columns, x_pixels, y_pixels;
    };
    WindowSize window_size() const { return m_window_size; }
    void set_window_size(WindowSize size) { m_window_size = size; }

private:
    u32 m_foreground_group { 0 };
    u32 m_session { 0 };
    WindowSize m_window_size { 24, 80, 0, 0 };
};

// Turns on COM1's receive interrupt and takes it (IRQ 4) for the console.
void console_initialize();
// Who sends ^C's SIGINT (and ^\'s SIGQUIT, ^Z's SIGTSTP) to the foreground process group:
// the process layer, called from the receive interrupt.
void console_set_signal_hook(void (*hook)(u32 group, int signal));
