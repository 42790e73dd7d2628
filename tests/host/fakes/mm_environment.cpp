#include "mm_environment.h"

#include <gtest/gtest.h>

MmEnvironment::MmEnvironment(u64 count, ForkMode mode, TableKind kind)
    : frame_count(count)
    , table(new Frame[count])
    , frames(table.get(), BASE, count)
    , physical(BASE, count)
    , x86_tables({ frames, physical, stats, mmu })
    , context { frames, physical, kind == TableKind::X86 ? static_cast<PageTableFactory&>(x86_tables) : page_tables, stats, 0,
        mode, &backed_caches }
{
    vm_lock_held = true;
    context.vm_lock_held = [] { return vm_lock_held; };
    frames.add_free_range(BASE, count);
    context.zero_frame = MUST(create_zero_frame(frames, physical));
}

RefPtr<AddressSpace> MmEnvironment::new_space()
{
    auto result = AddressSpace::create(context);
    EXPECT_FALSE(result.is_error());
    return result.release_value();
}
