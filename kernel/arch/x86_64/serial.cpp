#include "serial.h"
#include "cpu.h"

namespace {

enum Register : u16 {
    Data = 0,
    InterruptEnable = 1,
    FifoControl = 2,
    LineControl = 3,
    ModemControl = 4,
    LineStatus = 5,
};

u16 port_base(SerialPort port) { return static_cast<u16>(port); }

}

void serial_initialize(SerialPort port)
{
    u16 base = port_base(port);
    cpu::out8(base + InterruptEnable, 0x00);
    cpu::out8(base + LineControl, 0x80); // divisor latch
    cpu::out8(base + Data, 0x01); // 115200 baud
    cpu::out8(base + InterruptEnable, 0x00);
    cpu::out8(base + LineControl, 0x03); // 8 bits, no parity, one stop bit
    cpu::out8(base + FifoControl, 0xC7);
    cpu::out8(base + ModemControl, 0x0B); // OUT2 routes the interrupt to the PIC
}

void serial_write(SerialPort port, char const* data, usize length)
{
    u16 base = port_base(port);
    for (usize i = 0; i < length; ++i) {
        while ((cpu::in8(base + LineStatus) & 0x20) == 0)
            cpu::pause();
        cpu::out8(base + Data, static_cast<u8>(data[i]));
    }
}

int serial_try_read(SerialPort port)
{
    u16 base = port_base(port);
    if ((cpu::in8(base + LineStatus) & 0x01) == 0)
        return -1;
    return cpu::in8(base + Data);
}

void serial_enable_receive_interrupt(SerialPort port) { cpu::out8(port_base(port) + InterruptEnable, 0x01); }
