#include "virtio_blk.h"
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
constexpr u32 REQUEST_READ = 0, REQUEST_WRITE = 1, REQUEST_FLUSH = 4;
constexpr u16 DESCRIPTOR_NEXT = 1, DESCRIPTOR_DEVICE_WRITES = 2;
constexpr usize MAX_REQUEST_PAGES = 130; // descriptors per request: 512 KiB of data at most
// How long a disk wait sleeps before it looks at the used ring itself (see wait_for_completion).
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

    Result<void> read(u64 offset, u8* buffer, usize length) override { return transfer(REQUEST_READ, offset, buffer, length); }
    Result<void> write(u64 offset, u8 const* buffer, usize length) override
    {
        return transfer(REQUEST_WRITE, offset, const_cast<u8*>(buffer), length);
    }
    Result<void> write_pages(u64 offset, u8 const* const* pages, usize count) override;
    Result<void> flush() override
    {
        if (!m_has_flush)
            return {}; // without the feature, writes are durable on completion
        return submit(REQUEST_FLUSH, 0, static_cast<Segment const*>(nullptr), 0);
    }
    u64 size_bytes() const override { return m_capacity_sectors * 512; }
    bool handle_interrupt(unsigned irq);

private:
    Result<void> transfer(u32 type, u64 offset, u8* buffer, usize length);
    // A request: header, the data segments (each physically contiguous), status byte.
    struct Segment {
        u8* data;
        usize length;
    };
    Result<void> submit(u32 type, u64 sector, Segment const* segments, usize count);
    Result<void> submit(u32 type, u64 sector, u8* buffer, usize length);
    void wait_for_completion();
    // Takes note of the requests the device has finished (the used ring moved); true if any.
    bool collect_used();

    u16 m_io_base { 0 };
    int m_irq { -1 };
    u16 m_queue_size { 0 };
    Descriptor* m_descriptors { nullptr };
    u16* m_available { nullptr }; // flags, index, ring[size]
    u8* m_used { nullptr }; // flags, index, ring[size] of {id, length}
    u16 m_last_used { 0 };
    u64 m_capacity_sectors { 0 };
    bool m_has_flush { false };
    bool m_busy { false };
    bool volatile m_completed { false };
    u64 m_missed_interrupts { 0 }; // requests found finished by looking (wait_for_completion)
    WaitQueue m_idle;
    WaitQueue m_completion;
    RequestHeader* m_header { nullptr };
    u8* m_status { nullptr };
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
    cpu::out32(io + GuestFeatures, features & FEATURE_FLUSH);

    cpu::out16(io + QueueSelect, 0);
    u16 size = static_cast<u16>(cpu::in32(io + QueueSize) & 0xFFFF);
    if (size == 0) {
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
    device->m_header = new RequestHeader;
    device->m_status = new u8;
    cpu::out32(io + QueueAddress, static_cast<u32>(virtual_to_physical(queue) >> PAGE_SHIFT));

    device->m_capacity_sectors = u64(cpu::in32(io + BlockCapacity)) | (u64(cpu::in32(io + BlockCapacity + 4)) << 32);
    cpu::out8(io + DeviceStatus, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK);
    if (device->m_irq < 16)
        interrupt_set_handler(device->m_irq, [](unsigned irq, TrapFrame&) { virtio_blk_handle_interrupt(irq); });
    klog("virtio-blk %zu: %lu MiB, irq %d, queue %u%s", g_device_count, device->m_capacity_sectors / 2048, device->m_irq, size,
        device->m_has_flush ? ", flush" : "");
    return device;
}

Result<void> VirtioBlock::transfer(u32 type, u64 offset, u8* buffer, usize length)
{
    if (offset % 512 || length % 512 || offset + length > size_bytes())
        return Errno::Invalid;
    // Split into requests of at most MAX_REQUEST_PAGES pages of the buffer.
    while (length > 0) {
        usize chunk = min<usize>(length, (MAX_REQUEST_PAGES - 1) * PAGE_SIZE);
        TRY(submit(type, offset / 512, buffer, chunk));
        offset += chunk;
        buffer += chunk;
        length -= chunk;
    }
    return {};
}

