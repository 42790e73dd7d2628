// copy_to_user & co on the MMU path (user_memory.cpp's front door): which part of a range
// goes to the architecture's copy, which to the software walk, and how faults inside the
// copy are resolved. The "MMU" here is a simulation over FakePageTable that behaves as the
// CPU does in kernel mode: it reads any present page, writes only writable ones, ignores
// the user/supervisor bit (so a PROT_NONE page with its entry is readable), and on a fault
// calls resolve_mmu_copy_fault as the trap path does.
#include "kernel/mm/mmu_user_copy.h"
#include "mm_test_helpers.h"
#include <cstring>
#include <vector>

namespace {

// Which of the routine's two pointers is the user address: the test says so before each
// call (the real routines do not care; the simulation must, to translate it).
FaultAccess g_user_access = FaultAccess::Read;
std::vector<usize> g_calls; // the length of every call the front door made

MmuCopyResult simulate(u8* to, u8 const* from, usize n, AddressSpace& space, bool string)
{
    g_calls.push_back(n);
    bool write = g_user_access == FaultAccess::Write;
    auto& table = static_cast<FakePageTable&>(space.page_table());
    for (usize done = 0; done < n;) {
        VirtAddr user = reinterpret_cast<VirtAddr>(write ? to + done : from + done);
        FakePageTable::Entry const* entry = table.entry(user);
        if (!entry || (write && !entry->access.writable)) {
            MmuCopyStop stop = resolve_mmu_copy_fault(space, user, g_user_access);
            if (stop != MmuCopyStop::None)
                return { n - done, stop };
            continue;
        }
        table.touch(user, write);
        u8* bytes = space.context().physical.map_frame(entry->frame) + (user - page_round_down(user));
        u8 byte = write ? from[done] : *bytes;
        if (write)
            *bytes = byte;
        else
            to[done] = byte;
        ++done;
        if (string && byte == 0)
            return { n - done, MmuCopyStop::StringEnd };
    }
    return { 0, MmuCopyStop::None };
}

MmuUserCopy const SIMULATED_MMU {
    [](void* to, void const* from, usize n, AddressSpace* space) {
        return simulate(static_cast<u8*>(to), static_cast<u8 const*>(from), n, *space, false);
    },
    [](void* to, usize n, AddressSpace* space) {
        std::vector<u8> zeros(n);
        return simulate(static_cast<u8*>(to), zeros.data(), n, *space, false);
    },
    [](char* to, char const* from, usize n, AddressSpace* space) {
        return simulate(reinterpret_cast<u8*>(to), reinterpret_cast<u8 const*>(from), n, *space, true);
    },
};

struct MmuEnvironment : MmEnvironment {
    explicit MmuEnvironment(u64 frame_count = 256) : MmEnvironment(frame_count) { context.mmu_user_copy = &SIMULATED_MMU; }
    RefPtr<AddressSpace> loaded_space()
    {
        auto space = new_space();
        fake(*space).loaded = true;
        g_calls.clear();
        return space;
    }
};

Result<void> to_user(AddressSpace& space, VirtAddr va, void const* from, usize n)
{
    g_user_access = FaultAccess::Write;
    return copy_to_user(space, va, from, n);
}

Result<usize> from_user(AddressSpace& space, void* to, VirtAddr va, usize n)
{
    g_user_access = FaultAccess::Read;
    return copy_from_user_partial(space, to, va, n);
}

// mm_test_helpers' poke and peek, with the simulation told the direction.
void poke_user(AddressSpace& space, VirtAddr va, u8 value) { EXPECT_FALSE(to_user(space, va, &value, 1).is_error()); }

u8 peek_user(AddressSpace& space, VirtAddr va)
{
    u8 value = 0xEE;
    EXPECT_EQ(from_user(space, &value, va, 1).value(), 1u);
    return value;
}

}

TEST(MmuUserCopy, OneCallPerRangeWithFaultsResolvedAsTheUsers)
{
    MmuEnvironment env;
    auto space = env.loaded_space();
    VirtAddr a = map_private(*space, 3);
    std::vector<u8> data(3 * P - 100);
    for (usize i = 0; i < data.size(); ++i)
        data[i] = u8(i * 13);
    ASSERT_FALSE(to_user(*space, a + 50, data.data(), data.size()).is_error());
    EXPECT_EQ(g_calls, std::vector<usize> { data.size() });
    EXPECT_EQ(env.stats.zero_fill_write, 3u); // each page's first write, in the copy
    std::vector<u8> back(data.size());
    EXPECT_EQ(from_user(*space, back.data(), a + 50, back.size()).value(), back.size());
    EXPECT_EQ(back, data);
}

