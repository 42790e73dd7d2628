// FakePager: a "file" kept in a std::vector<u8>, counting every page read and write, able to
// fail on demand. Stands in for an ext2 inode (backed) or a tmpfs inode (not backed).
#pragma once

#include "kernel/mm/pager.h"
#include <functional>
#include <map>
#include <set>
#include <vector>

class FakePager final : public Pager {
public:
    explicit FakePager(bool backed = true) : m_backed(backed) { }

    Result<void> read_page(u64 index, u8* page) override;
    Result<void> write_page(u64 index, u8 const* page, usize valid_bytes) override;
    // Records each batch (its page indices), then writes its pages one by one; the batch
    // fails if any page did.
    Result<void> write_pages(PageToWrite const* pages, usize count) override;
    bool is_backed() const override { return m_backed; }

    // The file's bytes as they are "on disk".
    std::vector<u8> file;
    usize reads { 0 };
    usize writes { 0 };
    std::map<u64, usize> writes_of_page; // page index → times written
    bool fail_reads { false };
    std::set<u64> failing_pages; // read_page of these fails with IoError (a bad block)
    // Runs inside read_page, once, as if other threads ran while the read slept on the disk.
    std::function<void(u64 index)> while_reading;
    bool fail_writes { false };
    std::set<u64> failing_writes; // write_page of these fails with IoError
    std::vector<std::vector<u64>> write_batches; // the page indices of each write_pages call
    // Runs inside write_pages, once, before anything is written: as if other threads ran
    // while the batch was in flight.
    std::function<void()> while_writing;

    // Fills the file with `size` bytes, byte i = pattern(i).
    void fill(usize size);
    static u8 pattern(u64 offset) { return u8(offset * 7 + offset / PAGE_SIZE + 1); }

private:
    bool m_backed;
};
