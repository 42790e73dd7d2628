#include "vm_trace.h"
#include "../lib/format.h"
#include "../lib/memory.h"
#include "fault.h"
#include "frame_allocator.h"
#include "vm_stats.h"

bool g_vm_trace_enabled = false;

namespace {

VmTraceSources g_sources;
DropRing<VmTraceRecord> g_rings[VM_TRACE_CPUS];
u32 g_next_sequence = 0; // the next record's, kept or not
u32 g_next_read = 0; // the sequence number the reader expects next

u32 current_cpu() { return 0; } // one CPU (VM_TRACE_CPUS)

char const* const EVENT_NAMES[VM_EVENT_COUNT] = { "trace_start", "fault", "page", "vma", "name", "fork", "vfork_end", "exec",
    "exit", "mmap", "munmap", "mprotect", "mremap", "brk", "cache_insert", "cache_drop", "cache_dirty", "cache_clean",
    "writeback_start", "writeback_end", "cache_file", "disk_read", "disk_write", "frame_alloc", "frame_free" };

char const* access_name(u8 access)
{
    switch (static_cast<FaultAccess>(access)) {
    case FaultAccess::Read:
        return "read";
    case FaultAccess::Write:
        return "write";
    case FaultAccess::Execute:
        return "exec";
    }
    return "?";
}

char const* result_name(u8 result)
{
    switch (static_cast<FaultResult>(result)) {
    case FaultResult::Handled:
        return "handled";
    case FaultResult::Retry:
        return "retry";
    case FaultResult::Segv:
        return "sigsegv";
    case FaultResult::Bus:
        return "sigbus";
    case FaultResult::OutOfMemory:
        return "oom";
    }
    return "?";
}

char const* reason_name(u8 reason)
{
    constexpr char const* NAMES[WRITE_BACK_REASONS] = { "sync", "periodic", "unmap", "release", "shutdown", "throttle" };
    return reason < WRITE_BACK_REASONS ? NAMES[reason] : "?";
}

// "rwx" of VM_* protection bits.
void prot_text(u8 prot, char (&out)[4])
{
    out[0] = prot & 1 ? 'r' : '-';
    out[1] = prot & 2 ? 'w' : '-';
    out[2] = prot & 4 ? 'x' : '-';
    out[3] = '\0';
}

// A frame number as text: hex, or "-" for none.
struct FrameText {
    char text[20];
    explicit FrameText(u64 frame)
    {
        if (frame == NO_FRAME_TRACED)
            format(text, sizeof text, "-");
        else
            format(text, sizeof text, "0x%lx", frame);
    }
};

// The text packed by pack_trace_text, with anything but printable ASCII as '?'.
void unpack_text(VmTraceRecord const& record, usize first, char (&out)[33])
{
    usize room = (4 - first) * 8;
    memcpy(out, &record.arg[first], room);
    out[room] = '\0';
    for (usize i = 0; i < room && out[i]; ++i)
        if (out[i] < 0x20 || out[i] > 0x7e)
            out[i] = '?';
}

}

void vm_trace_set_sources(VmTraceSources sources) { g_sources = sources; }

void vm_trace_start(VmTraceRecord* slots, u64 capacity, u64 frames_total, u64 frames_free)
{
    g_vm_trace_enabled = false;
    for (usize cpu = 0; cpu < VM_TRACE_CPUS; ++cpu)
        g_rings[cpu] = DropRing<VmTraceRecord>(slots + cpu * capacity, capacity);
    g_next_sequence = 0;
    g_next_read = 0;
    g_vm_trace_enabled = true;
    VmTraceRecord start {};
    start.event = VmEvent::TraceStart;
    start.arg[0] = frames_total;
    start.arg[1] = frames_free;
    start.arg[2] = capacity;
    vm_trace_record(start);
}

void vm_trace_stop() { g_vm_trace_enabled = false; }

void vm_trace_record(VmTraceRecord record, u32 pid)
{
    record.time_ns = g_sources.clock_ns ? g_sources.clock_ns() : 0;
    record.sequence = g_next_sequence++;
    u32 running_pid = 0, running_tid = 0;
    if (g_sources.current_ids)
        g_sources.current_ids(running_pid, running_tid);
    record.pid = pid ? pid : running_pid;
    record.tid = pid ? pid : running_tid;
    g_rings[current_cpu()].push(record);
}

u64 vm_trace_dropped()
{
    u64 dropped = 0;
    for (auto const& ring : g_rings)
        dropped += ring.dropped();
    return dropped;
}

u64 vm_trace_waiting()
{
    u64 waiting = 0;
    for (auto const& ring : g_rings)
        waiting += ring.size();
    return waiting;
}

bool vm_trace_next_line(char* line, usize size)
{
    // The oldest waiting record of all CPUs (sequence numbers are global).
    DropRing<VmTraceRecord>* oldest = nullptr;
    u32 oldest_cpu = 0;
    for (u32 cpu = 0; cpu < VM_TRACE_CPUS; ++cpu) {
        VmTraceRecord const* head = g_rings[cpu].peek();
        if (head && (!oldest || i32(head->sequence - oldest->peek()->sequence) < 0)) {
            oldest = &g_rings[cpu];
            oldest_cpu = cpu;
        }
    }
    // Numbers between the last one read and the next one kept belong to dropped records
    // (after the last kept record: to records dropped since).
    u32 next = oldest ? oldest->peek()->sequence : g_next_sequence;
    if (next != g_next_read) {
        format(line, size, "lost count=%u", next - g_next_read);
        g_next_read = next;
        return true;
    }
    if (!oldest)
        return false;
    VmTraceRecord record;
    oldest->pop(record);
    g_next_read = record.sequence + 1;
    format_vm_trace_record(record, oldest_cpu, line, size);
    return true;
}

