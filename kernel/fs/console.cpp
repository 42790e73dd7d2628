#include "console.h"
#include "kernel/arch/x86_64/serial.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/wait_set.h"

namespace {

// Interrupts are off in the kernel (scheduler.h), so the interrupt handler and readers never
// touch the line discipline at the same time.
LineDiscipline g_line;
WaitQueue g_readers;
void (*g_signal_hook)(u32, int);

constexpr unsigned COM1_IRQ = 4;

void send_to_screen(u8 const* bytes, usize count) { serial_write(SerialPort::Com1, reinterpret_cast<char const*>(bytes), count); }

void signal_foreground(int signal)
{
    if (g_signal_hook)
        g_signal_hook(Console::terminal().foreground_group(), signal);
}

void receive_interrupt(unsigned, TrapFrame&)
{
    auto echo = [](u8 const* bytes, usize count) { send_to_screen(bytes, count); };
    auto signal = [](int number) { signal_foreground(number); };
    LineDiscipline::Sink sink { echo, signal };
    int byte;
    while ((byte = serial_try_read(SerialPort::Com1)) >= 0)
        g_line.receive(static_cast<u8>(byte), sink);
    g_readers.wake_all();
}

bool input_ready() { return g_line.readable() > 0 || g_line.eof_pending(); }

// Non-canonical reads: VMIN bytes (or the read's count, if smaller), with VTIME tenths of a
// second as the time-out (for the first byte when VMIN is 0, between bytes otherwise).
Result<void> wait_for_raw_input(usize count, bool nonblocking)
{
    usize minimum = min<usize>(g_line.raw_minimum(), count);
    u64 timeout = u64(g_line.raw_time_deciseconds()) * 100000000;
    if (minimum == 0 && timeout == 0)
        return {}; // a poll: whatever is there, maybe nothing
    u64 deadline = timeout ? monotonic_nanoseconds() + timeout : 0;
    while (g_line.readable() < max<usize>(minimum, 1)) {
        if (nonblocking)
            return Errno::TryAgain;
        usize before = g_line.readable();
        WaitResult result = g_readers.wait_interruptible(deadline);
        if (result == WaitResult::Interrupted)
            return Errno::RestartSys;
        if (result == WaitResult::TimedOut)
            return {};
        if (timeout && minimum > 0 && g_line.readable() > before)
            deadline = monotonic_nanoseconds() + timeout; // the timer is between bytes
        if (minimum == 0 && g_line.readable() > 0)
            return {};
    }
    return {};
}

}

RefPtr<File> Console::the()
{
    static Console* console = new Console;
    return RefPtr<File>(console);
}

Console& Console::terminal() { return static_cast<Console&>(*the()); }

void console_initialize()
{
    serial_enable_receive_interrupt(SerialPort::Com1);
    interrupt_set_handler(COM1_IRQ, receive_interrupt);
}

void console_set_signal_hook(void (*hook)(u32, int)) { g_signal_hook = hook; }

Result<usize> Console::read_to_user(UserIo const& io)
{
    if (io.count == 0)
        return 0;
    if (g_line.is_canonical()) {
        while (!input_ready()) {
            if (io.nonblocking)
                return Errno::TryAgain;
            if (g_readers.wait_interruptible() == WaitResult::Interrupted)
                return Errno::RestartSys;
        }
    } else {
        TRY(wait_for_raw_input(io.count, io.nonblocking));
    }
    // Taken into a buffer first; what the user's buffer cannot take (a bad pointer past
    // the first bytes) is lost, as with any copy that faults midway.
    u8 buffer[512];
    usize n = g_line.read(buffer, min(io.count, sizeof buffer));
    return TRY(copy_to_user_partial(io.space, io.buffer, buffer, n));
}

u32 Console::poll(WaitSet* waiter)
{
    if (waiter)
        waiter->watch(g_readers);
    u32 events = POLL_OUT | POLL_WRNORM;
    // Readable once a read would not wait: a finished line or an EOF (canonical), any byte
    // (raw; VMIN/VTIME are the reader's, as Linux's poll also reports any byte).
    if (input_ready())
        events |= POLL_IN | POLL_RDNORM;
    return events;
}

Result<usize> Console::write(u8 const* buffer, usize count, u64)
{
    g_line.output(buffer, count, [](u8 const* bytes, usize n) { send_to_screen(bytes, n); });
    return count;
}

Termios Console::termios() const { return g_line.termios(); }

bool Console::set_termios(Termios const& termios)
{
    bool accepted = g_line.set_termios(termios);
    g_readers.wake_all(); // a reader may now have enough (raw mode, a new VMIN)
    return accepted;
}

void Console::flush_input() { g_line.flush_input(); }

bool Console::stops_background_writers() const { return g_line.termios().lflag & termios_bits::TOSTOP; }

usize Console::bytes_available() const { return g_line.readable(); }

void Console::stat(LinuxStat& out) const
{
    out = {};
    out.st_mode = MODE_CHARACTER_DEVICE | 0620;
    out.st_rdev = (5 << 8) | 1; // /dev/console's device number
    out.st_blksize = 1024;
    out.st_nlink = 1;
}
