#include "pagemap.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/proc/process.h"
#include "proc_file_stat.h"

namespace {

constexpr u64 PRESENT = 1ull << 63;
constexpr u64 FILE_OR_SHARED = 1ull << 61;
constexpr u64 EXCLUSIVE = 1ull << 56;
constexpr u64 FRAME_MASK = (1ull << 55) - 1;

class PagemapFile final : public File {
public:
    explicit PagemapFile(u32 pid) : m_pid(pid) { }

    Result<usize> read(u8* buffer, usize count, u64 offset) override
    {
        // Linux requires whole entries at entry-aligned offsets.
        if (offset % 8 || count % 8)
            return Errno::Invalid;
        Process* process = find_process(m_pid);
        if (!process || process->state() == Process::State::Zombie)
            return 0;
        AddressSpace& space = process->address_space();
        FrameAllocator& frames = space.context().frames;
        auto* entries = reinterpret_cast<u64*>(buffer);
        for (usize i = 0; i < count / 8; ++i) {
            VirtAddr va = (offset / 8 + i) * PAGE_SIZE;
            u64 entry = 0;
            if (va < USER_TOP) {
                PteInfo pte = space.page_table().query(va);
                if (pte.present) {
                    entry = PRESENT | (pte.frame & FRAME_MASK);
                    Mapping const* mapping = space.find_mapping(va);
                    if (mapping && (mapping->is_shared() || !mapping->is_anonymous()))
                        entry |= FILE_OR_SHARED;
                    if (frames.ref_count(pte.frame) == 1)
                        entry |= EXCLUSIVE;
                }
            }
            entries[i] = entry;
        }
        return count;
    }
    Result<usize> write(u8 const*, usize, u64) override { return Errno::Access; }
    void stat(LinuxStat& out) const override { proc_file_stat(out, 0400); }

private:
    u32 m_pid;
};

}

Result<RefPtr<File>> open_pagemap(Process& process)
{
    auto* file = new (std::nothrow) PagemapFile(process.pid());
    if (!file)
        return Errno::NoMemory;
    return adopt_ref<File>(file);
}
