// trap_dispatch: where every exception and interrupt goes after interrupts.S has saved a
// TrapFrame (and the fault address) on the kernel stack.
#include "traps.h"
#include "ap_start.h"
#include "entry.h"
#include "idt.h"
#include "kernel/lib/signal_numbers.h"
#include "kernel_memory.h"
#include "kernel_mode_lock.h"
#include "local_apic.h"
#include "per_cpu.h"
#include "pic.h"
#include "tlb_shootdown.h"
#include "user_copy.h"

namespace {

char const* const EXCEPTION_NAMES[32] = { "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack fault", "general protection fault", "page fault", "reserved", "x87 floating-point error", "alignment check",
    "machine check", "SIMD floating-point error", "virtualization", "control protection", "reserved", "reserved", "reserved",
    "reserved", "reserved", "reserved", "hypervisor injection", "VMM communication", "security", "reserved" };

InterruptHandler g_handlers[IRQ_COUNT];
void (*g_local_timer_handler)(TrapFrame&);
// PerCpu::deferred_irqs: bits 0-15 are PIC lines, this one the local timer.
constexpr unsigned DEFERRED_LOCAL_TIMER_BIT = IRQ_COUNT;

// Page-fault error code bits (Intel SDM vol. 3, 4.7).
constexpr u64 PF_PRESENT = 1 << 0, PF_WRITE = 1 << 1, PF_INSTRUCTION_FETCH = 1 << 4;

// The exception as Linux reports it to user code: the signal, si_code and si_addr (the
// faulting instruction for #DE and #UD; nothing for #GP, #SS, #NP and int3: SI_KERNEL).
UserTrap decode_user_exception(TrapFrame const& frame)
{
    UserTrap trap { UserTrap::Kind::Signal, 0, FaultAccess::Read, SIGSEGV, SI_KERNEL };
    switch (frame.vector) {
    case PAGE_FAULT_VECTOR:
        trap.kind = UserTrap::Kind::PageFault;
        trap.address = frame.cr2;
        trap.access = (frame.error_code & PF_INSTRUCTION_FETCH) ? FaultAccess::Execute
            : (frame.error_code & PF_WRITE)                     ? FaultAccess::Write
                                                                : FaultAccess::Read;
        return trap;
    case 0:
        trap = { UserTrap::Kind::Signal, frame.rip, FaultAccess::Read, SIGFPE, FPE_INTDIV };
        return trap;
    case 16:
    case 19:
        trap = { UserTrap::Kind::Signal, frame.rip, FaultAccess::Read, SIGFPE, SI_KERNEL };
        return trap;
    case 1:
        trap = { UserTrap::Kind::Signal, frame.rip, FaultAccess::Read, SIGTRAP, TRAP_BRKPT };
        return trap;
    case 3:
        trap.signal = SIGTRAP;
        return trap;
    case 6:
        trap = { UserTrap::Kind::Signal, frame.rip, FaultAccess::Read, SIGILL, ILL_ILLOPN };
        return trap;
    case 11:
    case 12:
        trap.signal = SIGBUS;
        return trap;
    case 17:
        trap.signal = SIGBUS;
        trap.code = BUS_ADRALN;
        return trap;
    default:
        return trap; // #GP and the rest: SIGSEGV, SI_KERNEL, si_addr 0
    }
}

}

void interrupt_set_handler(unsigned irq, InterruptHandler handler)
{
    g_handlers[irq] = handler;
    pic_unmask(irq);
}

void local_timer_set_handler(void (*handler)(TrapFrame&)) { g_local_timer_handler = handler; }

