#include "file.h"
#include "epoll.h"
#include "file_lock.h"
#include "kernel/mm/user_memory.h"

namespace {
constexpr usize BOUNCE = 4096;
}

Result<usize> File::read_to_user(UserIo const& io)
{
    u8 chunk[BOUNCE];
    usize done = 0;
    while (done < io.count) {
        usize want = min<usize>(BOUNCE, io.count - done);
        auto n = read(chunk, want, io.offset + done);
        if (n.is_error())
            return done ? Result<usize>(done) : Result<usize>(n.error());
        if (n.value() == 0)
            break;
        auto copied = copy_to_user_partial(io.space, io.buffer + done, chunk, n.value());
        if (copied.is_error())
            return done ? Result<usize>(done) : Result<usize>(copied.error());
        done += copied.value();
        // A fault part-way, a short read (end of file), or any data from a stream whose
        // next read could block: stop here.
        if (copied.value() < n.value() || n.value() < want || !is_seekable())
            break;
    }
    return done;
}

Result<usize> File::write_from_user(UserIo const& io)
{
    u8 chunk[BOUNCE];
    usize done = 0;
    while (done < io.count) {
        usize want = min<usize>(BOUNCE, io.count - done);
        auto copied = copy_from_user_partial(io.space, chunk, io.buffer + done, want);
        if (copied.is_error())
            return done ? Result<usize>(done) : Result<usize>(copied.error());
        // The part that could be copied is written, as Linux writes a buffer's first part.
        auto n = write(chunk, copied.value(), io.offset + done);
        if (n.is_error())
            return done ? Result<usize>(done) : Result<usize>(n.error());
        done += n.value();
        if (n.value() < want)
            break;
    }
    return done;
}

OpenFile::~OpenFile()
{
    release_open_file_locks(*m_file, lock_owner());
    if (epoll_items)
        release_epoll_items(*this);
    delete[] m_path;
}
