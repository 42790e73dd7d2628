// The VM trace: the text of each kind of record, "lost" lines where the ring dropped
// records, and the records a fork and its copy-on-write faults leave (one COW copy per
// page written while shared, a reuse once the other side is gone).
#include "kernel/mm/vm_trace.h"
#include "kernel/mm/vm_trace_events.h"
#include "mm_test_helpers.h"
#include <string>
#include <vector>

namespace {

// Starts a trace over `slots` and stops it (and the global flag) when the test ends.
struct TraceSession {
    std::vector<VmTraceRecord> slots;
    explicit TraceSession(u64 capacity, MmEnvironment* env = nullptr) : slots(capacity)
    {
        vm_trace_set_sources(
            { .clock_ns = [] { return u64(1000); }, .current_ids = [](u32& pid, u32& tid) { pid = 7, tid = 8; } });
        vm_trace_start(slots.data(), capacity, env ? env->frames.total_frames() : 64, env ? env->frames.free_frames() : 60);
    }
    ~TraceSession()
    {
        vm_trace_stop();
        vm_trace_set_sources({});
    }
    std::vector<std::string> lines()
    {
        std::vector<std::string> out;
        char line[256];
        while (vm_trace_next_line(line, sizeof line))
            out.push_back(line);
        return out;
    }
};

std::string text_of(VmTraceRecord const& record)
{
    char line[256];
    format_vm_trace_record(record, 0, line, sizeof line);
    return line;
}

// The lines of `lines` whose event is `event`, without the "SEQ TIME CPU PID TID" head.
std::vector<std::string> events(std::vector<std::string> const& lines, std::string const& event)
{
    std::vector<std::string> out;
    for (auto const& line : lines) {
        // Skip five numbers.
        usize at = 0;
        for (int field = 0; field < 5 && at != std::string::npos; ++field)
            at = line.find(' ', at + 1);
        if (at == std::string::npos)
            continue;
        std::string rest = line.substr(at + 1);
        if (rest.compare(0, event.size() + 1, event + " ") == 0 || rest == event)
            out.push_back(rest);
    }
    return out;
}

}

TEST(VmTrace, FormatsEachKindOfRecord)
{
    VmTraceRecord fault {};
    fault.sequence = 12;
    fault.time_ns = 3456;
    fault.pid = 5;
    fault.tid = 6;
    fault.event = VmEvent::Fault;
    fault.kind = static_cast<u8>(FaultCase::CowCopy);
    fault.access = static_cast<u8>(FaultAccess::Write);
    fault.result = static_cast<u8>(FaultResult::Handled);
    fault.arg[0] = 0x7fffffffc000;
    fault.arg[1] = 0x2573;
    fault.arg[2] = 0x258f;
    fault.arg[3] = 2;
    fault.count = 1;
    EXPECT_EQ(text_of(fault),
        "12 3456 0 5 6 fault addr=0x7fffffffc000 access=write case=cow_copy result=handled old=0x2573 old_ref=2 new=0x258f "
        "new_ref=1");

    VmTraceRecord zero = fault;
    zero.kind = static_cast<u8>(FaultCase::ZeroRead);
    zero.access = static_cast<u8>(FaultAccess::Read);
    zero.result = static_cast<u8>(FaultResult::Segv);
    zero.arg[1] = NO_FRAME_TRACED;
    zero.arg[2] = NO_FRAME_TRACED;
    zero.arg[3] = 0;
    zero.count = 0;
    EXPECT_EQ(text_of(zero),
        "12 3456 0 5 6 fault addr=0x7fffffffc000 access=read case=zero_read result=sigsegv old=- old_ref=0 new=- new_ref=0");

    VmTraceRecord exec {};
    exec.event = VmEvent::Exec;
    exec.pid = exec.tid = 1;
    pack_trace_text(exec, 0, "a-program-name-longer-than-thirty-two-bytes");
    EXPECT_EQ(text_of(exec), "0 0 0 1 1 exec name=a-program-name-longer-than-thirt");

    VmTraceRecord vma {};
    vma.event = VmEvent::Mapping;
    vma.arg[0] = 0x400000;
    vma.arg[1] = 0x401000;
    vma.arg[2] = 0xabc;
    vma.arg[3] = 0x2000;
    vma.kind = VM_READ | VM_EXEC;
    vma.access = 1;
    EXPECT_EQ(text_of(vma), "0 0 0 0 0 vma start=0x400000 end=0x401000 prot=r-x shared=1 cache=0xabc offset=0x2000 flags=0x0");

    VmTraceRecord write_back {};
    write_back.event = VmEvent::WriteBackStart;
    write_back.arg[0] = 0xabc;
    write_back.arg[1] = 0;
    write_back.arg[2] = 3;
    write_back.kind = static_cast<u8>(WriteBackReason::Sync);
    EXPECT_EQ(text_of(write_back), "0 0 0 0 0 writeback_start cache=0xabc first=0 last=3 reason=sync");
}