void VirtioBlock::wait_for_completion()
{
    // Before the scheduler runs (mounting the root at boot) nobody can wake us: poll.
    if (!current_thread()) {
        while (!m_completed)
            handle_interrupt(m_irq);
        return;
    }
    // Keep the kernel lock while the disk works: the VM or file-system operation that
    // asked for this I/O must not be interleaved with another (sched/kernel_lock.h).
    KeepKernelLockWhileSleeping keep;
    while (!m_completed) {
        // The completion interrupt can go missing: under QEMU (TCG, legacy INTx) a finished
        // request was seen with its used-ring entry written, the line low and no interrupt
        // ever after, which hung the machine under heavy paging. So a wait that hears
        // nothing for a while reads the ISR itself (which also lowers and re-arms the line)
        // and looks at the used ring. A signal for this thread ends the sleep early (the
        // wait is interruptible only so that it can have a deadline); then it polls.
        WaitResult woken = m_completion.wait_interruptible(monotonic_nanoseconds() + MISSED_INTERRUPT_CHECK_NS);
        if (woken == WaitResult::Woken || m_completed)
            continue;
        if (woken == WaitResult::TimedOut)
            (void)cpu::in8(m_io_base + IsrStatus);
        else
            cpu::pause();
        if (collect_used() && woken == WaitResult::TimedOut && m_missed_interrupts++ == 0)
            klog("virtio-blk: a request finished without an interrupt; found by looking");
    }
}

Result<void> VirtioBlock::submit(u32 type, u64 sector, u8* buffer, usize length)
{
    // Split a virtually contiguous buffer where it crosses pages: each piece is contiguous
    // in physical memory.
    Segment segments[MAX_REQUEST_PAGES];
    usize count = 0;
    for (u8* p = buffer; p < buffer + length; ++count) {
        VERIFY(count < MAX_REQUEST_PAGES);
        usize in_page = min<usize>(PAGE_SIZE - (reinterpret_cast<u64>(p) & (PAGE_SIZE - 1)), buffer + length - p);
        segments[count] = { p, in_page };
        p += in_page;
    }
    return submit(type, sector, segments, count);
}

Result<void> VirtioBlock::write_pages(u64 offset, u8 const* const* pages, usize count)
{
    if (offset % 512 || offset + count * PAGE_SIZE > size_bytes())
        return Errno::Invalid;
    while (count > 0) {
        usize batch = min<usize>(count, MAX_REQUEST_PAGES - 2);
        Segment segments[MAX_REQUEST_PAGES];
        for (usize i = 0; i < batch; ++i)
            segments[i] = { const_cast<u8*>(pages[i]), PAGE_SIZE };
        TRY(submit(REQUEST_WRITE, offset / 512, segments, batch));
        offset += batch * PAGE_SIZE;
        pages += batch;
        count -= batch;
    }
    return {};
}

Result<void> VirtioBlock::submit(u32 type, u64 sector, Segment const* segments, usize count)
{
    PROFILE("disk: one virtio request, waiting included");
    while (m_busy)
        m_idle.wait(); // one request in flight at a time keeps the driver simple
    m_busy = true;
    m_completed = false;

    *m_header = { type, 0, sector };
    *m_status = 0xFF;
    u16 index = 0;
    m_descriptors[index] = { virtual_to_physical(m_header), sizeof(RequestHeader), DESCRIPTOR_NEXT, 1 };
    for (usize i = 0; i < count; ++i) {
        ++index;
        u16 flags = DESCRIPTOR_NEXT | (type == REQUEST_READ ? DESCRIPTOR_DEVICE_WRITES : 0);
        m_descriptors[index]
            = { virtual_to_physical(segments[i].data), static_cast<u32>(segments[i].length), flags, static_cast<u16>(index + 1) };
    }
    ++index;
    m_descriptors[index] = { virtual_to_physical(m_status), 1, DESCRIPTOR_DEVICE_WRITES, 0 };

    u16 available_index = m_available[1];
    m_available[2 + available_index % m_queue_size] = 0; // the chain starts at descriptor 0
    asm volatile("" ::: "memory");
    m_available[1] = available_index + 1;
    asm volatile("mfence" ::: "memory");
    cpu::out16(m_io_base + QueueNotify, 0);

    wait_for_completion();
    u8 status = *m_status;
    m_busy = false;
    m_idle.wake_all();
    if (status != 0) {
        klog("virtio-blk: request type %u sector %lu failed with status %u", type, sector, status);
        return Errno::IoError;
    }
    return {};
}

bool VirtioBlock::collect_used()
{
    auto* used_index = reinterpret_cast<u16 volatile*>(m_used + 2);
    if (m_last_used == *used_index)
        return false;
    m_last_used = *used_index; // one request in flight: every new entry is its
    m_completed = true;
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
