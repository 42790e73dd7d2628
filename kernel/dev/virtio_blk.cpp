#include "virtio_blk.h"
#include "disk_stats.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/kernel_memory.h"
#include "kernel/arch/x86_64/timer.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/log.h"
#include "kernel/lib/memory.h"
#include "kernel/lib/profile.h"
#include "kernel/sched/kernel_lock.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/wait_queue.h"
#include "pci.h"

namespace {

// Legacy virtio PCI register offsets in BAR0 (I/O space), virtio 0.9.5 section 2.1.
enum Register : u16 {
    DeviceFeatures = 0x00,
    GuestFeatures = 0x04,
    QueueAddress = 0x08,
    QueueSize = 0x0C,
    QueueSelect = 0x0E,
    QueueNotify = 0x10,
    DeviceStatus = 0x12,
    IsrStatus = 0x13,
    BlockCapacity = 0x14, // device configuration: capacity in 512-byte sectors (u64)
};

constexpr u8 STATUS_ACKNOWLEDGE = 1, STATUS_DRIVER = 2, STATUS_DRIVER_OK = 4, STATUS_FAILED = 128;
constexpr u32 FEATURE_FLUSH = 1 << 9;
constexpr u32 FEATURE_INDIRECT = 1u << 28; // VIRTIO_RING_F_INDIRECT_DESC
constexpr u32 REQUEST_READ = 0, REQUEST_WRITE = 1, REQUEST_FLUSH = 4;
constexpr u16 DESCRIPTOR_NEXT = 1, DESCRIPTOR_DEVICE_WRITES = 2, DESCRIPTOR_INDIRECT = 4;
constexpr usize MAX_REQUEST_PIECES = 128; // data descriptors per request: 512 KiB of data at most
// A request of MAX_REQUEST_PIECES takes 130 of the ring's 256 descriptors, so at most one of
// them fits in the ring at a time. With indirect descriptors a request takes one ring
// descriptor, pointing at its chain in a table of its own: this many such tables, so that a
// write-back batch (4 MiB, eight full requests) or a read-ahead window is all in flight.
constexpr usize INDIRECT_TABLES = 16;
constexpr usize TABLE_DESCRIPTORS = MAX_REQUEST_PIECES + 2; // header, data, status
// How long a disk wait sleeps before it looks at the used ring itself (see wait_until).
constexpr u64 MISSED_INTERRUPT_CHECK_NS = 20'000'000;

struct Descriptor {
    u64 address;
    u32 length;
    u16 flags;
    u16 next;
};

struct RequestHeader {
    u32 type;
    u32 reserved;
    u64 sector;
};

}

class VirtioBlock final : public BlockDevice {
public:
    static VirtioBlock* create(PciAddress address);

    Result<void> read(u64 offset, u8* buffer, usize length) override
    {
        return transfer_buffer(REQUEST_READ, offset, buffer, length);
    }
    Result<void> write(u64 offset, u8 const* buffer, usize length) override
    {
        return transfer_buffer(REQUEST_WRITE, offset, const_cast<u8*>(buffer), length);
    }
    Result<void> transfer(BlockDirection direction, BlockPiece const* pieces, usize count) override;
    Result<void> flush() override;
    u64 size_bytes() const override { return m_capacity_sectors * 512; }
    bool handle_interrupt(unsigned irq);

private:
    // A request's header and status byte, in DMA memory; one per descriptor, used by the
    // request whose chain starts there.
    struct RequestSlot {
        RequestHeader header;
        u8 status;
        i8 table; // the indirect table holding the request's chain, or -1 (in the ring)
    };
    Result<void> transfer_buffer(u32 type, u64 offset, u8* buffer, usize length);
    // Carries out a batch of checked pieces: merged into requests, all started, all awaited.
    // (A piece of a buffer split at a page boundary may be any length; its request is whole sectors.)
    Result<void> run_batch(u32 type, BlockPiece const* pieces, usize count);
    // Starts one request (header, `count` data pieces, status) without waiting for it;
    // waits first while the queue has too few free descriptors.
    void start_request(u32 type, u64 sector, BlockPiece const* pieces, usize count);
    // Sleeps (or, before the scheduler runs, polls) until `done()` holds.
    template<typename Condition> void wait_until(Condition done);
    // Takes note of the requests the device has finished (the used ring moved): frees
    // their descriptors, records a failed status. True if any.
    bool collect_used();
    bool valid_range(u64 offset, usize length) const
    {
        return offset % 512 == 0 && length % 512 == 0 && offset + length <= size_bytes();
    }

