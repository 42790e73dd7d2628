// What the kernel does with an exception raised by user code, once arch/ has decoded it
// (arch/x86_64/traps.cpp): a page fault is resolved by the address space or becomes
// SIGSEGV/SIGBUS; any other exception is a signal to the program. A fault caused by the
// kernel itself never comes here: it panics in trap_dispatch.
#include "kernel/arch/x86_64/entry.h"
#include "kernel/arch/x86_64/kernel_mode_lock.h"
#include "kernel/lib/profile.h"
#include "kernel/mm/parallel_fault.h"
#include "kernel/mm/reclaim.h"
#include "kernel/sched/kernel_lock.h"
#include "oom.h"
#include "process.h"
#include "signal.h"

namespace {

void resolve_page_fault(TrapFrame& frame, UserTrap const& trap)
{
    Process& process = current_process();
    AddressSpace& space = process.address_space();
    switch (handle_page_fault(space, trap.address, trap.access)) {
    case FaultResult::Handled:
    case FaultResult::Retry: // the page changed while the fault slept: run the access again
        return;
    case FaultResult::Segv:
        // Linux: SEGV_ACCERR where a mapping exists but forbids the access, else SEGV_MAPERR.
        deliver_fault_signal(frame, SIGSEGV, space.find_mapping(trap.address) ? SEGV_ACCERR : SEGV_MAPERR, trap.address);
        return;
    case FaultResult::Bus:
        deliver_fault_signal(frame, SIGBUS, BUS_ADRERR, trap.address);
        return;
    case FaultResult::OutOfMemory:
        // proc/oom.h: another process may die for it, and this access then runs again.
        switch (out_of_memory(process, trap.address)) {
        case OomOutcome::RetryNow:
            return;
        case OomOutcome::Retry:
            oom_wait();
            return;
        case OomOutcome::KillFaulter:
            process.exit(wait_status_signaled(SIGKILL));
        }
    }
}

}

// Runs under the kernel lock: resolving a page fault may read the disk.
void handle_user_trap(TrapFrame& frame, UserTrap const& trap)
{
    PROFILE("trap: user exception, lock to unlock");
    kernel_lock_acquire();
    reclaim_if_low(kernel_memory_context());
    if (trap.kind == UserTrap::Kind::PageFault)
        resolve_page_fault(frame, trap);
    else
        deliver_fault_signal(frame, trap.signal, trap.code, trap.address);
    kernel_lock_release();
}

bool resolve_page_fault_in_parallel(UserTrap const& trap)
{
    // A few microseconds' wait under TCG: about a serial fault's or a tick's time, far less
    // than a munmap of many pages, which this fault then waits for in the serial path.
    constexpr u32 SPINS_FOR_A_SHARED_TURN = 2000;
    if (!kernel_mode_lock_acquire_shared(SPINS_FOR_A_SHARED_TURN))
        return false;
    bool handled = kernel_lock_is_free()
        && try_parallel_fault(current_process().address_space(), trap.address, trap.access) == ParallelFault::Handled;
    kernel_mode_lock_release_shared();
    return handled;
}

// A signal sent while this thread ran in user mode (kill from another process).
void prepare_return_to_user(TrapFrame&)
{
    if (!signal_pending())
        return;
    kernel_lock_acquire();
    handle_pending_signals();
    kernel_lock_release();
}
