// virtio-blk over PCI, through the legacy (virtio 0.9.5) I/O-port interface that QEMU's
// transitional devices offer: the simplest interface that works with `-drive if=virtio`
// (docs/storage.md says why). One virtqueue; requests are chains of descriptors
// (header, one descriptor per data piece, status byte) taken from a free list, so a batch
// (BlockDevice::transfer) keeps as many requests in flight as the queue has room for, pieces
// that continue each other on the disk merged into one request. Completion arrives by
// interrupt and wakes the waiting thread (before the scheduler runs, the driver polls).
#pragma once

#include "block_device.h"

class VirtioBlock;

// Finds and initializes every virtio-blk device on PCI bus 0, in slot order.
void virtio_blk_probe();
usize virtio_blk_count();
BlockDevice* virtio_blk_device(usize index);
// The interrupt for line `irq` (shared by every device on it); true if one claimed it.
bool virtio_blk_handle_interrupt(unsigned irq);
