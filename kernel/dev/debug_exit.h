// QEMU's isa-debug-exit device (port 0xf4): writing v ends QEMU with exit status 2*v+1.
// tools/pagoda-run turns these into its own exit codes.
#pragma once

enum class DebugExitStatus : unsigned char {
    PowerOff = 0x10, // QEMU exits 33: clean shutdown
    Panic = 0x20, // QEMU exits 65: kernel panic
};

[[noreturn]] void debug_exit(DebugExitStatus);
