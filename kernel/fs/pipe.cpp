// Pipes: a 64 KiB ring between a read end and a write end. Bytes move straight between the
// ring and user memory, a contiguous piece at a time, and a piece counts only if it was
// copied whole — as in Linux, where a pipe buffer that faults part-way is neither consumed
// nor committed: a read into a buffer that runs into a read-only page returns EFAULT (or
// the pieces before it) and leaves the bytes in the pipe; a write from a half-unmapped
// buffer adds nothing of the piece that faulted. Nothing taken from a pipe is ever lost.
//
// Locking: the kernel lock. A copy may fault on the user buffer, and that fault may wait for
// the disk with the lock kept, so nothing else touches the ring meanwhile.
#include "pipe.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/user_memory.h"
#include "kernel/sched/wait_queue.h"

namespace {

// POSIX: a write of at most PIPE_BUF bytes is atomic — never interleaved with another.
constexpr usize PIPE_BUF = 4096;

class Pipe : public RefCounted<Pipe> {
public:
    static constexpr usize CAPACITY = 64 * KiB;

    Result<usize> read(UserIo const& io)
    {
        while (m_used == 0) {
            if (m_writers == 0)
                return 0;
            if (io.nonblocking)
                return Errno::TryAgain;
            if (m_readable.wait_interruptible() == WaitResult::Interrupted)
                return Errno::RestartSys;
        }
        usize want = min(io.count, m_used);
        usize done = 0;
        while (done < want) {
            usize at = (m_head + done) % CAPACITY;
            usize piece = min(want - done, CAPACITY - at); // up to the ring's end
            auto copied = copy_to_user(io.space, io.buffer + done, m_data + at, piece);
            if (copied.is_error()) {
                if (done == 0)
                    return copied.error();
                break;
            }
            done += piece;
        }
        m_head = (m_head + done) % CAPACITY;
        m_used -= done;
        m_writable.wake_all();
        return done;
    }

    Result<usize> write(UserIo const& io)
    {
        usize done = 0;
        while (done < io.count) {
            // No reader: EPIPE (the system-call layer raises SIGPIPE for it).
            if (m_readers == 0)
                return done ? Result<usize>(done) : Result<usize>(Errno::BrokenPipe);
            usize room = CAPACITY - m_used;
            usize left = io.count - done;
            if (room == 0 || (io.count <= PIPE_BUF && room < left)) {
                if (io.nonblocking)
                    return done ? Result<usize>(done) : Result<usize>(Errno::TryAgain);
                if (m_writable.wait_interruptible() == WaitResult::Interrupted)
                    return done ? Result<usize>(done) : Result<usize>(Errno::RestartSys);
                continue;
            }
            usize n = min(left, room);
            for (usize copied = 0; copied < n;) {
                usize at = (m_head + m_used) % CAPACITY;
                usize piece = min(n - copied, CAPACITY - at); // up to the ring's end
                auto result = copy_from_user(io.space, m_data + at, io.buffer + done, piece);
                if (result.is_error()) {
                    if (done > 0)
                        m_readable.wake_all();
                    return done ? Result<usize>(done) : Result<usize>(result.error());
                }
                m_used += piece;
                done += piece;
                copied += piece;
            }
            m_readable.wake_all();
        }
        return done;
    }

    void add_reader() { ++m_readers; }
    void add_writer() { ++m_writers; }
    void remove_reader()
    {
        --m_readers;
        m_writable.wake_all();
    }
    void remove_writer()
    {
        --m_writers;
        m_readable.wake_all();
    }
    ~Pipe() { delete[] m_data; }
    static Pipe* create()
    {
        auto* pipe = new (std::nothrow) Pipe;
        if (!pipe)
            return nullptr;
        pipe->m_data = new (std::nothrow) u8[CAPACITY];
        if (!pipe->m_data) {
            delete pipe;
            return nullptr;
        }
        return pipe;
    }

private:
    Pipe() = default;
    u8* m_data { nullptr };
    usize m_head { 0 };
    usize m_used { 0 };
    unsigned m_readers { 0 };
    unsigned m_writers { 0 };
    WaitQueue m_readable;
    WaitQueue m_writable;
};

// One end of a pipe; its lifetime is the count of readers or writers.
class PipeEnd final : public File {
public:
    PipeEnd(RefPtr<Pipe> pipe, bool is_write_end) : m_pipe(pipe), m_is_write_end(is_write_end)
    {
        if (is_write_end)
            m_pipe->add_writer();
        else
            m_pipe->add_reader();
    }
    ~PipeEnd() override
    {
        if (m_is_write_end)
            m_pipe->remove_writer();
        else
            m_pipe->remove_reader();
    }
    Result<usize> read_to_user(UserIo const& io) override
    {
        if (m_is_write_end)
            return Errno::BadFd;
        return m_pipe->read(io);
    }
    Result<usize> write_from_user(UserIo const& io) override
    {
        if (!m_is_write_end)
            return Errno::BadFd;
        return m_pipe->write(io);
    }
    void stat(LinuxStat& out) const override
    {
        out = {};
        out.st_mode = 0010000 | 0600; // S_IFIFO
        out.st_nlink = 1;
        out.st_blksize = PAGE_SIZE;
        out.st_dev = 4;
    }
    bool is_seekable() const override { return false; }

private:
    RefPtr<Pipe> m_pipe;
    bool m_is_write_end;
};

}

Result<PipeEnds> create_pipe()
{
    Pipe* raw = Pipe::create();
    if (!raw)
        return Errno::NoMemory;
    RefPtr<Pipe> pipe = adopt_ref(raw);
    auto* reader = new (std::nothrow) PipeEnd(pipe, false);
    if (!reader)
        return Errno::NoMemory;
    RefPtr<File> read_end = adopt_ref<File>(reader);
    auto* writer = new (std::nothrow) PipeEnd(pipe, true);
    if (!writer)
        return Errno::NoMemory;
    return PipeEnds { read_end, adopt_ref<File>(writer) };
}
