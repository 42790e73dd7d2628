// The terminal line discipline (Linux's N_TTY): what stands between the keys a person types
// and the bytes a program reads, and between what a program writes and the screen.
//
//   keyboard ─▶ receive() ─▶ IEXTEN: ^V (LNEXT) takes the next key as it is, unprocessed
//                         ─▶ [ICRNL] ─▶ ISIG: ^C ^\ ^Z → a signal for the foreground group
//                                    ─▶ ICANON: an edit line (ERASE, WERASE, KILL, EOF,
//                                       REPRINT), handed to readers a whole line at a time
//                                    ─▶ raw: every byte at once (VMIN/VTIME for readers)
//                         ECHO ─▶ the echo, with ^X for control characters (ECHOCTL)
//   write() ─▶ output() ─▶ [OPOST ONLCR: \n → \r\n] ─▶ screen
//
// The class is pure logic (host-tested): the console gives it bytes from its interrupt and
// a Sink for echo and signals, and reads cooked bytes out of it. termios holds exactly the
// modes it honours; a program that sets others gets them refused (TCSETS: EINVAL) rather
// than a fake success.
#pragma once

#include "kernel/lib/function_ref.h"
#include "kernel/lib/types.h"

// struct termios as TCGETS/TCSETS pass it (the kernel's layout, 36 bytes).
struct [[gnu::packed]] Termios {
    u32 iflag, oflag, cflag, lflag;
    u8 line;
    u8 cc[19];
};
static_assert(sizeof(Termios) == 36);

namespace termios_bits {
// c_iflag
constexpr u32 INLCR = 0x40, IGNCR = 0x80, ICRNL = 0x100;
// c_oflag
constexpr u32 OPOST = 0x1, ONLCR = 0x4;
// c_cflag: the serial line's framing, reported as it is (38400 baud, 8 bits, receiver on)
constexpr u32 B38400 = 0xf, CS8 = 0x30, CREAD = 0x80;
// c_lflag
// (TOSTOP is the console's: a background writer gets SIGTTOU, proc/terminal.h)
constexpr u32 ISIG = 0x1, ICANON = 0x2, ECHO = 0x8, ECHOE = 0x10, ECHOK = 0x20, ECHONL = 0x40, NOFLSH = 0x80, TOSTOP = 0x100,
              ECHOCTL = 0x200, ECHOKE = 0x800, IEXTEN = 0x8000;
// c_cc
constexpr int VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSUSP = 10, VEOL = 11, VREPRINT = 12,
              VWERASE = 14, VLNEXT = 15, VEOL2 = 16;
// The bits the line discipline honours; any other set bit is refused.
constexpr u32 IFLAG_SUPPORTED = INLCR | IGNCR | ICRNL;
constexpr u32 OFLAG_SUPPORTED = OPOST | ONLCR;
constexpr u32 LFLAG_SUPPORTED = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | NOFLSH | TOSTOP | ECHOCTL | ECHOKE | IEXTEN;
}

class LineDiscipline {
public:
    // Where echo goes and which signal the foreground process group should get.
    struct Sink {
        FunctionRef<void(u8 const* bytes, usize count)> echo;
        FunctionRef<void(int signal)> signal;
    };

    LineDiscipline();

    Termios const& termios() const { return m_termios; }
    // TCSETS: Invalid if it asks for a mode not honoured (see termios_bits).
    bool set_termios(Termios const&);
    // Linux's default terminal modes, less those not honoured (IXON flow control).
    static Termios default_termios();

    // One byte typed (from the interrupt handler).
    void receive(u8 byte, Sink const&);
    // How many bytes a read may take now: canonical mode, the finished lines; raw mode,
    // every byte received (VMIN and VTIME are the reader's to wait for).
    usize readable() const;
    // An empty line ended by EOF (^D) is next: a read returns 0.
    bool eof_pending() const { return m_eof_lines > 0 && m_eof_at[0] == 0; }
    bool is_canonical() const;
    u8 raw_minimum() const { return m_termios.cc[termios_bits::VMIN]; }
    u8 raw_time_deciseconds() const { return m_termios.cc[termios_bits::VTIME]; }
    // Takes up to `count` readable bytes (canonical: at most up to the end of a line; an EOF
    // mark is consumed and ends the read there).
    usize read(u8* out, usize count);
    // A program's output through OPOST/ONLCR: calls `emit` with the bytes to send.
    void output(u8 const* bytes, usize count, FunctionRef<void(u8 const*, usize)> emit) const;
    // TCFLSH of the input side; also what ^C does unless NOFLSH.
    void flush_input();

private:
    void echo_byte(u8 byte, Sink const&);
    void erase_one(Sink const&, bool visibly);
    void put(u8 byte);
    // A byte for the buffer as it is (raw mode, or quoted by LNEXT): stored and echoed.
    void store_literal(u8 byte, Sink const&);
    // REPRINT (^R): the line being edited again, on a new line of the screen.
    void reprint(u8 key, Sink const&);

    Termios m_termios;
    // Input: committed bytes (readable), then the line being edited (canonical mode).
    static constexpr usize CAPACITY = 4096;
    u8 m_buffer[CAPACITY];
    usize m_committed { 0 }; // readable bytes at the front
    usize m_length { 0 }; // committed + the edit line
    usize m_eof_lines { 0 }; // committed lines that end in EOF (^D), not a byte
    bool m_quote_next { false }; // LNEXT (^V) came: the next byte is taken literally
    // Where each committed EOF sits (an offset into m_buffer), in order.
    usize m_eof_at[64];
};
