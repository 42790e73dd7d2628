#include "debug_exit.h"
#include "kernel/arch/x86_64/cpu.h"

void debug_exit(DebugExitStatus status)
{
    cpu::out8(0xf4, static_cast<unsigned char>(status));
    // Without the device (a plain QEMU or real hardware), try the ACPI power-off of QEMU's
    // PIIX4, then stop.
    cpu::out16(0x604, 0x2000);
    for (;;)
        asm volatile("cli; hlt");
}
