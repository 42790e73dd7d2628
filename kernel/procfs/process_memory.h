// /proc/<pid>/mem: the process's memory at file offset = virtual address, as a debugger
// reads and pokes it. read() sees what the process could read (a gap or a PROT_NONE page
// ends it); write() is forced, as Linux's: a private mapping without PROT_WRITE gets the
// bytes in the process's own copy of the page, never in the file behind it
// (remote_write_forced). A call that moves no byte is EIO, as on Linux. Open for self, for
// a process of the same real user, or as root.
#pragma once

#include "kernel/fs/file.h"

class Process;
Result<RefPtr<File>> open_process_memory(Process&);
