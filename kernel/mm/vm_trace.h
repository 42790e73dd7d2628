// The VM event trace: what the virtual-memory system did, event by event — each page fault
// and how it was served, fork, vfork, exec, exit, the mapping calls, the page cache's pages
// coming, going, dirtied and written back, frames allocated and freed — so that a viewer
// (tools/vmview, docs/vmview.md) can redraw the notes' figures from a real run.
//
//   traced path ──VM_TRACE(trace_x(...))──▶ one VmTraceRecord (64 bytes) ──▶ this CPU's DropRing
//        (off: one test of a global flag)                                     │
//   /proc/pagoda/trace, the shutdown dump ◀── format_vm_trace_record() ◀── vm_trace_next()
//
// Recording is cheap and never waits: a record is a few stores into a fixed ring; when the
// ring is full the record is dropped and counted (every record attempted takes a sequence
// number, so a reader sees where records are missing: a "lost" line). The text form is made
// only when someone reads, so the traced path never formats anything.
//
// Why a line format for readers: `cat` shows it, grep and a twenty-line parser read it, and
// every field is named, so a field added later breaks no reader. Its cost (about 100 bytes
// a record, against the ring's 64) is paid by the reader, not by the traced path.
//
// Locking: recording and reading run under the VM lock or with interrupts off (one CPU).
#pragma once

#include "../lib/drop_ring.h"
#include "../lib/types.h"

enum class VmEvent : u8 {
    TraceStart, // arg: frames total, frames free, ring capacity (records)
    Fault, // kind: FaultCase, access: FaultAccess, result: FaultResult; arg: address, old frame,
           // new frame, old frame's refcount before; count: new frame's refcount after
    Page, // a present page (snapshot); arg: address, frame, cache, file index; kind: PageBits; count: refcount
    Mapping, // a mapping (snapshot); arg: start, end, cache, file offset; kind: prot, access: shared; count: flags
    Name, // arg[0]: a cache, arg[1..3]: the last 24 bytes of the name of a mapping of it
    Fork, // arg: child pid, present pages shared, leaf tables shared; kind: 1 for vfork
    VforkEnd, // arg: the parent pid; kind: 0 exec, 1 exit
    Exec, // arg[0..3]: up to 32 bytes of the program's name
    Exit, // arg: wait status
    Mmap, // arg: start, length, cache, file offset; kind: prot; count: MAP_* flags
    Munmap, // arg: start, length
    Mprotect, // arg: start, length; kind: prot
    Mremap, // arg: old start, old length, new start, new length
    Brk, // arg: old break, new break
    CacheInsert, // arg: cache, index, frame; kind: CacheFill
    CacheDrop, // arg: cache, index, frame
    CacheDirty, // arg: cache, index, frame
    CacheClean, // arg: cache, index, frame
    WriteBackStart, // arg: cache, first index, last index; kind: WriteBackReason
    WriteBackEnd, // arg: cache, pages written; result: 1 on error
    CacheFile, // arg: cache, device, inode number
    DiskRead, // arg: device, inode, file page index, first disk block; count: blocks
    DiskWrite, // the same for a write (count: blocks written in the run)
    FrameAlloc, // arg: frame; kind: FrameUse
    FrameFree, // arg: frame
};
constexpr usize VM_EVENT_COUNT = static_cast<usize>(VmEvent::FrameFree) + 1;

// Page records' kind bits.
enum PageBits : u8 {
    PAGE_WRITABLE = 1,
    PAGE_CACHE_FRAME = 2, // the frame is the page cache's own (not a private copy)
    PAGE_ZERO_FRAME = 4,
    PAGE_DIRTY = 8,
};

// How a page entered a cache.
enum class CacheFill : u8 {
    Read, // read through the Pager (the disk)
    Zero, // a hole, or a page written whole, or shared anonymous memory
};

constexpr u64 NO_FRAME_TRACED = ~u64(0);

struct VmTraceRecord {
    u64 time_ns;
    u32 sequence; // of every record attempted, kept or dropped
    u32 pid; // the process the event is about (0: the kernel)
    u32 tid;
    VmEvent event;
    u8 kind;
    u8 access;
    u8 result;
    u32 count;
    u32 reserved; // 0 (keeps arg 8-byte aligned)
    u64 arg[4];
};
static_assert(sizeof(VmTraceRecord) == 64);

// The one flag every traced path tests. Off by default.
extern bool g_vm_trace_enabled;
inline bool vm_trace_enabled() { return __builtin_expect(g_vm_trace_enabled, false); }
// VM_TRACE(trace_fault(...)): the call happens only while tracing; otherwise one branch.
#define VM_TRACE(call)                                                                                                           \
    do {                                                                                                                         \
        if (vm_trace_enabled())                                                                                                  \
            call;                                                                                                                \
    } while (0)

// How the trace learns the time and who is running (mm knows neither). Null: 0.
struct VmTraceSources {
    u64 (*clock_ns)() { nullptr };
    void (*current_ids)(u32& pid, u32& tid) { nullptr };
};
void vm_trace_set_sources(VmTraceSources);

// Pagoda has one CPU; the rings are an array so that more CPUs is a small step (the reader
// already merges them by sequence number).
constexpr usize VM_TRACE_CPUS = 1;

// Starts recording into `slots` (`capacity` records per CPU; VM_TRACE_CPUS * capacity in
// all), emptying what was there, and records a TraceStart. The storage must outlive the
// trace. Stopping keeps the records for reading.
void vm_trace_start(VmTraceRecord* slots, u64 capacity, u64 frames_total, u64 frames_free);
void vm_trace_stop();

// Records `record` for the running process (pid and tid filled in), or for `pid` when it
// is not 0 (a snapshot of another process), stamped with the time and a sequence number.
void vm_trace_record(VmTraceRecord record, u32 pid = 0);

// The next line a reader gets (no newline, NUL-terminated in `line`): the oldest record of
// any CPU, or "lost count=N" where records were dropped. False when nothing is waiting.
bool vm_trace_next_line(char* line, usize size);
// Records dropped so far, and records waiting to be read.
u64 vm_trace_dropped();
u64 vm_trace_waiting();

// The text of one record: "SEQ TIME_NS CPU PID TID EVENT key=value ..." (docs/vmview.md).
usize format_vm_trace_record(VmTraceRecord const& record, u32 cpu, char* line, usize size);
char const* vm_event_name(VmEvent);

// Packs the first (4 - first) * 8 bytes of `text` into arg[first..] (NUL-padded).
void pack_trace_text(VmTraceRecord& record, usize first, char const* text);
