// Pipes, laid out as Linux lays them out: a ring of slots, each one page holding the bytes
// of one or more writes. So a pipe holds as much as Linux's does for the same writes:
//
//   * a write first tops up the last page, if its first (size mod 4096) bytes fit there
//     whole — small writes share pages, large ones go page-aligned into fresh slots;
//   * the rest takes fresh slots, a page each, while one is free; with none free the
//     writer sleeps (EAGAIN if non-blocking). A write of at most PIPE_BUF bytes therefore
//     goes into one page at once, never interleaved with another (POSIX's atomic write);
//   * a read takes bytes from the oldest slot on; a slot frees once read to its end, and
//     only then is there room for a writer (and POLLOUT).
//
// Packet mode (O_DIRECT, Linux's PIPE_BUF_FLAG_PACKET): a write never tops up a page and
// each of its pages is a packet; a read takes at most one packet, and what of it does not
// fit the reader's buffer is dropped.
//
// Bytes move straight between a slot and user memory, a page piece at a time, and a piece
// counts only if it was copied whole — as in Linux, where a pipe buffer that faults part-way
// is neither consumed nor committed: a read into a buffer that runs into a read-only page
// returns EFAULT (or the pieces before it) and leaves the bytes in the pipe; a write from a
// half-unmapped buffer adds nothing of the piece that faulted. Nothing taken from a pipe is
// ever lost.
//
// Locking: the kernel lock. A copy may fault on the user buffer, and that fault may wait for
// the disk with the lock kept, so nothing else touches the ring meanwhile.
#include "pipe.h"
#include "inode.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/wait_set.h"

Result<RefPtr<Pipe>> Pipe::create()
{
    auto* pipe = new (std::nothrow) Pipe;
    if (!pipe)
        return Errno::NoMemory;
    RefPtr<Pipe> result = adopt_ref(pipe);
    pipe->m_slots = new (std::nothrow) Slot[DEFAULT_SLOTS];
    if (!pipe->m_slots)
        return Errno::NoMemory;
    pipe->m_slot_count = DEFAULT_SLOTS;
    return result;
}

namespace {
Pipe::FifoList g_fifo_pipes; // the pipes of FIFOs that have an open end
}

Result<RefPtr<Pipe>> Pipe::for_fifo(Inode& inode)
{
    for (Pipe& pipe : g_fifo_pipes)
        if (pipe.m_fifo == &inode)
            return RefPtr<Pipe>(&pipe);
    RefPtr<Pipe> pipe = TRY(create());
    pipe->m_fifo = &inode;
    g_fifo_pipes.append(*pipe);
    return pipe;
}

Pipe::~Pipe()
{
    if (m_fifo_node.is_linked())
        FifoList::remove(*this);
    while (!is_empty())
        release_first_slot();
    delete[] m_spare_page;
    delete[] m_slots;
}

u8* Pipe::take_page()
{
    if (u8* page = m_spare_page) {
        m_spare_page = nullptr;
        return page;
    }
    return new (std::nothrow) u8[PAGE_SIZE];
}

void Pipe::release_first_slot()
{
    Slot& first = slot(m_tail++);
    if (!m_spare_page)
        m_spare_page = first.page;
    else
        delete[] first.page;
    first.page = nullptr;
}

usize Pipe::bytes_available() const
{
    usize bytes = 0;
    for (u32 counter = m_tail; counter != m_head; ++counter)
        bytes += m_slots[counter & (m_slot_count - 1)].length;
    return bytes;
}

Result<usize> Pipe::read(UserIo const& io)
{
    usize done = 0;
    while (done < io.count) {
        if (!is_empty()) {
            Slot& first = slot(m_tail);
            usize piece = min<usize>(first.length, io.count - done);
            if (auto copied = copy_to_user(io.space, io.buffer + done, first.page + first.offset, piece); copied.is_error())
                return done ? Result<usize>(done) : Result<usize>(copied.error());
            done += piece;
            first.offset += piece;
            first.length -= piece;
            bool packet = first.packet;
            if (packet)
                first.length = 0; // the rest of a packet is dropped
            if (first.length == 0) {
                release_first_slot();
                m_writable.wake_all();
            }
            if (packet)
                break;
            continue;
        }
        // Empty: what was read so far is the answer; otherwise end of file or a wait.
        if (done > 0 || m_writers == 0)
            break;
        if (io.nonblocking)
            return Errno::TryAgain;
        if (m_readable.wait_interruptible() == WaitResult::Interrupted)
            return Errno::RestartSys;
    }
    return done;
}

Result<usize> Pipe::write(UserIo const& io)
{
    // No reader: EPIPE (the system-call layer raises SIGPIPE for it).
    if (m_readers == 0)
        return Errno::BrokenPipe;
    usize done = 0;
    usize head_piece = io.count % PAGE_SIZE;
    if (head_piece && !is_empty() && !io.packets) {
        Slot& last = slot(m_head - 1);
        if (!last.packet && last.offset + last.length + head_piece <= PAGE_SIZE) {
            TRY(copy_from_user(io.space, last.page + last.offset + last.length, io.buffer, head_piece));
            last.length += head_piece;
            done = head_piece;
            m_readable.wake_all();
        }
    }
    while (done < io.count) {
        if (m_readers == 0)
            return done ? Result<usize>(done) : Result<usize>(Errno::BrokenPipe);
        if (!is_full()) {
            u8* page = take_page();
            if (!page)
                return done ? Result<usize>(done) : Result<usize>(Errno::NoMemory);
            usize piece = min<usize>(PAGE_SIZE, io.count - done);
            if (auto copied = copy_from_user(io.space, page, io.buffer + done, piece); copied.is_error()) {
                if (!m_spare_page)
                    m_spare_page = page;
                else
                    delete[] page;
                return done ? Result<usize>(done) : Result<usize>(copied.error());
            }
            slot(m_head++) = { page, 0, static_cast<u32>(piece), io.packets };
            done += piece;
            m_readable.wake_all();
            continue;
        }
        if (io.nonblocking)
            return done ? Result<usize>(done) : Result<usize>(Errno::TryAgain);
        if (m_writable.wait_interruptible() == WaitResult::Interrupted)
            return done ? Result<usize>(done) : Result<usize>(Errno::RestartSys);
    }
    return done;
}

