#include "acpi_madt.h"
#include "kernel/lib/log.h"
#include "kernel_memory.h"

namespace {

struct [[gnu::packed]] Rsdp {
    char signature[8]; // "RSD PTR "
    u8 checksum; // of the first 20 bytes
    char oem_id[6];
    u8 revision; // 0: ACPI 1.0 (RSDT only); 2 and later: the XSDT fields below exist
    u32 rsdt_physical;
    u32 length;
    u64 xsdt_physical;
    u8 extended_checksum; // of all `length` bytes
};

struct [[gnu::packed]] TableHeader {
    char signature[4];
    u32 length; // header included
    u8 revision;
    u8 checksum; // all `length` bytes sum to 0
    char oem_id[6];
    char oem_table_id[8];
    u32 oem_revision;
    u32 creator_id;
    u32 creator_revision;
};

struct [[gnu::packed]] MadtHeader {
    TableHeader header;
    u32 local_apic_physical;
    u32 flags; // bit 0: the machine also has the two legacy 8259 PICs
};

// MADT entry types and the fields Pagoda reads.
constexpr u8 ENTRY_LOCAL_APIC = 0; // u8 processor uid, u8 apic id, u32 flags
constexpr u8 ENTRY_IO_APIC = 1; // u8 id, u8 reserved, u32 address, u32 first GSI
constexpr u8 ENTRY_LOCAL_APIC_ADDRESS = 5; // u16 reserved, u64 address
constexpr u32 LOCAL_APIC_ENABLED = 1 << 0, LOCAL_APIC_ONLINE_CAPABLE = 1 << 1;

bool checksum_ok(void const* bytes, usize length)
{
    u8 sum = 0;
    for (usize i = 0; i < length; ++i)
        sum += static_cast<u8 const*>(bytes)[i];
    return sum == 0;
}

bool same(char const* a, char const* b, usize length)
{
    for (usize i = 0; i < length; ++i)
        if (a[i] != b[i])
            return false;
    return true;
}

// The RSDP lies on a 16-byte boundary in the first KiB of the EBDA or in 0xE0000..0xFFFFF.
Rsdp const* find_rsdp_in(u64 start, u64 end)
{
    for (u64 physical = start; physical + sizeof(Rsdp) <= end; physical += 16) {
        auto const* rsdp = static_cast<Rsdp const*>(physical_to_virtual(physical));
        if (same(rsdp->signature, "RSD PTR ", 8) && checksum_ok(rsdp, 20))
            return rsdp;
    }
    return nullptr;
}

Rsdp const* find_rsdp()
{
    u64 ebda = u64(*static_cast<u16 const*>(physical_to_virtual(0x40E))) << 4;
    if (ebda >= 0x80000 && ebda < 0xA0000)
        if (auto const* rsdp = find_rsdp_in(ebda, ebda + 1024))
            return rsdp;
    return find_rsdp_in(0xE0000, 0x100000);
}

// A table the direct map reaches whose checksum holds, or nullptr.
TableHeader const* table_at(u64 physical)
{
    if (physical == 0 || physical + sizeof(TableHeader) > direct_map_end())
        return nullptr;
    auto const* table = static_cast<TableHeader const*>(physical_to_virtual(physical));
    if (table->length < sizeof(TableHeader) || physical + table->length > direct_map_end() || !checksum_ok(table, table->length))
        return nullptr;
    return table;
}

// The MADT, through the XSDT (64-bit entries) when the firmware has one, else the RSDT.
MadtHeader const* find_madt(Rsdp const& rsdp)
{
    bool extended = rsdp.revision >= 2 && rsdp.xsdt_physical != 0;
    TableHeader const* root = table_at(extended ? rsdp.xsdt_physical : rsdp.rsdt_physical);
    if (!root)
        return nullptr;
    usize entry_size = extended ? 8 : 4;
    usize count = (root->length - sizeof(TableHeader)) / entry_size;
    auto const* entries = reinterpret_cast<u8 const*>(root + 1);
    for (usize i = 0; i < count; ++i) {
        u64 physical = 0;
        for (usize byte = 0; byte < entry_size; ++byte)
            physical |= u64(entries[i * entry_size + byte]) << (8 * byte);
        TableHeader const* table = table_at(physical);
        if (table && same(table->signature, "APIC", 4) && table->length >= sizeof(MadtHeader))
            return reinterpret_cast<MadtHeader const*>(table);
    }
    return nullptr;
}

template<typename T> T read_field(u8 const* entry, usize offset)
{
    T value;
    __builtin_memcpy(&value, entry + offset, sizeof value);
    return value;
}

}

bool acpi_read_madt(MachineTopology& out)
{
    Rsdp const* rsdp = find_rsdp();
    MadtHeader const* madt = rsdp ? find_madt(*rsdp) : nullptr;
    if (!madt) {
        klog("acpi: no %s; running on one CPU", rsdp ? "valid MADT" : "RSDP");
        return false;
    }
    out.local_apic_physical = madt->local_apic_physical;
    auto const* bytes = reinterpret_cast<u8 const*>(madt);
    for (usize offset = sizeof(MadtHeader); offset + 2 <= madt->header.length;) {
        u8 const* entry = bytes + offset;
        u8 type = entry[0], length = entry[1];
        if (length < 2 || offset + length > madt->header.length)
            break;
        if (type == ENTRY_LOCAL_APIC && length >= 8) {
            // A CPU that is neither enabled nor online-capable cannot be started.
            if (read_field<u32>(entry, 4) & (LOCAL_APIC_ENABLED | LOCAL_APIC_ONLINE_CAPABLE)) {
                if (out.cpu_count < MAX_CPUS)
                    out.cpu_apic_ids[out.cpu_count++] = entry[3];
                else
                    ++out.cpus_ignored;
            }
        } else if (type == ENTRY_IO_APIC && length >= 12 && out.io_apic_physical == 0) {
            out.io_apic_physical = read_field<u32>(entry, 4);
        } else if (type == ENTRY_LOCAL_APIC_ADDRESS && length >= 12) {
            out.local_apic_physical = read_field<u64>(entry, 4);
        }
        offset += length;
    }
    klog("acpi: MADT lists %zu CPU%s (local APIC at %lx, IO-APIC at %lx)%s", out.cpu_count, out.cpu_count == 1 ? "" : "s",
        out.local_apic_physical, out.io_apic_physical, out.cpus_ignored ? "; more than MAX_CPUS, the rest ignored" : "");
    return out.cpu_count > 0;
}
