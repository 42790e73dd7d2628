// 16550 UART driver. COM1 is the user console (programs' stdin/stdout); COM2 carries the
// kernel log, so a program's output stays byte-for-byte what it printed.
#pragma once

#include "kernel/lib/types.h"

enum class SerialPort : u16 {
    Com1 = 0x3f8,
    Com2 = 0x2f8,
};

void serial_initialize(SerialPort);
void serial_write(SerialPort, char const* data, usize length);
// Returns -1 if no byte is waiting.
int serial_try_read(SerialPort);
// Enables the "byte received" interrupt (IRQ 4 for COM1).
void serial_enable_receive_interrupt(SerialPort);
