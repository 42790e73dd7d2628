// fork() of an address space: the child gets the same mappings and, page by page, the same
// frames — shared copy-on-write, or copied at once in ForkMode::EagerCopy.
//
//   ForkMode::CopyOnWrite (default)          ForkMode::EagerCopy ("traditional fork")
//   private writable page: write-protect in   private writable page: copy into a fresh
//     parent AND child, refcount + 1            frame for the child, parent untouched
//   read-only page / zero frame: shared as it is, refcount + 1 (both modes)
//   shared mapping: same frame, writable as it is, refcount + 1 (both modes); shared
//     anonymous memory has a PageCache too, so untouched pages are shared as well
//   private file mapping: a page still mapping the cache frame stays read-only in both
//     (both modes); a page already copied is COW like anonymous memory
//
// Copy-on-write reaches the page tables themselves: a well-filled leaf table (2 MiB) in
// which every mapping is private is handed to the child whole, no entry visited, and only
// copied when either side first changes an entry there (page_table.h). A write fault later
// sorts out COW pages: refcount 1 → reuse, otherwise copy (anonymous_fault.cpp).
#pragma once

#include "address_space.h"

// A child of `parent` as the context's fork mode says. NoMemory with everything the child
// took released, so an out-of-memory fork leaves the frame counts as they were.
Result<RefPtr<AddressSpace>> fork_address_space(AddressSpace& parent);
