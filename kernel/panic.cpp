// The kernel's last words: the reason, the registers of the trap that caused it (if any),
// CR2 and a symbolized backtrace on the log, then QEMU exits with status PANIC through
// isa-debug-exit (tools/pagoda-run maps that to its own exit code 125).
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/entry.h"
#include "arch/x86_64/symbols.h"
#include "arch/x86_64/trap_frame.h"
#include "dev/debug_exit.h"
#include "lib/assert.h"
#include "lib/format.h"
#include "lib/log.h"
#include <cstdarg>

namespace {

void print(char const* fmt, ...)
{
    char line[256];
    va_list args;
    va_start(args, fmt);
    int n = format_to_buffer(line, sizeof line, fmt, args);
    va_end(args);
    klog_raw(line, min<usize>(n, sizeof line - 1));
}

void print_frame_address(u64 address)
{
    char name[128];
    if (symbolize(address, name, sizeof name))
        print("  %016lx  %s\n", address, name);
    else
        print("  %016lx\n", address);
}

void print_backtrace(u64 rbp, u64 rip)
{
    print("backtrace:\n");
    print_frame_address(rip);
    for (int depth = 0; depth < 32 && rbp >= 0xffff800000000000 && (rbp & 7) == 0; ++depth) {
        auto* frame = reinterpret_cast<u64*>(rbp);
        u64 return_address = frame[1];
        if (return_address < 0xffffffff80000000)
            break;
        print_frame_address(return_address);
        rbp = frame[0];
    }
}

TrapFrame const* g_panic_trap;
bool g_panicking;

}

void panic_with_trap_frame(TrapFrame const& frame, char const* reason)
{
    g_panic_trap = &frame;
    panic("%s in kernel mode", reason);
}

void panic(char const* fmt, ...)
{
    cpu::disable_interrupts();
    if (g_panicking)
        debug_exit(DebugExitStatus::Panic); // a panic while panicking: just stop
    g_panicking = true;
    klog_panic_begins();

    char reason[256];
    va_list args;
    va_start(args, fmt);
    format_to_buffer(reason, sizeof reason, fmt, args);
    va_end(args);
    print("\n[pagoda] KERNEL PANIC: %s\n", reason);

    u64 rbp = reinterpret_cast<u64>(__builtin_frame_address(0));
    u64 rip = reinterpret_cast<u64>(&&here);
here:
    if (g_panic_trap) {
        TrapFrame const& t = *g_panic_trap;
        print("trap %lu error %lx at rip %016lx cs %lx rflags %lx rsp %016lx\n", t.vector, t.error_code, t.rip, t.cs, t.rflags,
            t.rsp);
        print("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", t.rax, t.rbx, t.rcx, t.rdx);
        print("rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", t.rsi, t.rdi, t.rbp, t.r8);
        print("r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", t.r9, t.r10, t.r11, t.r12);
        print("r13 %016lx r14 %016lx r15 %016lx\n", t.r13, t.r14, t.r15);
        rbp = t.rbp;
        rip = t.rip;
    }
    // The fault address as the trap entry read it (CR2 itself may have changed since).
    print("cr2 %016lx cr3 %016lx\n", g_panic_trap ? g_panic_trap->cr2 : cpu::read_cr2(), cpu::read_cr3());
    print_backtrace(rbp, rip);
    debug_exit(DebugExitStatus::Panic);
}
