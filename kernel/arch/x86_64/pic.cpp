#include "pic.h"
#include "cpu.h"

namespace {
constexpr u16 PIC1_COMMAND = 0x20, PIC1_DATA = 0x21, PIC2_COMMAND = 0xA0, PIC2_DATA = 0xA1;
}

void pic_initialize()
{
    // ICW1..ICW4 (8259A datasheet): edge triggered, cascade, 8086 mode; IRQs at 32..47.
    cpu::out8(PIC1_COMMAND, 0x11);
    cpu::out8(PIC2_COMMAND, 0x11);
    cpu::out8(PIC1_DATA, IRQ_BASE_VECTOR);
    cpu::out8(PIC2_DATA, IRQ_BASE_VECTOR + 8);
    cpu::out8(PIC1_DATA, 4);
    cpu::out8(PIC2_DATA, 2);
    cpu::out8(PIC1_DATA, 1);
    cpu::out8(PIC2_DATA, 1);
    cpu::out8(PIC1_DATA, 0xFB); // everything masked except the cascade (IRQ 2)
    cpu::out8(PIC2_DATA, 0xFF);
}

void pic_unmask(unsigned irq)
{
    if (irq < 8)
        cpu::out8(PIC1_DATA, cpu::in8(PIC1_DATA) & ~(1 << irq));
    else
        cpu::out8(PIC2_DATA, cpu::in8(PIC2_DATA) & ~(1 << (irq - 8)));
}

void pic_end_of_interrupt(unsigned irq)
{
    if (irq >= 8)
        cpu::out8(PIC2_COMMAND, 0x20);
    cpu::out8(PIC1_COMMAND, 0x20);
}
