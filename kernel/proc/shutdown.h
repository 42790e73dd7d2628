// Powering off: write every file system back and mark it clean (DESIGN.md write-back rule
// 5), then end the machine (QEMU's isa-debug-exit). The first process's end does this too,
// after logging how it ended, which is how tools/pagoda-run learns its exit status.
#pragma once

// What to report in the log when the first process ends (boot options stats, profile).
struct ShutdownReport {
    bool vm_counters { false };
    bool profile { false };
};
void shutdown_set_report(ShutdownReport);

[[noreturn]] void shutdown_machine();
// Logs "init exited: status N" (or "signal N"), the requested report, then shuts down.
[[noreturn]] void shutdown_after_init_exit(int wait_status);