TEST(VmTrace, DroppedRecordsBecomeLostLines)
{
    TraceSession trace(4); // trace_start takes one slot
    for (u64 frame = 1; frame <= 6; ++frame)
        trace_frame(VmEvent::FrameFree, frame);
    EXPECT_EQ(vm_trace_dropped(), 3u);
    auto lines = trace.lines();
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(events(lines, "trace_start").size(), 1u);
    EXPECT_EQ(lines[1], "1 1000 0 7 8 frame_free frame=0x1");
    EXPECT_EQ(lines[3], "3 1000 0 7 8 frame_free frame=0x3");
    EXPECT_EQ(lines[4], "lost count=3"); // records 4..6
    // Room again: the next record comes after a gap the reader has already been told of.
    trace_frame(VmEvent::FrameAlloc, 9, FrameUse::User);
    lines = trace.lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "7 1000 0 7 8 frame_alloc frame=0x9 use=user");
}

TEST(VmTrace, OffCostsNoRecord)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2);
    poke(*space, a, 1); // not tracing: nothing recorded anywhere
    TraceSession trace(64, &env);
    auto lines = trace.lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(events(lines, "trace_start").size(), 1u);
}

TEST(VmTrace, ForkThenWritesGiveOneCowCopyPerSharedPage)
{
    MmEnvironment env;
    auto parent = env.new_space();
    VirtAddr a = map_private(*parent, 3);
    for (u64 i = 0; i < 3; ++i)
        poke(*parent, a + i * P, u8(i));
    TraceSession trace(4096, &env);
    auto child = MUST(fork_address_space(*parent));
    u64 tables;
    EXPECT_EQ(trace_address_space(*child, 2, tables), 3u);
    for (u64 i = 0; i < 3; ++i)
        poke(*child, a + i * P, 9); // each shared: copied
    child.clear(); // the parent's frames are its alone again
    poke(*parent, a, 5); // reused in place
    auto lines = trace.lines();
    auto pages = events(lines, "page");
    ASSERT_EQ(pages.size(), 3u);
    EXPECT_NE(pages[0].find("ref=2 writable=0"), std::string::npos) << pages[0];
    EXPECT_EQ(events(lines, "vma").size(), 1u);
    auto faults = events(lines, "fault");
    ASSERT_EQ(faults.size(), 4u);
    for (int i = 0; i < 3; ++i)
        EXPECT_NE(faults[i].find("access=write case=cow_copy result=handled"), std::string::npos) << faults[i];
    EXPECT_NE(faults[0].find("old_ref=2"), std::string::npos) << faults[0];
    EXPECT_NE(faults[3].find("case=cow_reuse"), std::string::npos) << faults[3];
    // The copies' frames were allocated, and the child's frames freed when it went.
    EXPECT_EQ(events(lines, "frame_alloc").size() >= 3, true);
    EXPECT_EQ(events(lines, "frame_free").size() >= 3, true);
    EXPECT_EQ(vm_trace_dropped(), 0u);
}
