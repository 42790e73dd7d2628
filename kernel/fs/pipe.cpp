// Pipes: a PipeRing of bytes between readers and writers, and the waiting around it.
//
// Locking: the kernel lock. A copy may fault on the user buffer, and that fault may wait for
// the disk with the lock kept, so nothing else touches the ring meanwhile.
#include "pipe.h"
#include "inode.h"
#include "kernel/lib/memory.h"
#include "kernel/sched/wait_set.h"

Result<RefPtr<Pipe>> Pipe::create(PipeUser maker)
{
    PipeLimits const& limits = pipe_limits();
    u64 pages = PipeRing::DEFAULT_SLOTS;
    if (maker.bound_by_limits && pages * PAGE_SIZE > limits.max_size)
        pages = limits.max_size / PAGE_SIZE; // a power of two, as pipe-max-size always is
    u64 user_pages = TRY(charge_pipe_pages(maker.uid, 0, pages));
    if (maker.bound_by_limits && limits.user_pages_soft && user_pages > limits.user_pages_soft) {
        constexpr u64 PIPE_MIN_DEF_BUFFERS = 2;
        user_pages = MUST(charge_pipe_pages(maker.uid, pages, PIPE_MIN_DEF_BUFFERS));
        pages = PIPE_MIN_DEF_BUFFERS;
    }
    if (maker.bound_by_limits && limits.user_pages_hard && user_pages > limits.user_pages_hard) {
        MUST(charge_pipe_pages(maker.uid, pages, 0));
        return Errno::TooManyFilesSystem;
    }
    auto* pipe = new (std::nothrow) Pipe;
    if (!pipe) {
        MUST(charge_pipe_pages(maker.uid, pages, 0));
        return Errno::NoMemory;
    }
    pipe->m_charged_uid = maker.uid;
    pipe->m_charged_pages = pages; // from here on the destructor gives the charge back
    RefPtr<Pipe> result = adopt_ref(pipe);
    TRY(pipe->m_ring.initialize(static_cast<u32>(pages)));
    return result;
}

namespace {
Pipe::FifoList g_fifo_pipes; // the pipes of FIFOs that have an open end
}

Result<RefPtr<Pipe>> Pipe::for_fifo(Inode& inode, PipeUser opener)
{
    for (Pipe& pipe : g_fifo_pipes)
        if (pipe.m_fifo == &inode)
            return RefPtr<Pipe>(&pipe);
    RefPtr<Pipe> pipe = TRY(create(opener));
    pipe->m_fifo = &inode;
    g_fifo_pipes.append(*pipe);
    return pipe;
}

Pipe::~Pipe()
{
    if (m_fifo_node.is_linked())
        FifoList::remove(*this);
    MUST(charge_pipe_pages(m_charged_uid, m_charged_pages, 0)); // lowering a charge never allocates
}

Result<usize> Pipe::read(UserIo const& io)
{
    while (m_ring.is_empty()) {
        if (m_writers == 0)
            return 0;
        if (io.nonblocking)
            return Errno::TryAgain;
        if (m_readable.wait_interruptible() == WaitResult::Interrupted)
            return Errno::RestartSys;
    }
    bool freed_slot;
    usize taken = TRY(m_ring.take(io.space, io.buffer, io.count, freed_slot));
    if (freed_slot)
        m_writable.wake_all();
    return taken;
}

Result<usize> Pipe::write(UserIo const& io)
{
    // No reader: EPIPE (the system-call layer raises SIGPIPE for it).
    if (m_readers == 0)
        return Errno::BrokenPipe;
    usize done = TRY(m_ring.top_up(io.space, io.buffer, io.count, io.packets));
    if (done)
        m_readable.wake_all();
    while (done < io.count) {
        if (m_readers == 0)
            return done ? Result<usize>(done) : Result<usize>(Errno::BrokenPipe);
        if (!m_ring.is_full()) {
            auto added = m_ring.add_page(io.space, io.buffer + done, io.count - done, io.packets);
            if (added.is_error())
                return done ? Result<usize>(done) : Result<usize>(added.error());
            done += added.value();
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
        if (!m_ring.is_empty())
            events |= POLL_IN | POLL_RDNORM;
        // Hang-up: every writer is gone — but a FIFO's reader that never had one is not hung
        // up (Linux compares w_counter with what the reader saw at open).
        if (m_writers == 0 && m_writers_seen != writers_seen_at_open)
            events |= POLL_HUP;
    }
    if (writes) {
        if (waiter)
            waiter->watch(m_writable);
        if (!m_ring.is_full())
            events |= POLL_OUT | POLL_WRNORM;
        if (m_readers == 0)
            events |= POLL_ERR;
    }
    return events;
}

Result<usize> Pipe::resize(u64 bytes, PipeUser caller)
{
    PipeLimits const& limits = pipe_limits();
    u64 pages = pipe_pages_for(bytes);
    if (pages == 0)
        return Errno::Invalid;
    bool grows = pages > m_ring.capacity() / PAGE_SIZE; // shrinking is allowed even over a limit
    if (grows && caller.bound_by_limits && pages * PAGE_SIZE > limits.max_size)
        return Errno::NotPermitted;
    // Charged before the check, as Linux does: the limits weigh the user's total with the
    // new size in place of the old.
    u64 user_pages = TRY(charge_pipe_pages(m_charged_uid, m_charged_pages, pages));
    bool over_limit = (limits.user_pages_hard && user_pages > limits.user_pages_hard)
        || (limits.user_pages_soft && user_pages > limits.user_pages_soft);
    auto capacity = grows && caller.bound_by_limits && over_limit ? Result<usize>(Errno::NotPermitted) : m_ring.resize(bytes);
    if (capacity.is_error()) {
        MUST(charge_pipe_pages(m_charged_uid, pages, m_charged_pages));
        return capacity.error();
    }
    m_charged_pages = pages;
    m_writable.wake_all(); // there may be room now
    return capacity.value();
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
    bool is_pollable() const override { return true; }
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

Result<PipeEnds> create_pipe(PipeUser maker)
{
    RefPtr<Pipe> pipe = TRY(Pipe::create(maker));
    // The read end has seen no writer: it hangs up once the write end is gone.
    RefPtr<File> read_end = TRY(create_pipe_end(pipe, PipeAccess::Read, 0, nullptr));
    RefPtr<File> write_end = TRY(create_pipe_end(pipe, PipeAccess::Write, 0, nullptr));
    return PipeEnds { read_end, write_end };
}
