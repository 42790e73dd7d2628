#include "line_discipline.h"
#include "kernel/lib/memory.h"
#include "kernel/lib/signal_numbers.h"

using namespace termios_bits;

namespace {

bool is_control(u8 byte) { return byte < 0x20 || byte == 0x7f; }
bool is_blank(u8 byte) { return byte == ' ' || byte == '\t'; }

}

LineDiscipline::LineDiscipline() : m_termios(default_termios()) { }

Termios LineDiscipline::default_termios()
{
    Termios t {};
    t.iflag = ICRNL;
    t.oflag = OPOST | ONLCR;
    t.cflag = B38400 | CS8 | CREAD;
    t.lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    t.cc[VINTR] = 3; // ^C
    t.cc[VQUIT] = 0x1c; // ^\ (backslash)
    t.cc[VERASE] = 0x7f; // DEL, what the backspace key sends
    t.cc[VKILL] = 0x15; // ^U
    t.cc[VEOF] = 4; // ^D
    t.cc[VMIN] = 1;
    t.cc[VSUSP] = 0x1a; // ^Z
    t.cc[VREPRINT] = 0x12; // ^R
    t.cc[VWERASE] = 0x17; // ^W
    t.cc[VLNEXT] = 0x16; // ^V
    return t;
}

bool LineDiscipline::set_termios(Termios const& t)
{
    if ((t.iflag & ~IFLAG_SUPPORTED) || (t.oflag & ~OFLAG_SUPPORTED) || (t.lflag & ~LFLAG_SUPPORTED))
        return false;
    bool was_canonical = is_canonical();
    m_termios = t;
    m_termios.cflag = B38400 | CS8 | CREAD; // the line's framing is what it is
    if (was_canonical && !is_canonical())
        m_committed = m_length; // the line being edited becomes readable as it is
    return true;
}

bool LineDiscipline::is_canonical() const { return m_termios.lflag & ICANON; }

void LineDiscipline::output(u8 const* bytes, usize count, FunctionRef<void(u8 const*, usize)> emit) const
{
    if (!(m_termios.oflag & OPOST) || !(m_termios.oflag & ONLCR)) {
        emit(bytes, count);
        return;
    }
    usize start = 0;
    for (usize i = 0; i < count; ++i) {
        if (bytes[i] != '\n')
            continue;
        emit(bytes + start, i - start);
        static u8 const crlf[2] = { '\r', '\n' };
        emit(crlf, 2);
        start = i + 1;
    }
    emit(bytes + start, count - start);
}

void LineDiscipline::echo_byte(u8 byte, Sink const& sink)
{
    if (is_control(byte) && byte != '\n' && byte != '\t' && (m_termios.lflag & ECHOCTL)) {
        u8 caret[2] = { '^', static_cast<u8>(byte == 0x7f ? '?' : byte + '@') };
        sink.echo(caret, 2);
        return;
    }
    output(&byte, 1, sink.echo);
}

void LineDiscipline::put(u8 byte)
{
    if (m_length < CAPACITY)
        m_buffer[m_length++] = byte;
}

void LineDiscipline::erase_one(Sink const& sink, bool visibly)
{
    if (m_length == m_committed)
        return;
    u8 byte = m_buffer[--m_length];
    if (!(m_termios.lflag & ECHO) || !visibly)
        return;
    static u8 const rubout[3] = { '\b', ' ', '\b' };
    int columns = is_control(byte) && byte != '\t' && (m_termios.lflag & ECHOCTL) ? 2 : 1;
    for (int i = 0; i < columns; ++i)
        sink.echo(rubout, 3);
}

void LineDiscipline::store_literal(u8 byte, Sink const& sink)
{
    if (is_canonical() && m_length >= CAPACITY - 1)
        return; // the line is full: only its end still fits
    put(byte);
    if (!is_canonical())
        m_committed = m_length;
    if (m_termios.lflag & ECHO)
        echo_byte(byte, sink);
}

void LineDiscipline::reprint(u8 key, Sink const& sink)
{
    echo_byte(key, sink);
    output(reinterpret_cast<u8 const*>("\n"), 1, sink.echo);
    for (usize i = m_committed; i < m_length; ++i)
        echo_byte(m_buffer[i], sink);
}

