#include "fifo.h"
#include "inode.h"
#include "pipe.h"

Result<RefPtr<File>> open_fifo(Inode& inode, int flags, PipeUser opener)
{
    RefPtr<Pipe> pipe = TRY(Pipe::for_fifo(inode, opener));
    bool nonblocking = flags & O_NONBLOCK;
    switch (flags & O_ACCMODE) {
    case O_RDONLY: {
        // Without a writer yet, a non-blocking reader holds POLLHUP back until one has been.
        u64 hold_hang_up_until = pipe->writers() == 0 && nonblocking ? pipe->writers_seen() : 0;
        u64 writers_seen = pipe->writers_seen();
        RefPtr<File> end = TRY(create_pipe_end(pipe, PipeAccess::Read, hold_hang_up_until, RefPtr<Inode>(&inode)));
        if (pipe->writers() == 0 && !nonblocking)
            TRY(pipe->wait_for_partner(Pipe::Partner::Writer, writers_seen)); // an interrupted open closes its end
        return end;
    }
    case O_WRONLY: {
        if (nonblocking && pipe->readers() == 0)
            return Errno::NoDeviceOrAddress;
        u64 readers_seen = pipe->readers_seen();
        RefPtr<File> end = TRY(create_pipe_end(pipe, PipeAccess::Write, 0, RefPtr<Inode>(&inode)));
        if (pipe->readers() == 0)
            TRY(pipe->wait_for_partner(Pipe::Partner::Reader, readers_seen));
        return end;
    }
    case O_RDWR:
        return create_pipe_end(pipe, PipeAccess::ReadWrite, 0, RefPtr<Inode>(&inode));
    default:
        return Errno::Invalid;
    }
}
