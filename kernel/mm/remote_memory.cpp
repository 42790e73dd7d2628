#include "remote_memory.h"
#include "address_space.h"
#include "fault_handlers.h"
#include "reverse_map.h"

namespace {

// The bytes of the user page at `va` (page aligned), after resolving whatever fault the
// access would take. A fault that came back Retry (the page changed while it slept) is
// simply tried again.
Result<u8*> user_page(AddressSpace& space, VirtAddr va, FaultAccess access)
{
    for (;;) {
        Mapping const* mapping = space.find_mapping(va);
        PteInfo pte = space.page_table().query(va);
        bool permitted = mapping && prot_allows(mapping->prot(), access);
        if (permitted && pte.present && (access != FaultAccess::Write || pte.writable))
            return space.context().physical.map_frame(pte.frame);
        switch (handle_page_fault(space, va, access)) {
        case FaultResult::Handled:
        case FaultResult::Retry:
            continue;
        case FaultResult::Segv:
        case FaultResult::Bus:
            return Errno::BadAddress;
        case FaultResult::OutOfMemory:
            return Errno::NoMemory;
        }
    }
}

// The page getter of an ordinary access, for for_each_user_piece.
auto page_for(AddressSpace& space, FaultAccess access)
{
    return [&space, access](VirtAddr page) { return user_page(space, page, access); };
}

Errno errno_of(FaultResult result) { return result == FaultResult::OutOfMemory ? Errno::NoMemory : Errno::BadAddress; }

// The bytes of the page at `va` for a forced write (remote_write_forced). Looked at afresh
// after every step: a handler that slept may come back to a changed page.
Result<u8*> forced_write_page(AddressSpace& space, VirtAddr va)
{
    for (;;) {
        Mapping const* mapping = space.find_mapping(va);
        if (mapping && prot_allows(mapping->prot(), FaultAccess::Write))
            return user_page(space, va, FaultAccess::Write);
        if (!mapping || !mapping->is_private() || !prot_allows(mapping->prot(), FaultAccess::Read))
            return Errno::BadAddress; // Linux forces writes into copy-on-write mappings only
        PageTable& table = space.page_table();
        PteInfo pte = table.query(va);
        if (!pte.present) { // first the page the mapping shows (file data, or the zero frame)
            if (auto page = user_page(space, va, FaultAccess::Read); page.is_error())
                return page.error();
            continue;
        }
        if (pte.in_shared_table) { // a frame in a table shared since fork is someone else's too
            TRY(table.unshare(va, va + PAGE_SIZE, false));
            continue;
        }
        MemoryContext& context = space.context();
        bool cache_frame = mapping->cache() && maps_cache_frame(*mapping, va, pte.frame);
        bool zero_frame = pte.frame == context.zero_frame;
        if (!cache_frame && !zero_frame && context.frames.ref_count(pte.frame) == 1)
            return context.physical.map_frame(pte.frame); // this space's own copy
        PageFault fault { space, va, FaultAccess::Write, mapping, pte, space.layout_version() };
        FaultResult made = cache_frame ? handle_file_cow_fault(fault)
            : zero_frame               ? handle_zero_write_fault(fault)
                                       : handle_cow_copy_fault(fault);
        if (made != FaultResult::Handled && made != FaultResult::Retry)
            return errno_of(made);
    }
}

// Calls `step(bytes, done, chunk)` for each page piece of the user range [va, va+n), in
// order, with the page's bytes from `page_of(page)`, until one fails. Returns how many
// bytes were done and the error that stopped it.
template<typename PageOf, typename Step>
usize for_each_user_piece(AddressSpace& space, VirtAddr va, usize n, Errno& error, PageOf page_of, Step step)
{
    space.verify_locked();
    // Only the part below USER_TOP can be user memory (a buffer that runs off the top of
    // user space still copies its first part); below USER_BASE no mapping ever exists, so
    // the fault handler refuses those pages.
    usize reachable = va >= USER_TOP ? 0 : min<u64>(n, USER_TOP - va);
    error = Errno::BadAddress;
    usize done = 0;
    while (done < reachable) {
        VirtAddr address = va + done;
        VirtAddr page = page_round_down(address);
        usize offset = address - page;
        usize chunk = min<usize>(reachable - done, PAGE_SIZE - offset);
        Result<u8*> bytes = page_of(page);
        if (bytes.is_error()) {
            error = bytes.error();
            return done;
        }
        step(bytes.value() + offset, done, chunk);
        done += chunk;
    }
    return done;
}

}

usize remote_write(AddressSpace& space, VirtAddr destination, void const* source, usize n, Errno& error)
{
    auto const* from = static_cast<u8 const*>(source);
    return for_each_user_piece(space, destination, n, error, page_for(space, FaultAccess::Write),
        [&](u8* bytes, usize at, usize chunk) { __builtin_memcpy(bytes, from + at, chunk); });
}

usize remote_write_forced(AddressSpace& space, VirtAddr destination, void const* source, usize n, Errno& error)
{
    auto const* from = static_cast<u8 const*>(source);
    return for_each_user_piece(
        space, destination, n, error, [&](VirtAddr page) { return forced_write_page(space, page); },
        [&](u8* bytes, usize at, usize chunk) { __builtin_memcpy(bytes, from + at, chunk); });
}

usize remote_read(AddressSpace& space, void* destination, VirtAddr source, usize n, Errno& error)
{
    auto* to = static_cast<u8*>(destination);
    return for_each_user_piece(space, source, n, error, page_for(space, FaultAccess::Read),
        [&](u8* bytes, usize at, usize chunk) { __builtin_memcpy(to + at, bytes, chunk); });
}

usize remote_zero(AddressSpace& space, VirtAddr destination, usize n, Errno& error)
{
    return for_each_user_piece(space, destination, n, error, page_for(space, FaultAccess::Write),
        [&](u8* bytes, usize, usize chunk) { __builtin_memset(bytes, 0, chunk); });
}

Result<u32> remote_compare_exchange(AddressSpace& space, VirtAddr address, u32 expected, u32 desired)
{
    space.verify_locked();
    if (address >= USER_TOP || (address & 3))
        return Errno::BadAddress;
    VirtAddr page = page_round_down(address);
    u8* bytes = TRY(user_page(space, page, FaultAccess::Write));
    auto* word = reinterpret_cast<u32*>(bytes + (address - page));
    // The same physical word the user's threads reach through their mappings, so a locked
    // instruction here is atomic against theirs.
    __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected; // on failure the builtin left the word's value there
}

Result<usize> remote_read_string(AddressSpace& space, char* destination, VirtAddr source, usize capacity)
{
    space.verify_locked();
    usize length = 0;
    while (length < capacity) {
        VirtAddr address = source + length;
        if (address < source || address >= USER_TOP)
            return Errno::BadAddress;
        VirtAddr page = page_round_down(address);
        usize offset = address - page;
        usize chunk = min<usize>(capacity - length, PAGE_SIZE - offset);
        u8* bytes = TRY(user_page(space, page, FaultAccess::Read));
        for (usize i = 0; i < chunk; ++i) {
            destination[length] = static_cast<char>(bytes[offset + i]);
            if (destination[length] == '\0')
                return length;
            ++length;
        }
    }
    return Errno::NameTooLong;
}
