#include "signal.h"
#include "kernel/log.h"
#include "process.h"

char const* signal_name(int signal)
{
    switch (signal) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGILL:
        return "SIGILL";
    case SIGFPE:
        return "SIGFPE";
    case SIGTRAP:
        return "SIGTRAP";
    case SIGKILL:
        return "SIGKILL";
    default:
        return "signal";
    }
}

void deliver_fault_signal(TrapFrame& frame, int signal, u64 address)
{
    Process& process = current_process();
    klog("pid %u (%s) killed by %s: address %lx, rip %lx", process.pid(), process.executable_path(), signal_name(signal),
        address, frame.rip);
    process.exit(wait_status_signaled(signal));
}
