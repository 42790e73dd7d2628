// The two legacy 8259 interrupt controllers: IRQs 0..15 arrive as vectors 32..47.
#pragma once

constexpr int IRQ_BASE_VECTOR = 32;
constexpr unsigned IRQ_COUNT = 16;

// Remaps the PICs to vectors 32..47 with every line masked except the cascade.
void pic_initialize();
void pic_unmask(unsigned irq);
// Acknowledges interrupt `irq`, so the PIC may deliver the next one.
void pic_end_of_interrupt(unsigned irq);
