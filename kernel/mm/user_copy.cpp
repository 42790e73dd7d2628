// Kernel access to user memory. Instead of touching user addresses and fixing up hardware
// faults, the kernel walks the page table in software and reaches frames through
// PhysicalAccess; a page that is absent, or read-only for a write, goes through
// handle_fault() exactly as the user's own access would (so a write to a COW page copies it,
// and a read of untouched memory maps the zero frame).
#include "address_space.h"

#include "../lib/assert.h"

Result<u8*> AddressSpace::user_page(VirtAddr va, FaultAccess access)
{
    VERIFY(is_page_aligned(va));
    Mapping const* mapping = m_mappings.find(va);
    PteInfo pte = m_page_table->query(va);
    bool permitted = mapping && prot_allows(mapping->prot(), access);
    bool satisfied = permitted && pte.present && (access != FaultAccess::Write || pte.writable);
    if (!satisfied) {
        switch (handle_fault(va, access)) {
        case FaultResult::Handled:
            break;
        case FaultResult::Segv:
        case FaultResult::Bus:
            return Errno::BadAddress;
        case FaultResult::OutOfMemory:
            return Errno::NoMemory;
        }
        pte = m_page_table->query(va);
        VERIFY(pte.present && (access != FaultAccess::Write || pte.writable));
    }
    return m_context.physical.map_frame(pte.frame);
}

namespace {

// Calls `step(page, offset, chunk)` for each page piece of the user range [va, va+n).
template<typename Step>
Result<void> for_each_user_chunk(VirtAddr va, usize n, Step step)
{
    if (n == 0)
        return {};
    if (!is_user_range(va, n))
        return Errno::BadAddress;
    usize done = 0;
    while (done < n) {
        VirtAddr address = va + done;
        VirtAddr page = page_round_down(address);
        usize offset = address - page;
        usize chunk = min<usize>(n - done, PAGE_SIZE - offset);
        TRY(step(page, offset, chunk, done));
        done += chunk;
    }
    return {};
}

}

Result<void> AddressSpace::copy_to_user(VirtAddr dst, void const* src, usize n)
{
    auto const* from = static_cast<u8 const*>(src);
    return for_each_user_chunk(dst, n, [&](VirtAddr page, usize offset, usize chunk, usize done) -> Result<void> {
        u8* bytes = TRY(user_page(page, FaultAccess::Write));
        __builtin_memcpy(bytes + offset, from + done, chunk);
        return {};
    });
}

Result<void> AddressSpace::copy_from_user(void* dst, VirtAddr src, usize n)
{
    auto* to = static_cast<u8*>(dst);
    return for_each_user_chunk(src, n, [&](VirtAddr page, usize offset, usize chunk, usize done) -> Result<void> {
        u8* bytes = TRY(user_page(page, FaultAccess::Read));
        __builtin_memcpy(to + done, bytes + offset, chunk);
        return {};
    });
}

Result<void> AddressSpace::zero_user(VirtAddr dst, usize n)
{
    return for_each_user_chunk(dst, n, [&](VirtAddr page, usize offset, usize chunk, usize) -> Result<void> {
        u8* bytes = TRY(user_page(page, FaultAccess::Write));
        __builtin_memset(bytes + offset, 0, chunk);
        return {};
    });
}

Result<usize> AddressSpace::copy_string_from_user(char* dst, VirtAddr src, usize capacity)
{
    usize length = 0;
    while (length < capacity) {
        VirtAddr address = src + length;
        if (address < src || !is_user_range(address, 1))
            return Errno::BadAddress;
        VirtAddr page = page_round_down(address);
        usize offset = address - page;
        usize chunk = min<usize>(capacity - length, PAGE_SIZE - offset);
        u8* bytes = TRY(user_page(page, FaultAccess::Read));
        for (usize i = 0; i < chunk; ++i) {
            dst[length] = static_cast<char>(bytes[offset + i]);
            if (dst[length] == '\0')
                return length;
            ++length;
        }
    }
    return Errno::NameTooLong;
}
