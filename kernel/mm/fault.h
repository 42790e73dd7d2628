// The page-fault vocabulary and the pure fault decision. decide_fault() looks only at the
// mapping, the page-table entry and the frame's refcount, and names the case; the
// AddressSpace then runs the handler named after that case (fault.cpp). Keeping the decision
// pure lets a test walk every row of the table below without building an address space.
//
//   mapping / access allowed?   PTE                         → case
//   none, or prot forbids       any                         → Segv
//   private                     absent, read/exec           → ZeroRead   (map zero frame r/o)
//   private                     absent, write               → ZeroWrite  (fresh zeroed frame)
//   private                     zero frame, write           → ZeroWrite
//   private                     read-only, write, ref 1     → CowReuse   (writable in place)
//   private                     read-only, write, ref > 1   → CowCopy    (copy, map, unref old)
//   shared, no cache (unused)   absent, any access          → SharedZero (fresh frame, shared)
//   shared, no cache (unused)   read-only, write            → SharedWrite (make writable)
//   with a cache (file, shm):
//     any                       absent, page ≥ EOF pages    → FileBus    (SIGBUS)
//     any                       absent, read/exec           → FileRead   (map the cache frame)
//     private                   absent, write               → FileCow    (copy cache page)
//     private                   maps the cache frame, write → FileCow
//     private                   own copy, write             → CowReuse / CowCopy as anonymous
//     shared                    absent or read-only, write  → FileSharedWrite (dirty, writable)
//   any                         already permits the access  → Spurious   (nothing to do)
#pragma once

#include "../lib/types.h"
#include "page_table.h"

class Mapping;

enum class FaultAccess { Read, Write, Execute };

// What the trap handler does next: resume, or deliver SIGSEGV / SIGBUS, or kill for OOM.
enum class FaultResult { Handled, Segv, Bus, OutOfMemory };

enum class FaultCase {
    Segv,
    ZeroRead,
    ZeroWrite,
    CowReuse,
    CowCopy,
    SharedZero,
    SharedWrite,
    Spurious,
    FileBus,
    FileRead,
    FileCow,
    FileSharedWrite,
};

// What decide_fault() needs to know about the page cache for a mapping with a cache.
struct FilePageInfo {
    bool past_eof { false };        // the page lies wholly at or past the end of the file
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
