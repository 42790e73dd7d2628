#include "fake_pager.h"

#include <cstring>
#include <gtest/gtest.h>
#include <utility>

Result<void> FakePager::read_page(u64 index, u8* page)
{
    ++reads;
    if (fail_reads || failing_pages.count(index))
        return Errno::IoError;
    if (auto meanwhile = std::exchange(while_reading, nullptr))
        meanwhile(index);
    memset(page, 0, PAGE_SIZE);
    u64 start = index * PAGE_SIZE;
    if (start < file.size())
        memcpy(page, file.data() + start, std::min<u64>(PAGE_SIZE, file.size() - start));
    return {};
}

Result<void> FakePager::write_page(u64 index, u8 const* page, usize valid_bytes)
{
    EXPECT_TRUE(m_backed) << "write_page on a non-backed pager";
    EXPECT_GE(valid_bytes, 1u);
    EXPECT_LE(valid_bytes, PAGE_SIZE);
    ++writes;
    ++writes_of_page[index];
    if (fail_writes || failing_writes.count(index))
        return Errno::IoError;
    u64 start = index * PAGE_SIZE;
    if (file.size() < start + valid_bytes)
        file.resize(start + valid_bytes);
    memcpy(file.data() + start, page, valid_bytes);
    return {};
}

Result<void> FakePager::write_pages(PageToWrite const* pages, usize count)
{
    auto& batch = write_batches.emplace_back();
    for (usize i = 0; i < count; ++i) {
        if (i > 0) {
            EXPECT_GT(pages[i].index, pages[i - 1].index) << "a batch must be in ascending order";
        }
        batch.push_back(pages[i].index);
    }
    if (auto meanwhile = std::exchange(while_writing, nullptr))
        meanwhile();
    return Pager::write_pages(pages, count); // page by page, through write_page
}

void FakePager::fill(usize size)
{
    file.resize(size);
    for (usize i = 0; i < size; ++i)
        file[i] = pattern(i);
}
