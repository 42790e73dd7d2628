// Traps: the CPU's exceptions and interrupts, decoded here into the kernel's own terms so
// that nothing above arch/ reads an x86 error code or talks to the interrupt controller.
//
//   page fault in a user copy     → resolved like the user's fault (user_copy.h)
//   vector 0..31 from the kernel  → panic (a kernel bug)
//   vector 0..31 from user code   → a UserTrap: a page fault (address, access) to resolve,
//                                   or the signal Linux sends for the exception
//   vector 32..47 (PIC IRQ 0..15) → the handler installed for that line
//   the local APIC's timer        → the handler installed for it (the other CPUs' tick)
//   IPIs (wake, TLB shootdown)    → answered at once, without the kernel-mode lock
//   syscall instruction           → syscall_dispatch (interrupts.S calls it directly)
// Everything but the IPIs runs under the kernel-mode lock (kernel_mode_lock.h).
#pragma once

#include "kernel/lib/signal_codes.h"
#include "kernel/lib/signal_numbers.h"
#include "kernel/mm/fault.h"
#include "trap_frame.h"

// An exception raised by user code.
struct UserTrap {
    enum class Kind {
        PageFault,
        Signal
    };
    Kind kind;
    // PageFault: the address (CR2, read at entry) and the access that faulted.
    // Signal: si_addr for the handler.
    u64 address;
    FaultAccess access;
    // Signal: the signal and si_code Linux sends for this exception (arch/x86/kernel/traps.c).
    int signal;
    int code;
};

// Linux's si_code values used for exceptions (asm-generic/siginfo.h; SI_KERNEL: signal_numbers.h).
constexpr int SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1, BUS_ADRERR = 2, ILL_ILLOPN = 2, FPE_INTDIV = 1, TRAP_BRKPT = 1;

// A hardware interrupt handler; runs with interrupts disabled, after the end-of-interrupt
// has been sent (so it may switch threads).
using InterruptHandler = void (*)(unsigned irq, TrapFrame&);
// Installs `handler` for PIC line `irq` and unmasks the line. One handler per line; a
// driver whose devices share a line polls them all.
void interrupt_set_handler(unsigned irq, InterruptHandler handler);
// The PIC lines that interrupted a CPU halted for the kernel-mode lock stay in service until
// it has the lock; then this acknowledges them and runs their handlers, as from kernel code
// with interrupts off (so a tick among them preempts nothing). A local timer interrupt that
// came then is run too (the timer is one-shot: left out, its deadline would be lost). The
// lock's acquire calls it.
void run_deferred_interrupts();
// Installs the handler of every CPU's local APIC timer (LOCAL_TIMER_VECTOR).
void local_timer_set_handler(void (*handler)(TrapFrame&));