    u16 m_io_base { 0 };
    int m_irq { -1 };
    u16 m_queue_size { 0 };
    Descriptor* m_descriptors { nullptr };
    u16* m_available { nullptr }; // flags, index, ring[size]
    u8* m_used { nullptr }; // flags, index, ring[size] of {id, length}
    RequestSlot* m_slots { nullptr }; // [m_queue_size], by head descriptor
    Descriptor* m_tables { nullptr }; // [INDIRECT_TABLES][TABLE_DESCRIPTORS]; null: no indirect descriptors
    u16 m_last_used { 0 };
    u64 m_capacity_sectors { 0 };
    bool m_has_flush { false };
    bool m_busy { false }; // one batch (transfer, flush) at a time; its requests overlap
    // Changed by the interrupt handler (collect_used): touched with interrupts off.
    u16 m_free_count { 0 };
    u16 m_free_head { 0 }; // free descriptors, linked through their `next`
    u16 m_in_flight { 0 };
    u32 m_free_tables { 0 }; // bit t: indirect table t is free
    bool m_batch_failed { false };
    u64 m_missed_interrupts { 0 }; // requests found finished by looking (wait_until)
    WaitQueue m_idle;
    WaitQueue m_completion;
};

namespace {
VirtioBlock* g_devices[4];
usize g_device_count;
}

