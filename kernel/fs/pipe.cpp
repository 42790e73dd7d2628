#include "pipe.h"
#include "kernel/lib/memory.h"
#include "kernel/sched/wait_queue.h"

namespace {

class Pipe : public RefCounted<Pipe> {
public:
    static constexpr usize CAPACITY = 64 * KiB;

    Result<usize> read(u8* buffer, usize count)
    {
        while (m_used == 0) {
            if (m_writers == 0)
                return 0;
            if (m_readable.wait_interruptible() == WaitResult::Interrupted)
                return Errno::Interrupted;
        }
        usize n = min(count, m_used);
        for (usize i = 0; i < n; ++i)
            buffer[i] = m_data[(m_head + i) % CAPACITY];
        m_head = (m_head + n) % CAPACITY;
        m_used -= n;
        m_writable.wake_all();
        return n;
    }

    Result<usize> write(u8 const* buffer, usize count)
    {
        usize done = 0;
        while (done < count) {
            // No reader: EPIPE (the system-call layer raises SIGPIPE for it).
            if (m_readers == 0)
                return done ? Result<usize>(done) : Result<usize>(Errno::BrokenPipe);
            if (m_used == CAPACITY) {
                if (m_writable.wait_interruptible() == WaitResult::Interrupted)
                    return done ? Result<usize>(done) : Result<usize>(Errno::Interrupted);
                continue;
            }
            usize n = min(count - done, CAPACITY - m_used);
            for (usize i = 0; i < n; ++i)
                m_data[(m_head + m_used + i) % CAPACITY] = buffer[done + i];
            m_used += n;
            done += n;
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
    Result<usize> read(u8* buffer, usize count, u64) override
    {
        if (m_is_write_end)
            return Errno::BadFd;
        return m_pipe->read(buffer, count);
    }
    Result<usize> write(u8 const* buffer, usize count, u64) override
    {
        if (!m_is_write_end)
            return Errno::BadFd;
        return m_pipe->write(buffer, count);
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
