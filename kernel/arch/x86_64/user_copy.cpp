#include "user_copy.h"
#include "kernel/mm/user_layout.h"

extern "C" {
MmuCopyResult user_copy_bytes(void* to, void const* from, usize n, AddressSpace* space);
MmuCopyResult user_zero_bytes(void* to, usize n, AddressSpace* space);
MmuCopyResult user_copy_string(char* to, char const* from, usize n, AddressSpace* space);

struct ExceptionTableEntry {
    u64 instruction;
    u64 fixup;
};
extern ExceptionTableEntry const user_copy_exception_table[], user_copy_exception_table_end[];
}

static_assert(
    static_cast<u64>(MmuCopyStop::None) == 0 && static_cast<u64>(MmuCopyStop::StringEnd) == 4, "user_copy.S uses these values");

namespace {

constexpr u64 PF_WRITE = 1 << 1; // page-fault error code: the access was a write

// Where a fault at `rip` resumes if it cannot be resolved; 0 if `rip` touches no user memory.
u64 fixup_for(u64 rip)
{
    for (ExceptionTableEntry const* entry = user_copy_exception_table; entry != user_copy_exception_table_end; ++entry) {
        if (entry->instruction == rip)
            return entry->fixup;
    }
    return 0;
}

}

MmuUserCopy const& x86_mmu_user_copy()
{
    static MmuUserCopy const routines { user_copy_bytes, user_zero_bytes, user_copy_string };
    return routines;
}

bool resolve_user_copy_fault(TrapFrame& frame)
{
    u64 fixup = fixup_for(frame.rip);
    // The routines' callers clip every range below USER_TOP, so a fault above it is on the
    // kernel's side of the copy: a kernel bug, like any other fault in kernel mode.
    if (!fixup || frame.cr2 >= USER_TOP)
        return false;
    auto& space = *reinterpret_cast<AddressSpace*>(frame.r8);
    FaultAccess access = (frame.error_code & PF_WRITE) ? FaultAccess::Write : FaultAccess::Read;
    MmuCopyStop stop = resolve_mmu_copy_fault(space, frame.cr2, access);
    if (stop != MmuCopyStop::None) {
        frame.rax = static_cast<u64>(stop);
        frame.rip = fixup;
    }
    return true;
}