VirtioBlock* VirtioBlock::create(PciAddress address)
{
    u32 bar0 = pci_read32(address, 0x10);
    if (!(bar0 & 1)) {
        klog("virtio-blk at %02x:%02x: no legacy I/O BAR, skipped", address.device, address.function);
        return nullptr;
    }
    auto* device = new VirtioBlock;
    device->m_io_base = static_cast<u16>(bar0 & ~3u);
    device->m_irq = pci_read32(address, 0x3C) & 0xFF;
    pci_write16(address, 0x04, pci_read16(address, 0x04) | 0x5); // I/O space + bus master

    u16 io = device->m_io_base;
    cpu::out8(io + DeviceStatus, 0); // reset
    cpu::out8(io + DeviceStatus, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    u32 features = cpu::in32(io + DeviceFeatures);
    device->m_has_flush = features & FEATURE_FLUSH;
    if (features & FEATURE_INDIRECT) {
        device->m_tables
            = static_cast<Descriptor*>(allocate_dma_memory(sizeof(Descriptor) * INDIRECT_TABLES * TABLE_DESCRIPTORS));
        if (device->m_tables)
            device->m_free_tables = (1u << INDIRECT_TABLES) - 1;
        else
            klog("virtio-blk at %02x:%02x: no DMA memory left for indirect tables, one large request in flight at most",
                address.device, address.function);
    }
    cpu::out32(io + GuestFeatures, (features & FEATURE_FLUSH) | (device->m_tables ? FEATURE_INDIRECT : 0));

    cpu::out16(io + QueueSelect, 0);
    u16 size = static_cast<u16>(cpu::in32(io + QueueSize) & 0xFFFF);
    if (size < 3) { // a request needs three descriptors at least
        cpu::out8(io + DeviceStatus, STATUS_FAILED);
        return nullptr;
    }
    // The legacy layout: descriptors and the available ring, then the used ring on the next
    // page boundary, all physically contiguous (from the boot-reserved DMA area).
    usize available_bytes = 4 + 2 * size + 2;
    usize first_part = page_round_up(16 * size + available_bytes);
    usize used_bytes = page_round_up(4 + 8 * size + 2);
    auto* queue = static_cast<u8*>(allocate_dma_memory(first_part + used_bytes));
    if (!queue) {
        klog("virtio-blk at %02x:%02x: no DMA memory left for a queue of %u, skipped", address.device, address.function, size);
        cpu::out8(io + DeviceStatus, STATUS_FAILED);
        return nullptr;
    }
    device->m_queue_size = size;
    device->m_descriptors = reinterpret_cast<Descriptor*>(queue);
    device->m_available = reinterpret_cast<u16*>(queue + 16 * size);
    device->m_used = queue + first_part;
    device->m_slots = static_cast<RequestSlot*>(allocate_dma_memory(sizeof(RequestSlot) * size));
    if (!device->m_slots) {
        klog("virtio-blk at %02x:%02x: no DMA memory left for request headers, skipped", address.device, address.function);
        cpu::out8(io + DeviceStatus, STATUS_FAILED);
        return nullptr;
    }
    for (u16 i = 0; i < size; ++i)
        device->m_descriptors[i].next = static_cast<u16>(i + 1);
    device->m_free_head = 0;
    device->m_free_count = size;
    cpu::out32(io + QueueAddress, static_cast<u32>(virtual_to_physical(queue) >> PAGE_SHIFT));

    device->m_capacity_sectors = u64(cpu::in32(io + BlockCapacity)) | (u64(cpu::in32(io + BlockCapacity + 4)) << 32);
    cpu::out8(io + DeviceStatus, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK);
    if (device->m_irq < 16)
        interrupt_set_handler(device->m_irq, [](unsigned irq, TrapFrame&) { virtio_blk_handle_interrupt(irq); });
    klog("virtio-blk %zu: %lu MiB, irq %d, queue %u%s%s", g_device_count, device->m_capacity_sectors / 2048, device->m_irq, size,
        device->m_has_flush ? ", flush" : "", device->m_tables ? ", indirect" : "");
    return device;
}

DiskStats& disk_stats()
{
    static DiskStats stats;
    return stats;
}

Result<void> VirtioBlock::transfer_buffer(u32 type, u64 offset, u8* buffer, usize length)
{
    if (!valid_range(offset, length))
        return Errno::Invalid;
    // Requests of at most MAX_REQUEST_PIECES - 1 pages of bytes (so whole sectors), split
    // where the buffer crosses pages: each piece is contiguous in physical memory, and the
    // pieces continue each other on the disk, so run_batch() makes one request of them.
    while (length > 0) {
        usize chunk = min<usize>(length, (MAX_REQUEST_PIECES - 1) * PAGE_SIZE);
        BlockPiece pieces[MAX_REQUEST_PIECES];
        usize count = 0;
        for (usize done = 0; done < chunk; ++count) {
            usize in_page = min<usize>(PAGE_SIZE - (reinterpret_cast<u64>(buffer + done) & (PAGE_SIZE - 1)), chunk - done);
            pieces[count] = { offset + done, buffer + done, in_page };
            done += in_page;
        }
        TRY(run_batch(type, pieces, count));
        offset += chunk;
        buffer += chunk;
        length -= chunk;
    }
    return {};
}

template<typename Condition> void VirtioBlock::wait_until(Condition done)
{
    // Before the scheduler runs (mounting the root at boot) nobody can wake us: poll.
    if (!current_thread()) {
        while (!done())
            handle_interrupt(m_irq);
        return;
    }
    // Keep the kernel lock while the disk works: the VM or file-system operation that
    // asked for this I/O must not be interleaved with another (sched/kernel_lock.h).
    KeepKernelLockWhileSleeping keep;
    // The condition is looked at with interrupts off, so a completion cannot slip in
    // between the look and the sleep (the sleep turns them on again).
    cpu::InterruptsDisabled guard;
    while (!done()) {
        // The completion interrupt can go missing: under QEMU (TCG, legacy INTx) a finished
        // request was seen with its used-ring entry written, the line low and no interrupt
        // ever after, which hung the machine under heavy paging. So a wait that hears
        // nothing for a while reads the ISR itself (which also lowers and re-arms the line)
        // and looks at the used ring. A signal for this thread ends the sleep early (the
        // wait is interruptible only so that it can have a deadline); then it polls.
        WaitResult woken = m_completion.wait_interruptible(monotonic_nanoseconds() + MISSED_INTERRUPT_CHECK_NS);
        if (woken == WaitResult::Woken || done())
            continue;
        if (woken == WaitResult::TimedOut)
            (void)cpu::in8(m_io_base + IsrStatus);
        else
            cpu::pause();
        if (collect_used() && woken == WaitResult::TimedOut) {
            ++disk_stats().missed_interrupts;
            if (m_missed_interrupts++ == 0)
                klog("virtio-blk: a request finished without an interrupt; found by looking");
        }
    }
}

void VirtioBlock::start_request(u32 type, u64 sector, BlockPiece const* pieces, usize count)
{
    usize needed = count + 2; // header, data, status
    VERIFY(needed <= m_queue_size && needed <= TABLE_DESCRIPTORS);
    // A free indirect table (and one ring descriptor for it), or room for the whole chain in
    // the ring. Only the interrupt handler changes these meanwhile, and only to free more.
    auto table_free = [&] { return m_free_tables != 0 && m_free_count >= 1; };
    wait_until([&] { return table_free() || m_free_count >= needed; });
    cpu::InterruptsDisabled guard; // the interrupt handler frees descriptors too
    u16 head = m_free_head;
    RequestSlot& slot = m_slots[head];
    slot.header = { type, 0, sector };
    slot.status = 0xFF;
    slot.table = -1;
    auto take_from_ring = [&](u64 address, u32 length, u16 flags) {
        Descriptor& descriptor = m_descriptors[m_free_head];
        u16 following = descriptor.next;
        descriptor = { address, length, flags, following };
        --m_free_count;
        m_free_head = following;
    };
    u16 data_flags = DESCRIPTOR_NEXT | (type == REQUEST_READ ? DESCRIPTOR_DEVICE_WRITES : 0);
    if (table_free()) {
        auto table = static_cast<u16>(__builtin_ctz(m_free_tables));
        m_free_tables &= ~(1u << table);
        slot.table = static_cast<i8>(table);
        Descriptor* chain = m_tables + table * TABLE_DESCRIPTORS;
        chain[0] = { virtual_to_physical(&slot.header), sizeof(RequestHeader), DESCRIPTOR_NEXT, 1 };
        for (usize i = 0; i < count; ++i)
            chain[1 + i] = { virtual_to_physical(pieces[i].data), static_cast<u32>(pieces[i].length), data_flags,
                static_cast<u16>(i + 2) };
        chain[needed - 1] = { virtual_to_physical(&slot.status), 1, DESCRIPTOR_DEVICE_WRITES, 0 };
        take_from_ring(virtual_to_physical(chain), static_cast<u32>(needed * sizeof(Descriptor)), DESCRIPTOR_INDIRECT);
    } else {
        // In the ring itself, each descriptor's `next` already naming the next free one.
        take_from_ring(virtual_to_physical(&slot.header), sizeof(RequestHeader), DESCRIPTOR_NEXT);
        for (usize i = 0; i < count; ++i)
            take_from_ring(virtual_to_physical(pieces[i].data), static_cast<u32>(pieces[i].length), data_flags);
        take_from_ring(virtual_to_physical(&slot.status), 1, DESCRIPTOR_DEVICE_WRITES);
    }

    ++m_in_flight;
    DiskStats& stats = disk_stats();
    if (type != REQUEST_FLUSH) {
        ++stats.requests;
        stats.read_requests += type == REQUEST_READ;
    }
    stats.max_in_flight = max<u64>(stats.max_in_flight, m_in_flight);
    u16 available_index = m_available[1];
    m_available[2 + available_index % m_queue_size] = head;
    asm volatile("" ::: "memory");
    m_available[1] = available_index + 1;
    asm volatile("mfence" ::: "memory");
    cpu::out16(m_io_base + QueueNotify, 0);
}

Result<void> VirtioBlock::transfer(BlockDirection direction, BlockPiece const* pieces, usize count)
{
    for (usize i = 0; i < count; ++i)
        if (!valid_range(pieces[i].offset_bytes, pieces[i].length))
            return Errno::Invalid;
    return run_batch(direction == BlockDirection::Read ? REQUEST_READ : REQUEST_WRITE, pieces, count);
}

Result<void> VirtioBlock::run_batch(u32 type, BlockPiece const* pieces, usize count)
{
    PROFILE("disk: virtio requests of one batch, waiting included");
    while (m_busy)
        m_idle.wait();
    m_busy = true;
    m_batch_failed = false;
    DiskStats& stats = disk_stats();
    stats.pieces += count;
    // Pieces that continue each other on the disk travel in one request (up to
    // MAX_REQUEST_PIECES); every request starts at once, as long as the queue has room.
    usize most = min<usize>(MAX_REQUEST_PIECES, m_queue_size - 2u);
    for (usize first = 0; first < count;) {
        usize length = 1;
        u64 end = pieces[first].offset_bytes + pieces[first].length;
        while (first + length < count && length < most && pieces[first + length].offset_bytes == end) {
            end += pieces[first + length].length;
            ++length;
        }
        stats.pieces_merged += length - 1;
        start_request(type, pieces[first].offset_bytes / 512, pieces + first, length);
        first += length;
    }
    wait_until([&] { return m_in_flight == 0; });
    bool failed = m_batch_failed;
    m_busy = false;
    m_idle.wake_all();
    return failed ? Result<void>(Errno::IoError) : Result<void>();
}

Result<void> VirtioBlock::flush()
{
    if (!m_has_flush)
        return {}; // without the feature, writes are durable on completion
    while (m_busy)
        m_idle.wait();
    m_busy = true;
    m_batch_failed = false;
    start_request(REQUEST_FLUSH, 0, nullptr, 0);
    wait_until([&] { return m_in_flight == 0; });
    bool failed = m_batch_failed;
    m_busy = false;
    m_idle.wake_all();
    return failed ? Result<void>(Errno::IoError) : Result<void>();
}

bool VirtioBlock::collect_used()
{
    cpu::InterruptsDisabled guard; // called from the handler and from a waiting thread
    auto* used_index = reinterpret_cast<u16 volatile*>(m_used + 2);
    auto* ring = reinterpret_cast<u32 volatile*>(m_used + 4); // {id, length} pairs
    if (m_last_used == *used_index)
        return false;
    while (m_last_used != *used_index) {
        u16 head = static_cast<u16>(ring[2 * (m_last_used % m_queue_size)]);
        ++m_last_used;
        RequestSlot& slot = m_slots[head];
        if (slot.status != 0) {
            klog("virtio-blk: request type %u sector %lu failed with status %u", slot.header.type, slot.header.sector,
                slot.status);
            m_batch_failed = true;
        }
        if (slot.table >= 0) // its chain lay in an indirect table: one ring descriptor
            m_free_tables |= 1u << slot.table;
        // Give the chain back to the free list.
        u16 last = head;
        u16 length = 1;
        while (m_descriptors[last].flags & DESCRIPTOR_NEXT) {
            last = m_descriptors[last].next;
            ++length;
        }
        m_descriptors[last].next = m_free_head;
        m_free_head = head;
        m_free_count = static_cast<u16>(m_free_count + length);
        --m_in_flight;
    }
    m_completion.wake_all();
    return true;
}

bool VirtioBlock::handle_interrupt(unsigned irq)
{
    if (static_cast<int>(irq) != m_irq)
        return false;
    u8 isr = cpu::in8(m_io_base + IsrStatus); // reading acknowledges the interrupt
    bool progressed = collect_used();
    return isr != 0 || progressed;
}

void virtio_blk_probe()
{
    pci_for_each_device([](PciAddress address, u16 vendor, u16 device) {
        // 0x1001: transitional virtio-blk (legacy interface present).
        if (vendor != 0x1AF4 || device != 0x1001 || g_device_count == 4)
            return;
        if (VirtioBlock* block = VirtioBlock::create(address))
            g_devices[g_device_count++] = block;
    });
}

usize virtio_blk_count() { return g_device_count; }
BlockDevice* virtio_blk_device(usize index) { return index < g_device_count ? g_devices[index] : nullptr; }

bool virtio_blk_handle_interrupt(unsigned irq)
{
    bool claimed = false;
    for (usize i = 0; i < g_device_count; ++i)
        claimed |= g_devices[i]->handle_interrupt(irq);
    return claimed;
}