TEST(MmuUserCopy, WriteToCowPageCopiesIt)
{
    MmuEnvironment env;
    auto parent = env.loaded_space();
    VirtAddr a = map_private(*parent, 1);
    poke_user(*parent, a, 1);
    auto child = MUST(fork_address_space(*parent));
    env.fake(*child).loaded = true;
    char const text[] = "child";
    ASSERT_FALSE(to_user(*child, a, text, sizeof text).is_error());
    EXPECT_EQ(env.stats.cow_copy, 1u);
    EXPECT_EQ(peek_user(*parent, a), 1);
}

TEST(MmuUserCopy, ProtNonePagesAreLeftToTheWalk)
{
    MmuEnvironment env;
    auto space = env.loaded_space();
    VirtAddr a = map_private(*space, 2);
    std::vector<u8> ones(2 * P, 1);
    ASSERT_FALSE(to_user(*space, a, ones.data(), ones.size()).is_error());
    ASSERT_FALSE(space->protect(a + P, P, VM_NONE).is_error()); // its entry stays present
    g_calls.clear();
    std::vector<u8> back(2 * P);
    // The simulated MMU would read the PROT_NONE page; the front door never asks it to.
    EXPECT_EQ(from_user(*space, back.data(), a, back.size()).value(), P);
    EXPECT_EQ(g_calls, std::vector<usize> { P });
    EXPECT_EQ(from_user(*space, back.data(), a + P, 16).error(), Errno::BadAddress);
    EXPECT_EQ(to_user(*space, a + P, ones.data(), 1).error(), Errno::BadAddress);
}

TEST(MmuUserCopy, ARefusingMappingIsLeftToTheWalk)
{
    MmuEnvironment env;
    auto space = env.loaded_space();
    VirtAddr a = map_private(*space, 1, RW, 0x400000);
    map_private(*space, 1, VM_READ, a + P);
    std::vector<u8> data(2 * P, 7);
    EXPECT_EQ(to_user(*space, a, data.data(), data.size()).error(), Errno::BadAddress);
    EXPECT_EQ(g_calls, std::vector<usize> { P });
    EXPECT_EQ(peek_user(*space, a + P - 1), 7); // the prefix was copied, as on Linux
    g_calls.clear();
    EXPECT_EQ(to_user(*space, USER_TOP - 8, data.data(), 16).error(), Errno::BadAddress);
    EXPECT_TRUE(g_calls.empty()); // nothing at or above USER_TOP reaches the MMU
}

TEST(MmuUserCopy, AFaultThatCannotBeResolvedEndsTheCopy)
{
    MmuEnvironment env(8); // a few frames: the zero-fill faults run out of them
    auto space = env.loaded_space();
    VirtAddr a = map_private(*space, 16);
    std::vector<u8> data(16 * P, 7);
    EXPECT_EQ(to_user(*space, a, data.data(), data.size()).error(), Errno::NoMemory);
    EXPECT_EQ(g_calls.size(), 1u); // the walk is not asked to try again
}

TEST(MmuUserCopy, AnAddressSpaceNotLoadedIsWalked)
{
    MmuEnvironment env;
    auto space = env.loaded_space();
    env.fake(*space).loaded = false;
    VirtAddr a = map_private(*space, 1);
    u8 byte = 5;
    ASSERT_FALSE(to_user(*space, a, &byte, 1).is_error());
    EXPECT_TRUE(g_calls.empty());
    EXPECT_EQ(peek_user(*space, a), 5);
}

TEST(MmuUserCopy, StringsStopAtTheirNul)
{
    MmuEnvironment env;
    auto space = env.loaded_space();
    VirtAddr a = map_private(*space, 1);
    char const text[] = "/bin/sh\0junk";
    ASSERT_FALSE(to_user(*space, a, text, sizeof text).is_error());
    g_user_access = FaultAccess::Read;
    char out[64];
    EXPECT_EQ(copy_string_from_user(*space, out, a, sizeof out).value(), 7u);
    EXPECT_STREQ(out, "/bin/sh");
    EXPECT_EQ(copy_string_from_user(*space, out, a, 4).error(), Errno::NameTooLong);
    // A string that runs into an unmapped page: the walk finishes the decision.
    std::vector<char> long_text(P, 'x');
    ASSERT_FALSE(to_user(*space, a, long_text.data(), P).is_error());
    g_user_access = FaultAccess::Read;
    EXPECT_EQ(copy_string_from_user(*space, out, a + P - 8, sizeof out).error(), Errno::BadAddress);
}
