// The VM trace's recording calls (vm_trace_events.h): each fills one record.
#include "vm_trace_events.h"
#include "../lib/memory.h"
#include "address_space.h"
#include "reverse_map.h"

namespace {

// write_back() does not nest (the Pager writes blocks, not other caches), so one base is enough.
u64 g_written_back_at_start = 0;

VmTraceRecord record_of(VmEvent event)
{
    VmTraceRecord record {};
    record.event = event;
    return record;
}

// A record of four numbers, a kind and a count.
void record_numbers(VmEvent event, u64 a, u64 b, u64 c, u64 d, u8 kind, u32 count)
{
    VmTraceRecord record = record_of(event);
    record.arg[0] = a;
    record.arg[1] = b;
    record.arg[2] = c;
    record.arg[3] = d;
    record.kind = kind;
    record.count = count;
    vm_trace_record(record);
}

}

u64 trace_cache_id(PageCache const& cache) { return reinterpret_cast<uptr>(&cache) & 0xffffffffffull; }

void trace_fault(PageFault const& fault, FaultCase fault_case, FaultResult result, u32 old_ref)
{
    VmTraceRecord record = record_of(VmEvent::Fault);
    record.kind = static_cast<u8>(fault_case);
    record.access = static_cast<u8>(fault.access);
    record.result = static_cast<u8>(result);
    record.arg[0] = fault.address;
    record.arg[1] = fault.pte.present ? fault.pte.frame : NO_FRAME_TRACED;
    record.arg[3] = old_ref;
    // (After Retry the mapping may be gone; the page table is still there to ask.)
    PteInfo now = fault.space.page_table().query(fault.address);
    record.arg[2] = now.present ? now.frame : NO_FRAME_TRACED;
    record.count = now.present ? fault.space.context().frames.ref_count(now.frame) : 0;
    vm_trace_record(record);
}

void trace_frame(VmEvent event, FrameNumber frame, FrameUse use)
{
    record_numbers(event, frame, 0, 0, 0, static_cast<u8>(use), 0);
}

void trace_cache_page(VmEvent event, PageCache const& cache, u64 index, FrameNumber frame, CacheFill fill)
{
    record_numbers(event, trace_cache_id(cache), index, frame, 0, static_cast<u8>(fill), 0);
}

void trace_write_back_start(PageCache& cache, u64 first, u64 last, WriteBackReason reason)
{
    g_written_back_at_start = cache.context().stats.written_back_pages;
    record_numbers(VmEvent::WriteBackStart, trace_cache_id(cache), first, last, 0, static_cast<u8>(reason), 0);
}

void trace_write_back_end(PageCache& cache, bool failed)
{
    VmTraceRecord record = record_of(VmEvent::WriteBackEnd);
    record.arg[0] = trace_cache_id(cache);
    record.arg[1] = cache.context().stats.written_back_pages - g_written_back_at_start;
    record.result = failed ? 1 : 0;
    vm_trace_record(record);
}

void trace_cache_file(PageCache const& cache, u64 device, u64 inode)
{
    record_numbers(VmEvent::CacheFile, trace_cache_id(cache), device, inode, 0, 0, 0);
}

void trace_memory_call(VmEvent event, u64 a, u64 b, u64 c, u64 d, u8 prot, u32 flags)
{
    record_numbers(event, a, b, c, d, prot, flags);
}

void trace_disk(VmEvent event, u64 device, u64 inode, u64 index, u64 block, u32 blocks)
{
    record_numbers(event, device, inode, index, block, 0, blocks);
}

namespace {

void record_cache_name(Mapping const& m, u32 pid)
{
    if (!m.cache() || !m.name()[0])
        return;
    VmTraceRecord name = record_of(VmEvent::Name);
    name.arg[0] = trace_cache_id(*m.cache());
    usize length = strlen(m.name());
    pack_trace_text(name, 1, m.name() + (length > 24 ? length - 24 : 0)); // the end names the file
    vm_trace_record(name, pid);
}

}

void trace_new_mapping(AddressSpace& space, VirtAddr start, u64 length, u32 flags)
{
    Mapping const* m = space.find_mapping(start);
    if (!m)
        return;
    record_cache_name(*m, 0);
    trace_memory_call(VmEvent::Mmap, start, length, m->cache() ? trace_cache_id(*m->cache()) : 0,
        m->cache() ? m->file_offset() + (start - m->start()) : 0, static_cast<u8>(m->prot()), flags);
}

namespace {

void record_page(AddressSpace& space, Mapping const& m, VirtAddr va, PteInfo const& pte, u32 pid)
{
    MemoryContext& context = space.context();
    VmTraceRecord page = record_of(VmEvent::Page);
    bool cache_frame = m.cache() && maps_cache_frame(m, va, pte.frame);
    page.arg[0] = va;
    page.arg[1] = pte.frame;
    page.arg[2] = m.cache() ? trace_cache_id(*m.cache()) : 0;
    page.arg[3] = m.cache() ? m.file_index(va) : 0;
    page.kind = (pte.writable ? PAGE_WRITABLE : 0) | (cache_frame ? PAGE_CACHE_FRAME : 0)
        | (pte.frame == context.zero_frame ? PAGE_ZERO_FRAME : 0)
        | (cache_frame && m.cache()->is_dirty(m.file_index(va)) ? PAGE_DIRTY : 0);
    page.count = context.frames.ref_count(pte.frame);
    vm_trace_record(page, pid);
}

}

void trace_mapped_page(AddressSpace& space, Mapping const& m, VirtAddr va)
{
    PteInfo pte = space.page_table().query(va);
    if (pte.present)
        record_page(space, m, va, pte, 0);
}

u64 trace_address_space(AddressSpace& space, u32 pid, u64& tables, bool emit)
{
    u64 pages = 0;
    tables = 0;
    u64 span = space.page_table().leaf_table_span();
    VirtAddr last_shared_chunk = ~VirtAddr(0);
    for (Mapping const& m : space.mappings()) {
        u64 cache = m.cache() ? trace_cache_id(*m.cache()) : 0;
        if (emit) {
            VmTraceRecord vma = record_of(VmEvent::Mapping);
            vma.arg[0] = m.start();
            vma.arg[1] = m.end();
            vma.arg[2] = cache;
            vma.arg[3] = m.file_offset();
            vma.kind = static_cast<u8>(m.prot());
            vma.access = m.is_shared() ? 1 : 0;
            vma.count = m.flags();
            vm_trace_record(vma, pid);
            record_cache_name(m, pid);
        }
        space.page_table().for_each_present(m.start(), m.end(), [&](VirtAddr va, PteInfo const& pte) {
            ++pages;
            if (pte.in_shared_table && span && (va & ~(span - 1)) != last_shared_chunk) {
                last_shared_chunk = va & ~(span - 1);
                ++tables;
            }
            if (emit)
                record_page(space, m, va, pte, pid);
        });
    }
    return pages;
}
