// What the kernel does with each interrupt and exception (entered from interrupts.S).
// A fault caused by a user program becomes a signal to that program; a fault in the kernel
// itself is a kernel bug and panics.
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/lib/profile.h"
#include "kernel/arch/x86_64/idt.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/dev/virtio_blk.h"
#include "kernel/fs/console.h"
#include "kernel/log.h"
#include "kernel/mm/reclaim.h"
#include "kernel_lock.h"
#include "process.h"
#include "scheduler.h"
#include "signal.h"

void panic_with_trap_frame(TrapFrame const& frame, char const* reason);

namespace {

char const* const EXCEPTION_NAMES[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode", "device not available",
    "double fault", "coprocessor segment overrun", "invalid TSS", "segment not present", "stack fault",
    "general protection fault", "page fault", "reserved", "x87 floating-point error", "alignment check",
    "machine check", "SIMD floating-point error", "virtualization", "control protection", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved", "hypervisor injection", "VMM communication", "security",
    "reserved"
};

// The signal Linux sends for each exception raised by user code, with its si_code and
// si_addr (arch/x86/kernel/traps.c: the faulting instruction for #DE and #UD; nothing for
// #GP, #SS, #NP and int3, which report SI_KERNEL).
FaultSignal signal_for_exception(TrapFrame const& frame)
{
    switch (frame.vector) {
    case 0:
        return { SIGFPE, FPE_INTDIV, frame.rip };
    case 16:
    case 19:
        return { SIGFPE, SI_KERNEL, frame.rip };
    case 1:
        return { SIGTRAP, TRAP_BRKPT, frame.rip };
    case 3:
        return { SIGTRAP, SI_KERNEL, 0 };
    case 6:
        return { SIGILL, ILL_ILLOPN, frame.rip };
    case 11:
    case 12:
        return { SIGBUS, SI_KERNEL, 0 };
    case 17:
        return { SIGBUS, BUS_ADRALN, 0 };
    default:
        return { SIGSEGV, SI_KERNEL, 0 };
    }
}

void handle_page_fault(TrapFrame& frame)
{
    u64 address = frame.cr2; // read at entry: CR2 may belong to another fault by now
    // Error code bits (Intel SDM 4.7): 1 = write, 4 = user, 16 = instruction fetch.
    FaultAccess access = (frame.error_code & 16) ? FaultAccess::Execute
        : (frame.error_code & 2)                 ? FaultAccess::Write
                                                 : FaultAccess::Read;
    Process& process = current_process();
    switch (process.address_space().handle_fault(address, access)) {
    case FaultResult::Handled:
        return;
    case FaultResult::Segv:
        // Linux: SEGV_ACCERR where a mapping exists but forbids the access, else SEGV_MAPERR.
        deliver_fault_signal(frame,
            { SIGSEGV, process.address_space().find_mapping(address) ? SEGV_ACCERR : SEGV_MAPERR, address });
        return;
    case FaultResult::Bus:
        deliver_fault_signal(frame, { SIGBUS, BUS_ADRERR, address });
        return;
    case FaultResult::OutOfMemory:
        klog("pid %u: out of memory at %lx, killed", process.pid(), address);
        process.exit(wait_status_signaled(SIGKILL));
    }
}

}

// Exceptions raised by user code: page faults (resolved, or a signal) and the rest (a signal).
// They run under the kernel lock: resolving a page fault may read the disk.
void handle_user_exception(TrapFrame& frame)
{
    PROFILE("trap: user exception, lock to unlock");
    kernel_lock_acquire();
    reclaim_if_low(kernel_memory_context());
    if (frame.vector == PAGE_FAULT_VECTOR)
        handle_page_fault(frame);
    else
        deliver_fault_signal(frame, signal_for_exception(frame));
    kernel_lock_release();
}

extern "C" void trap_dispatch(TrapFrame* frame)
{
    u64 vector = frame->vector;
    if (vector < 32) {
        if (!frame->from_user()) {
            if (vector == PAGE_FAULT_VECTOR)
                panic_with_trap_frame(*frame, "page fault in kernel mode");
            panic_with_trap_frame(*frame, EXCEPTION_NAMES[vector]);
        }
        handle_user_exception(*frame);
    } else if (vector == IRQ_BASE_VECTOR + 0) {
        pic_end_of_interrupt(0);
        scheduler_tick(*frame);
    } else if (vector == IRQ_BASE_VECTOR + 4) {
        console_receive_interrupt();
        pic_end_of_interrupt(4);
    } else if (vector >= IRQ_BASE_VECTOR && vector < IRQ_BASE_VECTOR + 16) {
        virtio_blk_handle_interrupt(static_cast<int>(vector - IRQ_BASE_VECTOR));
        // Spurious IRQ 7/15 or an unexpected device: acknowledge and ignore.
        pic_end_of_interrupt(vector - IRQ_BASE_VECTOR);
    }
    // A signal sent while this thread ran in user mode (kill from another process).
    if (frame->from_user() && signal_pending()) {
        kernel_lock_acquire();
        handle_pending_signals();
        kernel_lock_release();
    }
}
