// The VM trace's process events and its switch (mm/vm_trace.h has the ring): fork and vfork
// with a snapshot of the child's pages, the end of a vfork, exec with a snapshot of the new
// address space, exit; turning the trace on (boot option trace=vm, or a write to
// /proc/pagoda/trace) with a snapshot of every process; and the dump of what is left to the
// kernel log at shutdown, which is how tools/trace brings a trace to the host.
#pragma once

#include "kernel/lib/result.h"
#include "kernel/mm/vm_trace.h"

class Process;

// The ring's size when none is asked for: 64 Ki records, 4 MiB.
constexpr u64 VM_TRACE_DEFAULT_RECORDS = 64 * 1024;

// Allocates the rings (`records` per CPU) and starts recording, with a snapshot of every
// process's mappings and pages. Already on: starts afresh. NoMemory if the rings do not fit.
Result<void> vm_trace_switch_on(u64 records = VM_TRACE_DEFAULT_RECORDS);
void vm_trace_switch_off();

void trace_fork(Process& parent, Process& child, bool vfork);
void trace_vfork_end(Process& child, bool by_exit);
void trace_exec(Process&);
void trace_exit(Process&, int wait_status);

// Writes every waiting line to the kernel log between "vmtrace begin" and "vmtrace end"
// lines, each as "vmtrace LINE" (tools/trace extracts them). Nothing if never switched on.
void vm_trace_dump_to_log();
