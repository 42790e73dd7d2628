// PCI configuration space through the legacy I/O ports (configuration mechanism #1), enough
// to find devices on bus 0 and read their BARs and interrupt line.
#pragma once

#include "kernel/lib/function_ref.h"
#include "kernel/lib/types.h"

struct PciAddress {
    u8 bus, device, function;
};

u32 pci_read32(PciAddress, u8 offset);
void pci_write32(PciAddress, u8 offset, u32 value);
u16 pci_read16(PciAddress, u8 offset);
void pci_write16(PciAddress, u8 offset, u16 value);
// Calls `visit(address, vendor, device)` for every function present on bus 0.
void pci_for_each_device(FunctionRef<void(PciAddress, u16 vendor, u16 device)> visit);
