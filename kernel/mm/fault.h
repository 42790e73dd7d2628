// The page-fault handler: the vocabulary, the pure fault decision, and the record one fault
// carries through its handler. decide_fault() looks only at the mapping, the page-table
// entry and the frame's refcount, and names the case; handle_page_fault() then runs the
// handler named after that case (anonymous_fault.cpp, file_fault.cpp). Keeping the
// decision pure lets a test walk every row of the table below without an address space.
//
//   mapping / access allowed?   PTE                         → case
//   none, or prot forbids       any                         → Segv
//   private anonymous           absent, read/exec           → ZeroRead   (map zero frame r/o)
//                               absent, write               → ZeroWrite  (fresh zeroed frame)
//                               zero frame, write           → ZeroWrite
//                               read-only, write, ref 1     → CowReuse   (writable in place)
//                               read-only, write, ref > 1   → CowCopy    (copy, map, unref old)
//   with a cache (file, or shared anonymous memory):
//     any                       absent, page ≥ EOF pages    → FileBus    (SIGBUS)
//     any                       absent, read/exec           → FileRead   (map the cache frame)
//     private                   absent, write               → FileCow    (copy cache page)
//     private                   maps the cache frame, write → FileCow
//     private                   own copy, write             → CowReuse / CowCopy as anonymous
//     shared                    absent or read-only, write  → FileSharedWrite (dirty, writable)
//   any                         already permits the access  → Spurious   (nothing to do)
//
// (Every shared mapping has a cache — shared anonymous memory gets a nameless one — so no
// case for shared memory without one exists.)
#pragma once

#include "../lib/types.h"
#include "page_table.h"

class AddressSpace;
class Mapping;

enum class FaultAccess {
    Read,
    Write,
    Execute
};

// What the trap handler does next: resume, try the access again, deliver SIGSEGV / SIGBUS,
// or kill for OOM. Retry means the page changed while the handler slept (another fault
// served it, or the range was unmapped): returning to the program re-runs the access,
// which then succeeds or faults afresh.
enum class FaultResult {
    Handled,
    Retry,
    Segv,
    Bus,
    OutOfMemory
};

enum class FaultCase {
    Segv,
    ZeroRead,
    ZeroWrite,
    CowReuse,
    CowCopy,
    Spurious,
    FileBus,
    FileRead,
    FileCow,
    FileSharedWrite,
};

// What decide_fault() needs to know about the page cache for a mapping with a cache.
struct FilePageInfo {
    bool past_eof { false }; // the page lies wholly at or past the end of the file
    bool pte_is_cache_frame { false }; // the present PTE maps the cache's frame for the page
};

// True when `prot` (VM_* bits) allows the access. As on x86 Linux, any of read, write or
// exec permission makes a page readable; writes need VM_WRITE and instruction fetches VM_EXEC.
bool prot_allows(u32 prot, FaultAccess access);

// Pure: which fault case applies. `frame_ref_count` and `is_zero_frame` describe pte.frame
// and are ignored when the PTE is absent; `file` is used only when mapping->cache() is set.
FaultCase decide_fault(Mapping const* mapping, PteInfo const& pte, FaultAccess access, u32 frame_ref_count, bool is_zero_frame,
    FilePageInfo file = {});

char const* fault_case_name(FaultCase);

// One page fault on its way through its handler (Linux's struct vm_fault): what was asked,
// what was found when the case was decided, and how to tell afterwards whether that still
// holds. A handler that may sleep (a page-cache miss reads the disk) calls still_valid()
// after waking and returns Retry if not: another fault may have mapped the page, or the
// range may be gone — and with it `mapping`, which must not be touched then.
struct PageFault {
    AddressSpace& space;
    VirtAddr address; // page aligned
    FaultAccess access;
    Mapping const* mapping;
    PteInfo pte; // the entry when the case was decided
    u64 layout_version; // space.layout_version() then

    bool still_valid() const;
};

// The page-fault handler, for the trap, the kernel's user-memory copies and MAP_POPULATE:
// resolves a fault at `address` (any value: a kernel or unmapped address is Segv), or says
// which signal the faulting thread gets. Counts every call in stats.page_faults. Out of
// frames → OutOfMemory with nothing leaked. Caller holds the VM lock.
FaultResult handle_page_fault(AddressSpace& space, VirtAddr address, FaultAccess access);
