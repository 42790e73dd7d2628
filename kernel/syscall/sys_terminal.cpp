// The terminal's ioctls (termios(3), tty_ioctl(4)) on the console: its modes through the
// line discipline, flushing, the window size, and job control through proc/terminal.h.
// Changing the modes, flushing and tcsetpgrp are what a background process may not do
// without SIGTTOU (check_terminal_access), as on Linux; reading the modes is free.
#include "handlers.h"
#include "kernel/fs/console.h"
#include "kernel/lib/log.h"
#include "kernel/proc/terminal.h"

namespace {

constexpr u64 TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TCFLSH = 0x540B, TIOCSCTTY = 0x540E,
              TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, TIOCNOTTY = 0x5422,
              TIOCGSID = 0x5429, TIOCINQ = 0x541B;
constexpr u64 TCIFLUSH = 0, TCOFLUSH = 1, TCIOFLUSH = 2;

Result<i64> set_modes(Console& console, u64 request, UserAddress argument)
{
    TRY(check_terminal_access(current_process(), SIGTTOU)); // before the argument, as Linux
    Termios wanted = TRY(read_user<Termios>(argument));
    if (!console.set_termios(wanted)) {
        KLOG_ONCE("pid %u: TCSETS with modes the console does not honour (iflag %#x oflag %#x lflag %#x; honoured: iflag %#x "
                  "oflag %#x lflag %#x): EINVAL",
            current_process().pid(), wanted.iflag, wanted.oflag, wanted.lflag, termios_bits::IFLAG_SUPPORTED,
            termios_bits::OFLAG_SUPPORTED, termios_bits::LFLAG_SUPPORTED);
        return Errno::Invalid;
    }
    if (request == TCSETSF)
        console.flush_input(); // TCSETSW waits for output to drain: it never waits here
    return 0;
}

}

Result<i64> terminal_ioctl(Console& console, u64 request, UserAddress argument)
{
    Process& self = current_process();
    switch (request) {
    case TCGETS:
        TRY(write_user(argument, console.termios()));
        return 0;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        return set_modes(console, request, argument);
    case TCFLSH:
        TRY(check_terminal_access(self, SIGTTOU));
        if (argument > TCIOFLUSH)
            return Errno::Invalid;
        if (argument == TCIFLUSH || argument == TCIOFLUSH)
            console.flush_input(); // output is written at once: there is none to flush
        return 0;
    case TIOCINQ: // FIONREAD: the bytes a read would find now
        TRY(write_user<i32>(argument, static_cast<i32>(console.bytes_available())));
        return 0;
    case TIOCGWINSZ:
        TRY(write_user(argument, console.window_size()));
        return 0;
    case TIOCSWINSZ:
        console.set_window_size(TRY(read_user<Console::WindowSize>(argument)));
        return 0;
    case TIOCGPGRP:
        TRY(write_user<i32>(argument, static_cast<i32>(console.foreground_group())));
        return 0;
    case TIOCSPGRP:
        if (auto access = check_terminal_access(self, SIGTTOU); access.is_error())
            return access.error() == Errno::IoError ? Errno::NotTty : access.error(); // as Linux's tiocspgrp
        TRY(set_foreground_group(self, TRY(read_user<i32>(argument))));
        return 0;
    case TIOCGSID:
        TRY(write_user<i32>(argument, static_cast<i32>(console.session())));
        return 0;
    case TIOCSCTTY:
        TRY(take_controlling_terminal(self, static_cast<int>(argument)));
        return 0;
    case TIOCNOTTY:
        TRY(give_up_controlling_terminal(self));
        return 0;
    default:
        KLOG_ONCE("pid %u: terminal ioctl %#lx is not supported: ENOTTY", self.pid(), request);
        return Errno::NotTty;
    }
}