u32 Pipe::poll(bool reads, bool writes, u64 writers_seen_at_open, WaitSet* waiter)
{
    u32 events = 0;
    if (reads) {
        if (waiter)
            waiter->watch(m_readable);
        if (!is_empty())
            events |= POLL_IN | POLL_RDNORM;
        // Hang-up: every writer is gone — but a FIFO's reader that never had one is not hung
        // up (Linux compares w_counter with what the reader saw at open).
        if (m_writers == 0 && m_writers_seen != writers_seen_at_open)
            events |= POLL_HUP;
    }
    if (writes) {
        if (waiter)
            waiter->watch(m_writable);
        if (!is_full())
            events |= POLL_OUT | POLL_WRNORM;
        if (m_readers == 0)
            events |= POLL_ERR;
    }
    return events;
}

Result<usize> Pipe::resize(u64 bytes)
{
    // Linux's round_pipe_size(): a power of two of pages, at least one; nothing above 2^31.
    if (bytes > (u64(1) << 31))
        return Errno::Invalid;
    u32 count = 1;
    while (count * PAGE_SIZE < bytes)
        count *= 2;
    if (occupied() > count)
        return Errno::Busy;
    if (count == m_slot_count)
        return capacity();
    auto* slots = new (std::nothrow) Slot[count];
    if (!slots)
        return Errno::NoMemory;
    // The slots keep their order, now from the start of the new ring.
    u32 used = occupied();
    for (u32 i = 0; i < used; ++i)
        slots[i] = slot(m_tail + i);
    delete[] m_slots;
    m_slots = slots;
    m_slot_count = count;
    m_tail = 0;
    m_head = used;
    m_writable.wake_all(); // there may be room now
    return capacity();
}

void Pipe::add_reader()
{
    ++m_readers;
    ++m_readers_seen;
    m_partner_opened.wake_all();
}

void Pipe::add_writer()
{
    ++m_writers;
    ++m_writers_seen;
    m_partner_opened.wake_all();
}

Result<void> Pipe::wait_for_partner(Partner partner, u64 seen)
{
    while ((partner == Partner::Reader ? m_readers_seen : m_writers_seen) == seen)
        if (m_partner_opened.wait_interruptible() == WaitResult::Interrupted)
            return Errno::RestartSys;
    return {};
}

void Pipe::remove_reader()
{
    --m_readers;
    m_writable.wake_all();
}

void Pipe::remove_writer()
{
    --m_writers;
    m_readable.wake_all();
}

namespace {

// One end of a pipe; its lifetime is one count of readers and/or writers.
class PipeEnd final : public File {
public:
    PipeEnd(RefPtr<Pipe> pipe, PipeAccess access, u64 writers_seen_at_open, RefPtr<Inode> fifo)
        : m_pipe(pipe)
        , m_reads(access != PipeAccess::Write)
        , m_writes(access != PipeAccess::Read)
        , m_writers_seen_at_open(writers_seen_at_open)
        , m_fifo(fifo)
    {
        if (m_reads)
            m_pipe->add_reader();
        if (m_writes)
            m_pipe->add_writer();
    }
    ~PipeEnd() override
    {
        if (m_reads)
            m_pipe->remove_reader();
        if (m_writes)
            m_pipe->remove_writer();
    }
    Result<usize> read_to_user(UserIo const& io) override
    {
        if (!m_reads)
            return Errno::BadFd;
        return m_pipe->read(io);
    }
    Result<usize> write_from_user(UserIo const& io) override
    {
        if (!m_writes)
            return Errno::BadFd;
        return m_pipe->write(io);
    }
    u32 poll(WaitSet* waiter) override { return m_pipe->poll(m_reads, m_writes, m_writers_seen_at_open, waiter); }
    Pipe* pipe() override { return m_pipe.ptr(); }
    void stat(LinuxStat& out) const override
    {
        if (m_fifo) {
            m_fifo->stat(out);
            return;
        }
        out = {};
        out.st_mode = 0010000 | 0600; // S_IFIFO
        out.st_nlink = 1;
        out.st_blksize = PAGE_SIZE;
        out.st_dev = 4;
    }
    bool is_seekable() const override { return false; }

private:
    RefPtr<Pipe> m_pipe;
    bool m_reads;
    bool m_writes;
    u64 m_writers_seen_at_open;
    RefPtr<Inode> m_fifo;
};

}

Result<RefPtr<File>> create_pipe_end(RefPtr<Pipe> pipe, PipeAccess access, u64 writers_seen_at_open, RefPtr<Inode> fifo)
{
    auto* end = new (std::nothrow) PipeEnd(pipe, access, writers_seen_at_open, fifo);
    if (!end)
        return Errno::NoMemory;
    return adopt_ref<File>(end);
}

Result<PipeEnds> create_pipe()
{
    RefPtr<Pipe> pipe = TRY(Pipe::create());
    // The read end has seen no writer: it hangs up once the write end is gone.
    RefPtr<File> read_end = TRY(create_pipe_end(pipe, PipeAccess::Read, 0, nullptr));
    RefPtr<File> write_end = TRY(create_pipe_end(pipe, PipeAccess::Write, 0, nullptr));
    return PipeEnds { read_end, write_end };
}
