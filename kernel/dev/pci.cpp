#include "pci.h"
#include "kernel/arch/x86_64/cpu.h"

namespace {

constexpr u16 CONFIG_ADDRESS = 0xCF8;
constexpr u16 CONFIG_DATA = 0xCFC;

void select(PciAddress address, u8 offset)
{
    u32 value
        = (1u << 31) | (u32(address.bus) << 16) | (u32(address.device) << 11) | (u32(address.function) << 8) | (offset & 0xFC);
    cpu::out32(CONFIG_ADDRESS, value);
}

}

u32 pci_read32(PciAddress address, u8 offset)
{
    select(address, offset);
    return cpu::in32(CONFIG_DATA);
}

void pci_write32(PciAddress address, u8 offset, u32 value)
{
    select(address, offset);
    cpu::out32(CONFIG_DATA, value);
}

u16 pci_read16(PciAddress address, u8 offset) { return static_cast<u16>(pci_read32(address, offset) >> ((offset & 2) * 8)); }

void pci_write16(PciAddress address, u8 offset, u16 value)
{
    u32 word = pci_read32(address, offset);
    int shift = (offset & 2) * 8;
    word = (word & ~(0xFFFFu << shift)) | (u32(value) << shift);
    pci_write32(address, offset, word);
}

void pci_for_each_device(FunctionRef<void(PciAddress, u16, u16)> visit)
{
    for (u8 device = 0; device < 32; ++device) {
        for (u8 function = 0; function < 8; ++function) {
            PciAddress address { 0, device, function };
            u32 id = pci_read32(address, 0);
            if ((id & 0xFFFF) == 0xFFFF) {
                if (function == 0)
                    break;
                continue;
            }
            visit(address, id & 0xFFFF, id >> 16);
            // Single-function devices answer on every function number; stop after 0.
            if (function == 0 && !(pci_read32(address, 0x0C) & (0x80 << 16)))
                break;
        }
    }
}
