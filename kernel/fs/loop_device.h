// Loop devices (Linux's drivers/block/loop.c): /dev/loop0../dev/loop7, block devices whose
// bytes are a regular file's, read and written through that file's page cache, and
// /dev/loop-control, which finds a free one. A device is unbound until LOOP_SET_FD gives
// it a file (ENXIO for the status calls before), and LOOP_CLR_FD unbinds it — at once if
// only the caller has it open, else when the last opener (an open node, a mount) lets go
// (Linux's autoclear). The ioctls themselves are decoded in kernel/syscall/sys_loop.cpp.
#pragma once

#include "file.h"
#include "kernel/dev/block_device.h"
#include "kernel/lib/device_number.h"

constexpr usize LOOP_DEVICE_COUNT = 8;
constexpr DeviceNumber DEVICE_LOOP_CONTROL { 10, 237 };
constexpr u32 LOOP_FLAG_READ_ONLY = 1, LOOP_FLAG_AUTOCLEAR = 4, LOOP_FLAG_PARTSCAN = 8, LOOP_FLAG_DIRECT_IO = 16;

// What LOOP_SET_STATUS sets and LOOP_GET_STATUS reports (the fields Pagoda keeps).
struct LoopStatus {
    u64 offset;
    u64 size_limit; // 0: up to the file's end
    u32 flags;
    char file_name[64];
};

class LoopDevice final : public BlockDevice {
public:
    // Registers the devices as major 7, minors 0.. (at boot, before devfs is made).
    static void create_all();
    static LoopDevice* get(u32 index);
    u32 index() const { return m_index; }

    Result<void> read(u64 offset_bytes, u8* buffer, usize length) override;
    Result<void> write(u64 offset_bytes, u8 const* buffer, usize length) override;
    Result<void> flush() override;
    u64 size_bytes() const override;
    Result<void> acquire() override;
    void release() override;
    bool is_read_only() const override { return m_status.flags & LOOP_FLAG_READ_ONLY; }

    bool is_bound() const { return static_cast<bool>(m_backing); }
    bool is_present() const { return m_present; }
    // LOOP_SET_FD / LOOP_CONFIGURE: Busy if bound; `writable` says the caller's descriptor
    // and node allow writing (else the device is read-only).
    Result<void> bind(RefPtr<OpenFile> backing, bool writable);
    // LOOP_CLR_FD: NoDeviceOrAddress if unbound.
    Result<void> unbind();
    Result<void> set_status(LoopStatus const&);
    Result<LoopStatus> status() const;
    // The backing file's identity, for loop_info's lo_device / lo_inode.
    void backing_identity(u64& device, u64& inode) const;
    // LOOP_CTL_ADD / LOOP_CTL_REMOVE.
    Result<void> add();
    Result<void> remove();

private:
    LoopDevice() = default;
    void detach();
    u32 m_index { 0 };
    bool m_present { true };
    u32 m_openers { 0 };
    RefPtr<OpenFile> m_backing;
    LoopStatus m_status {};
};

// /dev/loop-control: its ioctls go to kernel/syscall/sys_loop.cpp.
class LoopControlFile final : public File {
public:
    void stat(LinuxStat&) const override;
    bool is_seekable() const override { return false; }
    LoopControlFile* loop_control() override { return this; }
};
Result<RefPtr<File>> open_loop_control();
