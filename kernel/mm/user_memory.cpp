// The front door to user memory: a copy through the MMU where it can be one, the software
// walk of remote_memory.cpp for the rest.
#include "user_memory.h"
#include "address_space.h"
#include "mmu_user_copy.h"
#include "remote_memory.h"

namespace {

// How much of [va, va + n) (below USER_TOP) lies in mappings that allow `access`, from its
// start: what may be copied through the MMU. The check matters for one case only, and it
// is the reason for the whole function: a PROT_NONE page keeps its page-table entry (the
// user cannot reach it, x86 clears the U/S bit), but a kernel access would pass. Elsewhere
// the page tables never permit more than the mapping does. A gap or a refusing mapping is
// left to the walk, which decides it exactly as the user's access would be decided.
usize permitted_prefix(AddressSpace const& space, VirtAddr va, usize n, FaultAccess access)
{
    usize permitted = 0;
    while (permitted < n) {
        Mapping const* mapping = space.find_mapping(va + permitted);
        if (!mapping || !prot_allows(mapping->prot(), access))
            break;
        permitted = min<usize>(n, mapping->end() - va);
    }
    return permitted;
}

// What a copy through the MMU can do of the range's first `n` bytes (already clipped below
// USER_TOP). `copy(at, length)` copies bytes [at, at + length) of the range through the
// MMU. Returns how many bytes were done, and in `stop` why it ended: None if the rest may
// still be tried by the walk, else the reason nothing more is to be done.
template<typename Copy>
usize mmu_copy_prefix(AddressSpace& space, VirtAddr va, usize n, FaultAccess access, MmuCopyStop& stop, Copy copy)
{
    stop = MmuCopyStop::None;
    if (!space.context().mmu_user_copy)
        return 0;
    usize done = 0;
    while (done < n && space.page_table().is_loaded()) {
        usize permitted = permitted_prefix(space, va + done, n - done, access);
        if (permitted == 0)
            break;
        MmuCopyResult result = copy(done, permitted);
        done += permitted - result.not_done;
        if (result.stop != MmuCopyStop::None && result.stop != MmuCopyStop::Recheck) {
            stop = result.stop;
            return done;
        }
        // None: on to the next mappings. Recheck: a fault slept and the layout changed.
    }
    return done;
}

Errno errno_for(MmuCopyStop stop) { return stop == MmuCopyStop::NoMemory ? Errno::NoMemory : Errno::BadAddress; }

// The part of [va, va + n) that can be user memory at all: a buffer that runs off the top
// of user space still copies its first part; a kernel address is never touched.
usize user_part(VirtAddr va, usize n) { return va >= USER_TOP ? 0 : min<u64>(n, USER_TOP - va); }

// Copies [va, va + n): through the MMU first (`mmu`), the rest by the walk (`walk(at,
// length, error)`). Returns the bytes done and, if short, the error in `error`.
template<typename Mmu, typename Walk>
usize copy_user_range(AddressSpace& space, VirtAddr va, usize n, FaultAccess access, Errno& error, Mmu mmu, Walk walk)
{
    space.verify_locked();
    error = Errno::BadAddress;
    usize reachable = user_part(va, n);
    MmuCopyStop stop;
    usize done = mmu_copy_prefix(space, va, reachable, access, stop, mmu);
    if (stop != MmuCopyStop::None) {
        error = errno_for(stop);
        return done;
    }
    if (done < reachable)
        done += walk(done, reachable - done, error);
    return done;
}

Result<void> whole(usize done, usize n, Errno error)
{
    if (done == n)
        return {};
    return error;
}

Result<usize> partial(usize done, usize n, Errno error)
{
    if (done > 0 || n == 0)
        return done;
    return error;
}

usize write_user(AddressSpace& space, VirtAddr destination, void const* source, usize n, Errno& error)
{
    auto const* from = static_cast<u8 const*>(source);
    return copy_user_range(
        space, destination, n, FaultAccess::Write, error,
        [&](usize at, usize length) {
            return space.context().mmu_user_copy->copy(reinterpret_cast<void*>(destination + at), from + at, length, &space);
        },
        [&](usize at, usize length, Errno& walk_error) {
            return remote_write(space, destination + at, from + at, length, walk_error);
        });
}

usize read_user(AddressSpace& space, void* destination, VirtAddr source, usize n, Errno& error)
{
    auto* to = static_cast<u8*>(destination);
    return copy_user_range(
        space, source, n, FaultAccess::Read, error,
        [&](usize at, usize length) {
            return space.context().mmu_user_copy->copy(to + at, reinterpret_cast<void const*>(source + at), length, &space);
        },
        [&](usize at, usize length, Errno& walk_error) { return remote_read(space, to + at, source + at, length, walk_error); });
}

}

