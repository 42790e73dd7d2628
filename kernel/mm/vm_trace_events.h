// The VM trace's recording calls, one per kind of event (vm_trace.h has the record and the
// ring). A traced path calls them through VM_TRACE(...), so each costs one branch while the
// trace is off; the calls are out of line so that the paths stay small.
#pragma once

#include "fault.h"
#include "frame_allocator.h"
#include "vm_stats.h"
#include "vm_trace.h"

class AddressSpace;
class PageCache;

// A fault and what it did: `old_ref` is the faulted frame's refcount when the case was
// decided; the new frame and its refcount are read from the page table now.
void trace_fault(PageFault const&, FaultCase, FaultResult, u32 old_ref);
void trace_frame(VmEvent, FrameNumber, FrameUse = FrameUse::Kernel);
// A page of `cache` (CacheInsert/Drop/Dirty/Clean); `fill` for inserts.
void trace_cache_page(VmEvent, PageCache const&, u64 index, FrameNumber, CacheFill fill = CacheFill::Zero);
void trace_write_back_start(PageCache&, u64 first, u64 last, WriteBackReason);
void trace_write_back_end(PageCache&, bool failed);
// Which file a cache holds (from the inode that made it).
void trace_cache_file(PageCache const&, u64 device, u64 inode);
// Blocks of a file page moved between the disk and memory (from the file system).
void trace_disk(VmEvent, u64 device, u64 inode, u64 index, u64 block, u32 blocks);
// mmap, munmap, mprotect, mremap, brk: the arguments as the records above describe.
void trace_memory_call(VmEvent, u64 a, u64 b, u64 c = 0, u64 d = 0, u8 prot = 0, u32 flags = 0);

// A mapping just made at `start` (mmap): its range, prot, cache and offset, `flags` (MAP_*)
// as asked, and the name of its cache.
void trace_new_mapping(AddressSpace&, VirtAddr start, u64 length, u32 flags);

// The cache's name in the trace: a number that stays the same while it lives.
u64 trace_cache_id(PageCache const&);

// A page mapped without a fault of its own (fault-around): a Page record of the running process.
void trace_mapped_page(AddressSpace&, Mapping const&, VirtAddr);

// Records every mapping of `space` (with the name of each cache) and every present page,
// as process `pid`'s; returns the pages and counts in `tables` the leaf tables shared with
// another address space (fork). `emit` false: only count.
u64 trace_address_space(AddressSpace&, u32 pid, u64& tables, bool emit = true);
