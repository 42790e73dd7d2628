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
//   shared                      absent, any access          → SharedZero (fresh frame, shared)
//   shared                      read-only, write            → SharedWrite (make writable)
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
};

// True when `prot` (VM_* bits) allows the access. As on x86 Linux, any of read, write or
// exec permission makes a page readable; writes need VM_WRITE and instruction fetches VM_EXEC.
bool prot_allows(u32 prot, FaultAccess access);

// Pure: which fault case applies. `frame_ref_count` and `is_zero_frame` describe pte.frame
// and are ignored when the PTE is absent.
FaultCase decide_fault(Mapping const* mapping, PteInfo const& pte, FaultAccess access, u32 frame_ref_count, bool is_zero_frame);

char const* fault_case_name(FaultCase);
