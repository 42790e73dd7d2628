#include "shutdown.h"
#include "kernel/dev/debug_exit.h"
#include "kernel/fs/ext2_mount.h"
#include "kernel/lib/log.h"
#include "kernel/lib/profile.h"
#include "kernel/mm/memory_context.h"
#include "vm_trace_process.h"

namespace {

ShutdownReport g_report;

// The /proc/vmstat text, one "vmstat NAME VALUE" line each, for tools/pagoda-run --stats.
void log_vm_counters()
{
    static char text[4096];
    MemoryContext& memory = kernel_memory_context();
    usize length = min<usize>(format_vmstat(memory.stats, memory.frames, text, sizeof text), sizeof text - 1);
    for (char* line = text; line < text + length;) {
        char* end = line;
        while (end < text + length && *end != '\n')
            ++end;
        klog_raw("vmstat ", 7);
        klog_raw(line, end - line + 1);
        line = end + 1;
    }
}

}

void shutdown_set_report(ShutdownReport report) { g_report = report; }

void shutdown_machine()
{
    if (ext2_sync_all(true).is_error())
        klog("shutdown: some data could not be written");
    vm_trace_dump_to_log(); // after the last write-back, which is part of the story
    klog("power off");
    debug_exit(DebugExitStatus::PowerOff);
}

void shutdown_after_init_exit(int wait_status)
{
    if (g_report.vm_counters)
        log_vm_counters();
    if (g_report.profile)
        profile_for_each([](ProfileStage const& stage) {
            klog("profile %-48s %8lu calls %12lu ns %10lu ns each", stage.name, stage.calls, stage.ticks,
                stage.calls ? stage.ticks / stage.calls : 0);
        });
    if (wait_status & 0x7f)
        klog("init exited: signal %d", wait_status & 0x7f);
    else
        klog("init exited: status %d", (wait_status >> 8) & 0xff);
    shutdown_machine();
}
