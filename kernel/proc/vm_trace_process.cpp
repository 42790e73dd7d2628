#include "vm_trace_process.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/lib/format.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/mm/memory_context.h"
#include "kernel/mm/vm_trace_events.h"
#include "kernel/sched/scheduler.h"
#include "process.h"

namespace {

VmTraceRecord* g_slots = nullptr;

void current_ids(u32& pid, u32& tid)
{
    Thread* thread = current_thread();
    if (!thread || !thread->process())
        return; // a kernel thread: pid 0
    pid = thread->process()->pid();
    tid = thread->tid();
}

VmTraceRecord record_of(VmEvent event)
{
    VmTraceRecord record {};
    record.event = event;
    return record;
}

void trace_process_memory(Process& process)
{
    if (!process.has_address_space())
        return;
    u64 tables;
    (void)trace_address_space(process.address_space(), process.pid(), tables);
}

// The last part of a path: what the trace calls a program.
char const* base_name(char const* path)
{
    char const* name = path;
    for (char const* c = path; *c; ++c)
        if (*c == '/')
            name = c + 1;
    return name;
}

void record_exec(Process& process)
{
    VmTraceRecord exec = record_of(VmEvent::Exec);
    pack_trace_text(exec, 0, base_name(process.executable_path()));
    vm_trace_record(exec, process.pid());
}

}

Result<void> vm_trace_switch_on(u64 records)
{
    vm_trace_switch_off();
    delete[] g_slots;
    g_slots = new (std::nothrow) VmTraceRecord[records * VM_TRACE_CPUS];
    if (!g_slots)
        return Errno::NoMemory;
    vm_trace_set_sources({ .clock_ns = monotonic_nanoseconds, .current_ids = current_ids });
    FrameAllocator& frames = kernel_memory_context().frames;
    vm_trace_start(g_slots, records, frames.total_frames(), frames.free_frames());
    // What the viewer needs to draw "page → frame" for what exists already.
    for_each_process([](Process& process) {
        record_exec(process);
        trace_process_memory(process);
    });
    return {};
}

void vm_trace_switch_off() { vm_trace_stop(); }

void trace_fork(Process& parent, Process& child, bool vfork)
{
    VmTraceRecord fork = record_of(VmEvent::Fork);
    fork.arg[0] = child.pid();
    fork.kind = vfork ? 1 : 0;
    if (!vfork) // a vfork child shares its parent's pages: nothing new to draw
        fork.arg[1] = trace_address_space(child.address_space(), child.pid(), fork.arg[2], false);
    vm_trace_record(fork, parent.pid());
    if (!vfork)
        trace_process_memory(child);
}

void trace_vfork_end(Process& child, bool by_exit)
{
    if (!child.holds_vfork_parent())
        return;
    VmTraceRecord end = record_of(VmEvent::VforkEnd);
    end.arg[0] = child.parent() ? child.parent()->pid() : 0;
    end.kind = by_exit ? 1 : 0;
    vm_trace_record(end, child.pid());
}

void trace_exec(Process& process)
{
    record_exec(process);
    trace_process_memory(process);
}

void trace_exit(Process& process, int wait_status)
{
    VmTraceRecord exit = record_of(VmEvent::Exit);
    exit.arg[0] = static_cast<u32>(wait_status);
    vm_trace_record(exit, process.pid());
}

void vm_trace_dump_to_log()
{
    if (!g_slots)
        return;
    vm_trace_stop(); // what the dump itself does is not part of the story
    klog_raw("vmtrace begin\n", 14);
    char line[256];
    while (vm_trace_next_line(line, sizeof line)) {
        klog_raw("vmtrace ", 8);
        klog_raw(line, strlen(line));
        klog_raw("\n", 1);
    }
    char end[64];
    usize n = format(end, sizeof end, "vmtrace end dropped=%lu\n", vm_trace_dropped());
    klog_raw(end, min(n, sizeof end - 1));
}
