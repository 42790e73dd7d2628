// Named pipes (FIFOs, mkfifo/mknod S_IFIFO): an inode whose open() gives an end of a pipe
// that every open end of the same inode shares. Opening waits for the other side, as on
// Linux (fifo_open):
//
//   O_RDONLY            waits until a writer opens (with O_NONBLOCK: at once, and the read
//                       end does not report POLLHUP before a writer has come and gone)
//   O_WRONLY            waits until a reader opens (with O_NONBLOCK and no reader: ENXIO)
//   O_RDWR              never waits: it is both a reader and a writer
//
// A wait a signal interrupts fails with ERESTARTSYS (EINTR, or a restart under SA_RESTART).
// The first opener makes the pipe, and its pages are charged to that user (pipe_limits.h):
// vfs_open calls this for a FIFO, since Inode::open does not know who opens.
#pragma once

#include "file.h"
#include "pipe_limits.h"

Result<RefPtr<File>> open_fifo(Inode&, int flags, PipeUser opener);