Result<void> copy_to_user(AddressSpace& space, VirtAddr destination, void const* source, usize n)
{
    Errno error = Errno::BadAddress;
    usize done = write_user(space, destination, source, n, error);
    return whole(done, n, error);
}

Result<void> copy_from_user(AddressSpace& space, void* destination, VirtAddr source, usize n)
{
    Errno error = Errno::BadAddress;
    usize done = read_user(space, destination, source, n, error);
    return whole(done, n, error);
}

Result<usize> copy_to_user_partial(AddressSpace& space, VirtAddr destination, void const* source, usize n)
{
    Errno error = Errno::BadAddress;
    usize done = write_user(space, destination, source, n, error);
    return partial(done, n, error);
}

Result<usize> copy_from_user_partial(AddressSpace& space, void* destination, VirtAddr source, usize n)
{
    Errno error = Errno::BadAddress;
    usize done = read_user(space, destination, source, n, error);
    return partial(done, n, error);
}

Result<void> zero_user(AddressSpace& space, VirtAddr destination, usize n)
{
    Errno error = Errno::BadAddress;
    usize done = copy_user_range(
        space, destination, n, FaultAccess::Write, error,
        [&](usize at, usize length) {
            return space.context().mmu_user_copy->zero(reinterpret_cast<void*>(destination + at), length, &space);
        },
        [&](usize at, usize length, Errno& walk_error) { return remote_zero(space, destination + at, length, walk_error); });
    return whole(done, n, error);
}

Result<u32> compare_exchange_user(AddressSpace& space, VirtAddr address, u32 expected, u32 desired)
{
    // Always the walk: it is a few hundred instructions more than a store through the MMU,
    // paid only on the slow paths of PI locks, and it needs no locked instruction with a
    // fault fixup in the architecture's copy routines.
    return remote_compare_exchange(space, address, expected, desired);
}

Result<usize> copy_string_from_user(AddressSpace& space, char* destination, VirtAddr source, usize capacity)
{
    space.verify_locked();
    MmuCopyStop stop;
    usize length = mmu_copy_prefix(space, source, user_part(source, capacity), FaultAccess::Read, stop, [&](usize at, usize n) {
        return space.context().mmu_user_copy->copy_string(
            destination + at, reinterpret_cast<char const*>(source + at), n, &space);
    });
    if (stop == MmuCopyStop::StringEnd)
        return length - 1; // without the NUL
    if (stop != MmuCopyStop::None)
        return errno_for(stop);
    if (length == capacity)
        return Errno::NameTooLong;
    return length + TRY(remote_read_string(space, destination + length, source + length, capacity - length));
}

MmuCopyStop resolve_mmu_copy_fault(AddressSpace& space, VirtAddr address, FaultAccess access)
{
    u64 layout = space.layout_version();
    switch (handle_page_fault(space, address, access)) {
    case FaultResult::Handled:
    case FaultResult::Retry:
        // A fault that slept (a file page read from disk) may come back to a changed world:
        // the mappings the copy was checked against (an mprotect to PROT_NONE by another
        // thread), or another table loaded. The copy then stops and its caller decides the
        // rest afresh; otherwise the access runs again.
        if (space.layout_version() != layout || !space.page_table().is_loaded())
            return MmuCopyStop::Recheck;
        return MmuCopyStop::None;
    case FaultResult::Segv:
    case FaultResult::Bus:
        return MmuCopyStop::BadAddress;
    case FaultResult::OutOfMemory:
        return MmuCopyStop::NoMemory;
    }
    return MmuCopyStop::BadAddress;
}
