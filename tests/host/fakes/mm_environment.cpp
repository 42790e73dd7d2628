#include "mm_environment.h"

#include <gtest/gtest.h>

MmEnvironment::MmEnvironment(u64 count, ForkMode mode)
    : frame_count(count)
    , table(new Frame[count])
    , frames(table.get(), BASE, count)
    , physical(BASE, count)
    , context { frames, physical, page_tables, stats, 0, mode }
{
    frames.add_free_range(BASE, count);
    context.zero_frame = MUST(create_zero_frame(frames, physical));
}

RefPtr<AddressSpace> MmEnvironment::new_space()
{
    auto result = AddressSpace::create(context);
    EXPECT_FALSE(result.is_error());
    return result.release_value();
}
