#include "console.h"
#include "kernel/arch/x86_64/serial.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/wait_set.h"

namespace {

// Bytes received but not yet read, filled by the interrupt handler.
u8 g_input[1024];
usize g_input_head, g_input_tail;
WaitQueue g_readers;

constexpr unsigned COM1_IRQ = 4;

void receive_interrupt(unsigned, TrapFrame&)
{
    int byte;
    while ((byte = serial_try_read(SerialPort::Com1)) >= 0) {
        usize next = (g_input_tail + 1) % sizeof g_input;
        if (next != g_input_head) {
            g_input[g_input_tail] = static_cast<u8>(byte);
            g_input_tail = next;
        }
    }
    g_readers.wake_all();
}

}

RefPtr<File> Console::the()
{
    static Console* console = new Console;
    return RefPtr<File>(console);
}

void console_initialize()
{
    serial_enable_receive_interrupt(SerialPort::Com1);
    interrupt_set_handler(COM1_IRQ, receive_interrupt);
}

Result<usize> Console::read_to_user(UserIo const& io)
{
    if (io.count == 0)
        return 0;
    while (g_input_head == g_input_tail) {
        if (io.nonblocking)
            return Errno::TryAgain;
        if (g_readers.wait_interruptible() == WaitResult::Interrupted)
            return Errno::RestartSys;
    }
    // Up to one line (as a terminal in canonical mode gives it), peeked into a buffer first:
    // only what reaches the user leaves the input ring, the rest is there for the next read.
    u8 line[sizeof g_input];
    usize n = 0;
    for (usize at = g_input_head; n < io.count && n < sizeof line && at != g_input_tail; at = (at + 1) % sizeof g_input) {
        u8 byte = g_input[at];
        line[n++] = byte == '\r' ? '\n' : byte;
        if (byte == '\r' || byte == '\n')
            break;
    }
    usize copied = TRY(copy_to_user_partial(io.space, io.buffer, line, n));
    g_input_head = (g_input_head + copied) % sizeof g_input;
    return copied;
}

u32 Console::poll(WaitSet* waiter)
{
    if (waiter)
        waiter->watch(g_readers);
    u32 events = POLL_OUT | POLL_WRNORM;
    if (g_input_head != g_input_tail)
        events |= POLL_IN | POLL_RDNORM;
    return events;
}

Result<usize> Console::write(u8 const* buffer, usize count, u64)
{
    serial_write(SerialPort::Com1, reinterpret_cast<char const*>(buffer), count);
    return count;
}

void Console::stat(LinuxStat& out) const
{
    out = {};
    out.st_mode = MODE_CHARACTER_DEVICE | 0620;
    out.st_rdev = (5 << 8) | 1; // /dev/console's device number
    out.st_blksize = 1024;
    out.st_nlink = 1;
}
