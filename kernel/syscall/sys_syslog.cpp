// syslog(2) — what dmesg reads: the kernel log's in-memory ring (lib/log.h), root only (as
// with Debian's kernel.dmesg_restrict=1).
#include "handlers.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/lib/log.h"
#include "kernel/proc/signal.h"
#include "kernel/sched/scheduler.h"

namespace {

enum SyslogAction {
    Close = 0,
    Open = 1,
    Read = 2,
    ReadAll = 3,
    ReadClear = 4,
    Clear = 5,
    ConsoleOff = 6,
    ConsoleOn = 7,
    ConsoleLevel = 8,
    SizeUnread = 9,
    SizeBuffer = 10,
};

// The ring is copied out through a kernel buffer as large as the read (at most the ring),
// taken for the call only: kept, it would cost its 64 KiB on the smallest machines.
class TextBuffer {
public:
    explicit TextBuffer(usize capacity) : m_text(new (std::nothrow) char[capacity]) { }
    ~TextBuffer() { delete[] m_text; }
    TextBuffer(TextBuffer const&) = delete;
    char* text() { return m_text; }

private:
    char* m_text;
};

Result<i64> copy_out(UserAddress buffer, char const* text, usize n)
{
    TRY(copy_to_user(user_space(), buffer, text, n));
    return static_cast<i64>(n);
}

}

Result<i64> sys_syslog(int action, UserAddress buffer, int length)
{
    if (action != Close && action != Open && !caller_credentials().is_privileged())
        return Errno::NotPermitted;
    bool reads = action == Read || action == ReadAll || action == ReadClear;
    if (reads) {
        if (!buffer || length < 0)
            return Errno::Invalid;
        if (length == 0)
            return 0;
    }
    usize capacity = reads ? min<usize>(static_cast<usize>(length), KLOG_RING_SIZE) : 0;
    TextBuffer buffered(capacity ? capacity : 1);
    char* text = buffered.text();
    if (!text)
        return Errno::NoMemory;
    switch (action) {
    case Close:
    case Open:
        return 0;
    case Read:
        // Waits for something unread, as Linux's does; a signal ends the wait (EINTR or a
        // restart). Pagoda's log has no wait queue (klog runs anywhere, interrupts
        // included), so the reader looks again every 100 ms.
        while (klog_ring_unread() == 0) {
            if (signal_pending())
                return Errno::RestartSys;
            sleep_until(monotonic_nanoseconds() + 100000000, SleepKind::Interruptible);
        }
        return copy_out(buffer, text, klog_ring_read_unread(text, capacity));
    case ReadAll:
        return copy_out(buffer, text, klog_ring_read_all(text, capacity));
    case ReadClear: {
        usize n = klog_ring_read_all(text, capacity);
        klog_ring_clear();
        return copy_out(buffer, text, n);
    }
    case Clear:
        klog_ring_clear();
        return 0;
    case ConsoleOff:
        if (klog_console_mirror() == ConsoleMirror::Everything)
            klog_set_console_mirror(ConsoleMirror::PanicsOnly);
        return 0;
    case ConsoleOn:
        klog_set_console_mirror(ConsoleMirror::Everything);
        return 0;
    case ConsoleLevel:
        if (length < 1 || length > 8)
            return Errno::Invalid;
        klog("pid %u: syslog CONSOLE_LEVEL %d refused: the log has no levels (EINVAL)", current_process().pid(), length);
        return Errno::Invalid;
    case SizeUnread:
        return static_cast<i64>(klog_ring_unread());
    case SizeBuffer:
        return static_cast<i64>(KLOG_RING_SIZE);
    default:
        return Errno::Invalid;
    }
}
