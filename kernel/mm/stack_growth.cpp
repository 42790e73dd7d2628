// MAP_GROWSDOWN: a mapping that grows down when the program touches the page just below it,
// the way a thread's stack made with MAP_GROWSDOWN deepens (Linux's expand_downwards).
//
//        prev mapping  |<-- guard gap: 256 pages -->|   ...  | grows-down mapping |
//                                                        ^ fault: the mapping now starts here
//
// Linux grows it down to the faulting page when nothing but free space lies between, unless
// that brings it within the stack guard gap of the mapping below (an accessible one that
// does not grow down itself), below mmap_min_addr, past RLIMIT_STACK (the mapping's whole
// size) or past RLIMIT_AS; then the fault is a SIGSEGV. Pagoda's main stack is a fixed-size
// mapping (exec.cpp), so only mappings made with MAP_GROWSDOWN grow.
#include "address_space.h"
#include "user_layout.h"

namespace {

constexpr u64 STACK_GUARD_GAP = 256 * PAGE_SIZE; // Linux's default stack_guard_gap

}

Result<void> AddressSpace::set_grows_down(VirtAddr start, u64 length)
{
    verify_locked();
    return change_flags(
        start, start + page_round_up(length), [](Mapping const& mapping) { return mapping.flags() | VM_GROWSDOWN; });
}

Mapping const* AddressSpace::grow_down_to(VirtAddr va)
{
    verify_locked();
    va = page_round_down(va);
    Mapping* above = m_mappings.first_ending_after(va);
    if (!above || above->start() <= va || !above->has(VM_GROWSDOWN))
        return nullptr;
    u64& refused = m_context.stats.stack_growths_refused;
    Mapping const* below = m_mappings.prev(*above);
    if (va < USER_BASE
        || (below && !below->has(VM_GROWSDOWN) && below->prot() != VM_NONE && va - below->end() < STACK_GUARD_GAP)) {
        ++refused;
        return nullptr;
    }
    u64 growth = above->start() - va;
    if (above->end() - va > m_stack_limit || (m_mapped_limit != ~u64(0) && mapped_bytes() + growth > m_mapped_limit)) {
        ++refused;
        return nullptr;
    }
    Mapping* grown = above->clone_moved(above->start(), va, growth);
    if (!grown)
        return nullptr; // out of memory: the fault is a SIGSEGV, as Linux's failed expand_stack
    auto inserted = insert_mapping(OwnPtr<Mapping>(grown));
    if (inserted.is_error())
        return nullptr;
    ++m_context.stats.stack_growths;
    return m_mappings.merge_with_neighbours(*inserted.value());
}