void LineDiscipline::receive(u8 byte, Sink const& sink)
{
    Termios const& t = m_termios;
    if (m_quote_next) {
        // Quoted by LNEXT: no translation, no signal, no editing; as Linux, a quoted newline
        // is a character of the line, not its end.
        m_quote_next = false;
        store_literal(byte, sink);
        return;
    }
    if (byte && byte == t.cc[VLNEXT] && (t.lflag & IEXTEN)) {
        m_quote_next = true;
        if ((t.lflag & ECHO) && (t.lflag & ECHOCTL)) {
            static u8 const placeholder[2] = { '^', '\b' }; // shown until the quoted key comes
            sink.echo(placeholder, 2);
        }
        return;
    }
    if (byte == '\r' && (t.iflag & IGNCR))
        return;
    if (byte == '\r' && (t.iflag & ICRNL))
        byte = '\n';
    else if (byte == '\n' && (t.iflag & INLCR))
        byte = '\r';

    if (t.lflag & ISIG) {
        int signal = byte == t.cc[VINTR] ? SIGINT : byte == t.cc[VQUIT] ? SIGQUIT : byte == t.cc[VSUSP] ? SIGTSTP : 0;
        if (signal && byte) {
            if (!(t.lflag & NOFLSH))
                flush_input();
            if (t.lflag & ECHO)
                echo_byte(byte, sink);
            sink.signal(signal);
            return;
        }
    }

    if (!is_canonical()) {
        store_literal(byte, sink);
        return;
    }

    if (byte && byte == t.cc[VREPRINT] && (t.lflag & ECHO) && (t.lflag & IEXTEN)) {
        reprint(byte, sink);
        return;
    }

    if (byte && byte == t.cc[VERASE]) {
        erase_one(sink, t.lflag & ECHOE);
        return;
    }
    if (byte && byte == t.cc[VWERASE] && (t.lflag & IEXTEN)) {
        while (m_length > m_committed && is_blank(m_buffer[m_length - 1]))
            erase_one(sink, true);
        while (m_length > m_committed && !is_blank(m_buffer[m_length - 1]))
            erase_one(sink, true);
        return;
    }
    if (byte && byte == t.cc[VKILL]) {
        bool visibly = (t.lflag & ECHOKE) && (t.lflag & ECHOE);
        while (m_length > m_committed)
            erase_one(sink, visibly);
        if (!visibly && (t.lflag & ECHOK) && (t.lflag & ECHO))
            output(reinterpret_cast<u8 const*>("\n"), 1, sink.echo);
        return;
    }
    if (byte && byte == t.cc[VEOF]) {
        // The line so far goes to the reader without the ^D; on an empty line the reader
        // gets 0 bytes: end of file.
        m_committed = m_length;
        if (m_eof_lines < sizeof m_eof_at / sizeof m_eof_at[0])
            m_eof_at[m_eof_lines++] = m_committed;
        return;
    }
    bool ends_line = byte == '\n' || (byte && (byte == t.cc[VEOL] || byte == t.cc[VEOL2]));
    if (!ends_line && m_length >= CAPACITY - 1)
        return; // the line is full: only its end still fits
    put(byte);
    if ((t.lflag & ECHO) || (byte == '\n' && (t.lflag & ECHONL)))
        echo_byte(byte, sink);
    if (ends_line)
        m_committed = m_length;
}

usize LineDiscipline::readable() const { return m_committed; }

usize LineDiscipline::read(u8* out, usize count)
{
    usize limit = min(count, m_committed);
    bool at_eof_mark = false;
    if (m_eof_lines && m_eof_at[0] <= limit) {
        limit = m_eof_at[0]; // a read ends at an EOF mark
        at_eof_mark = true;
    }
    usize n = 0;
    if (is_canonical()) {
        while (n < limit) {
            u8 byte = m_buffer[n++];
            if (byte == '\n' || (byte && (byte == m_termios.cc[VEOL] || byte == m_termios.cc[VEOL2])))
                break; // one line per read
        }
    } else {
        n = limit;
    }
    memcpy(out, m_buffer, n);
    memmove(m_buffer, m_buffer + n, m_length - n);
    m_length -= n;
    m_committed -= n;
    for (usize i = 0; i < m_eof_lines; ++i)
        m_eof_at[i] -= n;
    if (at_eof_mark && m_eof_at[0] == 0) {
        // Reached the mark: it is used up (by this read's bytes, or as the 0 of EOF).
        memmove(m_eof_at, m_eof_at + 1, (m_eof_lines - 1) * sizeof m_eof_at[0]);
        --m_eof_lines;
    }
    return n;
}

void LineDiscipline::flush_input()
{
    m_length = m_committed = 0;
    m_eof_lines = 0;
    m_quote_next = false;
}
