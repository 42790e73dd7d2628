// Pipes: a 64 KiB ring buffer (Linux's default capacity) with a read end and a write end.
// Readers block while it is empty and a writer exists; writers block while it is full and a
// reader exists. With no writers left, read returns 0 (end of file); with no readers left,
// write fails with EPIPE and raises SIGPIPE.
#pragma once

#include "file.h"

struct PipeEnds {
    RefPtr<File> read_end;
    RefPtr<File> write_end;
};

Result<PipeEnds> create_pipe();