namespace {

// The IPIs: answered without the kernel-mode lock, whose holder may be the CPU that sent
// them and is waiting for the answer (a TLB shootdown). The spurious vector is not
// acknowledged (the SDM: it sets no in-service bit).
void answer_ipi(u64 vector)
{
    if (vector == IPI_TLB_SHOOTDOWN_VECTOR)
        tlb_shootdown_answer();
    if (vector == IPI_WAKE_VECTOR)
        ipi_wake_received();
    if (vector != LOCAL_APIC_SPURIOUS_VECTOR)
        local_apic_end_of_interrupt();
}

bool is_ipi(u64 vector)
{
    return vector == IPI_WAKE_VECTOR || vector == IPI_TLB_SHOOTDOWN_VECTOR || vector == LOCAL_APIC_SPURIOUS_VECTOR;
}

void dispatch_with_kernel_mode_lock(TrapFrame* frame)
{
    u64 vector = frame->vector;
    if (vector < 32) {
        if (!frame->from_user()) {
            // The one fault the kernel takes on purpose: a copy to or from user memory
            // touching a page the user's own access would fault on (user_copy.S).
            if (vector == PAGE_FAULT_VECTOR && resolve_user_copy_fault(*frame))
                return;
            // An overflow runs into the unmapped guard page below the stack; the CPU then
            // cannot push the page fault's frame either and raises a double fault.
            bool stack_overflow
                = (vector == PAGE_FAULT_VECTOR || vector == DOUBLE_FAULT_VECTOR) && is_kernel_stack_guard(frame->cr2);
            panic_with_trap_frame(*frame, stack_overflow ? "kernel stack overflow (guard page hit)" : EXCEPTION_NAMES[vector]);
        }
        handle_user_trap(*frame, decode_user_exception(*frame));
    } else if (vector >= IRQ_BASE_VECTOR && vector < IRQ_BASE_VECTOR + IRQ_COUNT) {
        unsigned irq = vector - IRQ_BASE_VECTOR;
        // Acknowledge first: the handler may switch to another thread (the timer does),
        // and the line must be able to interrupt that thread. Interrupts stay disabled
        // until the handler returns, so it is not re-entered. Spurious IRQ 7/15 and lines
        // without a handler are acknowledged and ignored.
        pic_end_of_interrupt(irq);
        if (g_handlers[irq])
            g_handlers[irq](irq, *frame);
    } else if (vector == LOCAL_TIMER_VECTOR) {
        if (g_local_timer_handler)
            g_local_timer_handler(*frame);
    }
}

}

void run_deferred_interrupts()
{
    PerCpu& cpu = this_cpu();
    TrapFrame in_kernel {};
    in_kernel.cs = KERNEL_CODE_SELECTOR;
    while (u32 lines = cpu.deferred_irqs) {
        unsigned bit = __builtin_ctz(lines);
        cpu.deferred_irqs = lines & ~(1u << bit);
        if (bit == DEFERRED_LOCAL_TIMER_BIT) {
            if (g_local_timer_handler)
                g_local_timer_handler(in_kernel);
            continue;
        }
        pic_end_of_interrupt(bit);
        if (g_handlers[bit])
            g_handlers[bit](bit, in_kernel);
    }
}

extern "C" void trap_dispatch(TrapFrame* frame)
{
    // The local timer is acknowledged before anything else: while its vector is in service
    // the local APIC holds back every vector of its priority class (16 at a time), the
    // IPIs too, and the kernel-mode lock's wait (maybe a halt) needs those.
    if (frame->vector == LOCAL_TIMER_VECTOR)
        local_apic_end_of_interrupt();
    if (this_cpu().halted_for_kernel_mode_lock && !is_ipi(frame->vector)) {
        // It came into the halt of kernel_mode_lock_acquire: the lock is not ours yet. A
        // PIC line stays in service (no end-of-interrupt: it cannot fire again meanwhile)
        // until the lock is. The local timer is one-shot: it will not come again, so it is
        // remembered too, and its handler runs once the lock is ours.
        if (frame->vector >= IRQ_BASE_VECTOR && frame->vector < IRQ_BASE_VECTOR + IRQ_COUNT)
            this_cpu().deferred_irqs |= 1u << (frame->vector - IRQ_BASE_VECTOR);
        else if (frame->vector == LOCAL_TIMER_VECTOR)
            this_cpu().deferred_irqs |= 1u << DEFERRED_LOCAL_TIMER_BIT;
        else
            panic_with_trap_frame(*frame, "exception while waiting for the kernel-mode lock");
        return;
    }
    if (is_ipi(frame->vector)) {
        answer_ipi(frame->vector);
        if (!frame->from_user())
            return; // a halt it ended: the idle loop looks at the run queue itself
        // A wake IPI to user code is how another CPU makes this thread notice a signal.
        kernel_mode_lock_acquire();
        prepare_return_to_user(*frame);
        kernel_mode_lock_release();
        return;
    }
    // A user page fault may be the one kernel work that runs beside other CPUs'.
    // (Only a fault on an absent page can be served that way: a fault on a present page —
    // copy-on-write — need not pay for the attempt.)
    if (frame->vector == PAGE_FAULT_VECTOR && frame->from_user() && !(frame->error_code & PF_PRESENT)
        && resolve_page_fault_in_parallel(decode_user_exception(*frame)))
        return;
    // Everything else is kernel work. A fault in a user copy comes from kernel code that
    // holds the lock already; otherwise this CPU was in user mode or halted in the idle
    // loop. Whichever thread is current when the handler ends gives the lock back — a
    // handler may switch threads, and this one may come back later, even on another CPU.
    bool taken_here = !kernel_mode_lock_held_here();
    if (taken_here)
        kernel_mode_lock_acquire();
    dispatch_with_kernel_mode_lock(frame);
    if (frame->from_user())
        prepare_return_to_user(*frame);
    if (taken_here)
        kernel_mode_lock_release();
}