char const* vm_event_name(VmEvent event)
{
    auto index = static_cast<usize>(event);
    return index < VM_EVENT_COUNT ? EVENT_NAMES[index] : "unknown";
}

void pack_trace_text(VmTraceRecord& record, usize first, char const* text)
{
    usize room = (4 - first) * 8;
    char packed[40] {};
    usize length = min(strlen(text), room);
    memcpy(packed, text, length);
    memcpy(&record.arg[first], packed, room);
}

usize format_vm_trace_record(VmTraceRecord const& r, u32 cpu, char* line, usize size)
{
    usize n = format(line, size, "%u %lu %u %u %u %s", r.sequence, r.time_ns, cpu, r.pid, r.tid, vm_event_name(r.event));
    char* rest = line + min(n, size - 1);
    usize room = size - min(n, size - 1);
    char prot[4];
    char text[33];
    u64 const* a = r.arg;
    switch (r.event) {
    case VmEvent::TraceStart:
        return n + format(rest, room, " frames=%lu free=%lu capacity=%lu", a[0], a[1], a[2]);
    case VmEvent::Fault:
        return n
            + format(rest, room, " addr=0x%lx access=%s case=%s result=%s old=%s old_ref=%lu new=%s new_ref=%u", a[0],
                access_name(r.access), fault_case_name(static_cast<FaultCase>(r.kind)), result_name(r.result),
                FrameText(a[1]).text, a[3], FrameText(a[2]).text, r.count);
    case VmEvent::Page:
        return n
            + format(rest, room, " va=0x%lx frame=0x%lx ref=%u writable=%u cache_frame=%u zero=%u dirty=%u cache=0x%lx index=%lu",
                a[0], a[1], r.count, r.kind & PAGE_WRITABLE ? 1 : 0, r.kind & PAGE_CACHE_FRAME ? 1 : 0,
                r.kind & PAGE_ZERO_FRAME ? 1 : 0, r.kind & PAGE_DIRTY ? 1 : 0, a[2], a[3]);
    case VmEvent::Mapping:
        prot_text(r.kind, prot);
        return n
            + format(rest, room, " start=0x%lx end=0x%lx prot=%s shared=%u cache=0x%lx offset=0x%lx flags=0x%x", a[0], a[1], prot,
                r.access, a[2], a[3], r.count);
    case VmEvent::Name:
        unpack_text(r, 1, text);
        return n + format(rest, room, " cache=0x%lx text=%s", a[0], text);
    case VmEvent::Fork:
        return n + format(rest, room, " child=%lu vfork=%u pages=%lu tables=%lu", a[0], r.kind, a[1], a[2]);
    case VmEvent::VforkEnd:
        return n + format(rest, room, " parent=%lu by=%s", a[0], r.kind ? "exit" : "exec");
    case VmEvent::Exec:
        unpack_text(r, 0, text);
        return n + format(rest, room, " name=%s", text);
    case VmEvent::Exit:
        return n + format(rest, room, " status=0x%lx", a[0]);
    case VmEvent::Mmap:
        prot_text(r.kind, prot);
        return n
            + format(rest, room, " start=0x%lx length=0x%lx prot=%s flags=0x%x cache=0x%lx offset=0x%lx", a[0], a[1], prot,
                r.count, a[2], a[3]);
    case VmEvent::Munmap:
        return n + format(rest, room, " start=0x%lx length=0x%lx", a[0], a[1]);
    case VmEvent::Mprotect:
        prot_text(r.kind, prot);
        return n + format(rest, room, " start=0x%lx length=0x%lx prot=%s", a[0], a[1], prot);
    case VmEvent::Mremap:
        return n + format(rest, room, " old=0x%lx old_length=0x%lx new=0x%lx new_length=0x%lx", a[0], a[1], a[2], a[3]);
    case VmEvent::Brk:
        return n + format(rest, room, " old=0x%lx new=0x%lx", a[0], a[1]);
    case VmEvent::CacheInsert:
        return n
            + format(rest, room, " cache=0x%lx index=%lu frame=0x%lx how=%s", a[0], a[1], a[2],
                r.kind == static_cast<u8>(CacheFill::Read) ? "read" : "zero");
    case VmEvent::CacheDrop:
    case VmEvent::CacheDirty:
    case VmEvent::CacheClean:
        return n + format(rest, room, " cache=0x%lx index=%lu frame=0x%lx", a[0], a[1], a[2]);
    case VmEvent::WriteBackStart:
        return n + format(rest, room, " cache=0x%lx first=%lu last=%lu reason=%s", a[0], a[1], a[2], reason_name(r.kind));
    case VmEvent::WriteBackEnd:
        return n + format(rest, room, " cache=0x%lx pages=%lu error=%u", a[0], a[1], r.result);
    case VmEvent::CacheFile:
        return n + format(rest, room, " cache=0x%lx dev=%lu ino=%lu", a[0], a[1], a[2]);
    case VmEvent::DiskRead:
    case VmEvent::DiskWrite:
        return n + format(rest, room, " dev=%lu ino=%lu index=%lu block=%lu blocks=%u", a[0], a[1], a[2], a[3], r.count);
    case VmEvent::FrameAlloc:
        return n + format(rest, room, " frame=0x%lx use=%s", a[0], r.kind ? "user" : "kernel");
    case VmEvent::FrameFree:
        return n + format(rest, room, " frame=0x%lx", a[0]);
    }
    return n;
}
