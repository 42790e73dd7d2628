// Pipes: a ring of page-sized slots (16, Linux's default 64 KiB; F_SETPIPE_SZ changes the
// count) with a read end and a write end. Readers block while it is empty and a writer
// exists; writers block while it is full and a reader exists. With no writers left, read
// returns 0 (end of file); with no readers left, write fails with EPIPE and raises SIGPIPE.
// Both ends report readiness to poll() as Linux's pipe_poll does. A named pipe (FIFO) is
// the same Pipe, found through its inode while any end is open (fifo.h). Its pages are
// charged to the user who made it, within the limits of /proc/sys/fs (pipe_limits.h).
#pragma once

#include "file.h"
#include "kernel/lib/intrusive_list.h"
#include "kernel/sched/wait_queue.h"
#include "pipe_limits.h"
#include "pipe_ring.h"

class Pipe : public RefCounted<Pipe> {
public:
    // A pipe of 16 pages charged to `maker` — 2 if that passes the user's soft limit, none
    // (ENFILE) past the hard one, fewer than 16 when pipe-max-size is smaller (Linux's
    // alloc_pipe_info); the limits bind only a maker that PipeUser says they bind.
    static Result<RefPtr<Pipe>> create(PipeUser maker);
    // The pipe of FIFO `inode`: the one its open ends share, or a new one made by `opener`
    // (Linux's i_pipe; it goes, with any bytes left in it, when the last end closes).
    static Result<RefPtr<Pipe>> for_fifo(Inode&, PipeUser opener);
    ~Pipe();

    // Data, a page piece at a time (pipe_ring.h says what a fault part-way keeps).
    Result<usize> read(UserIo const&);
    Result<usize> write(UserIo const&);
    // POLL_* for an end that reads and/or writes; watches the queues that change them.
    u32 poll(bool reads, bool writes, u64 writers_seen_at_open, WaitSet*);

    // fcntl F_GETPIPE_SZ / F_SETPIPE_SZ (Linux's pipe_set_size) and FIONREAD. Growing
    // past pipe-max-size, or past its maker's soft or hard limit, is EPERM for a `caller`
    // the limits bind; then PipeRing::resize's EINVAL, EBUSY, ENOMEM. The new capacity.
    usize capacity() const { return m_ring.capacity(); }
    Result<usize> resize(u64 bytes, PipeUser caller);
    usize bytes_available() const { return m_ring.bytes(); }

    // Each end counts once as a reader and/or a writer; a new one wakes FIFO openers waiting
    // for a partner.
    void add_reader();
    void add_writer();
    void remove_reader();
    void remove_writer();
    unsigned readers() const { return m_readers; }
    unsigned writers() const { return m_writers; }
    // Readers and writers that ever opened the pipe (Linux's r_counter and w_counter): a read
    // end reports POLLHUP only once a writer it could have heard from has gone, and a FIFO
    // opener waits until the other count moves.
    u64 readers_seen() const { return m_readers_seen; }
    u64 writers_seen() const { return m_writers_seen; }
    // Sleeps until readers_seen() (or writers_seen()) differs from `seen`. Interrupted by a
    // signal: RestartSys.
    enum class Partner {
        Reader,
        Writer
    };
    Result<void> wait_for_partner(Partner, u64 seen);

private:
    Pipe() = default;

    PipeRing m_ring;
    u32 m_charged_uid { 0 }; // whose pages the ring's slots are (pipe_limits.h)
    u64 m_charged_pages { 0 };
    unsigned m_readers { 0 };
    unsigned m_writers { 0 };
    u64 m_readers_seen { 0 };
    u64 m_writers_seen { 0 };
    WaitQueue m_readable; // woken when bytes arrive or the last writer goes
    WaitQueue m_writable; // woken when a page frees or the last reader goes
    WaitQueue m_partner_opened; // woken when an end opens (FIFO opens wait here)
    Inode* m_fifo { nullptr }; // the FIFO's inode (kept alive by every end), or null
    ListNode m_fifo_node; // in the list of open FIFOs' pipes

public:
    using FifoList = IntrusiveList<Pipe, &Pipe::m_fifo_node>;
};

struct PipeEnds {
    RefPtr<File> read_end;
    RefPtr<File> write_end;
};

Result<PipeEnds> create_pipe(PipeUser maker);

// One end of `pipe` that reads, writes or both, counted as a reader and/or writer until it
// closes; `fifo`, the named pipe's inode, is what stat() reports (null for pipe()).
// `writers_seen_at_open` is the writers_seen() before which POLLHUP is held back.
enum class PipeAccess {
    Read,
    Write,
    ReadWrite
};
Result<RefPtr<File>> create_pipe_end(RefPtr<Pipe>, PipeAccess, u64 writers_seen_at_open, RefPtr<Inode> fifo);
