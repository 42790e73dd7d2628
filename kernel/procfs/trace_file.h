// /proc/pagoda/trace: the VM event trace (mm/vm_trace.h, docs/vmview.md). Reading takes the
// waiting records as text lines, oldest first, and returns 0 (end of file) when none is
// waiting — a reader that comes back later gets what happened since, as from Linux's
// trace_pipe, but without blocking. Writing "on" (or "on N": N records per CPU, 1024 to
// 1048576) starts a fresh trace with a snapshot of every process; "off" stops recording,
// keeping what is waiting for the reader. Anything else is EINVAL, with a log line.
#pragma once

#include "kernel/fs/file.h"

Result<RefPtr<File>> open_vm_trace_file(bool for_writing);
