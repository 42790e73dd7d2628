// PipeRing: the bytes of a pipe, laid out as Linux lays them out — a ring of slots, each
// one page holding the bytes of one or more writes. It only stores; the Pipe around it
// (pipe.h) decides who waits. So a pipe holds as much as Linux's does for the same writes:
//
//   * a write first tops up the last page, if its first (size mod 4096) bytes fit there
//     whole — small writes share pages, large ones go page-aligned into fresh slots;
//   * the rest takes fresh slots, a page each, while one is free. A write of at most
//     PIPE_BUF bytes therefore goes into one page in one step (POSIX's atomic write);
//   * a read takes bytes from the oldest slot on; a slot frees once read to its end, and
//     only then is there room for a writer (and POLLOUT).
//
//            tail                         head
//              │                            │
//   slots:   [ page "...abc" ][ page "de" ][ free ][ free ] ...   (a power of two)
//
// Packet mode (O_DIRECT, Linux's PIPE_BUF_FLAG_PACKET): a write never tops up a page and
// each of its pages is a packet; a read takes at most one packet and drops what of it does
// not fit the reader's buffer.
//
// Bytes move straight between a slot and user memory, a page piece at a time, and a piece
// counts only if it was copied whole — as in Linux, where a pipe buffer that faults
// part-way is neither consumed nor committed: nothing taken from a pipe is ever lost.
// Host-tested (tests/host/fs/pipe_ring_test.cpp).
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class AddressSpace;

class PipeRing {
public:
    static constexpr u32 DEFAULT_SLOTS = 16; // 64 KiB, Linux's default
    PipeRing() = default;
    PipeRing(PipeRing const&) = delete;
    ~PipeRing();
    Result<void> initialize(u32 slots = DEFAULT_SLOTS);

    bool is_empty() const { return m_head == m_tail; }
    bool is_full() const { return occupied() >= m_slot_count; }
    usize capacity() const { return m_slot_count * PAGE_SIZE; }
    usize bytes() const; // FIONREAD

    // Moves up to `count` bytes to user memory at `buffer`, from the oldest slot on and at
    // most one packet; 0 when empty. The error of a first piece that faulted (nothing taken).
    // `freed_slot` says whether a slot became free (a writer may go on).
    Result<usize> take(AddressSpace&, u64 buffer, usize count, bool& freed_slot);
    // The first (count mod PAGE_SIZE) bytes of a write, into the last page if they fit there
    // whole: that many, or 0 (also in packet mode or when empty).
    Result<usize> top_up(AddressSpace&, u64 buffer, usize count, bool packets);
    // Up to one page of bytes into a fresh slot; the ring must not be full. NoMemory without
    // a page, the fault of a piece that could not be copied whole.
    Result<usize> add_page(AddressSpace&, u64 buffer, usize count, bool packets);
    // F_SETPIPE_SZ: a power-of-two number of pages, at least one (Linux's round_pipe_size):
    // Invalid above 2^31 bytes, Busy if the slots in use do not fit, NoMemory. The bytes keep
    // their order. Returns the new capacity.
    Result<usize> resize(u64 bytes);

private:
    // One page of the ring and the bytes of it not read yet, [offset, offset + length).
    struct Slot {
        u8* page;
        u32 offset;
        u32 length;
        bool packet; // written in packet mode: never topped up, the rest dropped once read
    };
    Slot& slot(u32 counter) { return m_slots[counter & (m_slot_count - 1)]; }
    Slot const& slot(u32 counter) const { return m_slots[counter & (m_slot_count - 1)]; }
    u32 occupied() const { return m_head - m_tail; }
    u8* take_page();
    void give_back_page(u8*);

    Slot* m_slots { nullptr };
    u32 m_slot_count { 0 }; // a power of two
    u32 m_head { 0 }; // slots ever filled (the next one is slot(m_head))
    u32 m_tail { 0 }; // slots ever emptied (the oldest is slot(m_tail))
    u8* m_spare_page { nullptr }; // one emptied page kept for the next write
};
