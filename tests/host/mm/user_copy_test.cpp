// copy_to_user & co: software page walk, faults resolved as the user's access would be.
#include "mm_test_helpers.h"
#include <cstring>
#include <vector>

TEST(UserCopy, CrossesPagesAndRoundTrips)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 3);
    std::vector<u8> data(2 * P); // from 50 bytes before page 1 into page 2
    for (usize i = 0; i < data.size(); ++i)
        data[i] = u8(i * 7);
    ASSERT_FALSE(copy_to_user(*space, a + P - 50, data.data(), data.size()).is_error());
    EXPECT_EQ(env.stats.zero_fill_write, 3u);
    std::vector<u8> back(data.size());
    ASSERT_FALSE(copy_from_user(*space, back.data(), a + P - 50, back.size()).is_error());
    EXPECT_EQ(back, data);
}

TEST(UserCopy, WriteToCowPageCopiesIt)
{
    MmEnvironment env;
    auto parent = env.new_space();
    VirtAddr a = map_private(*parent, 1);
    poke(*parent, a, 1);
    auto child = MUST(fork_address_space(*parent));
    u64 faults = env.stats.page_faults;
    char const text[] = "child";
    ASSERT_FALSE(copy_to_user(*child, a, text, sizeof text).is_error());
    EXPECT_EQ(env.stats.cow_copy, 1u);
    EXPECT_EQ(env.stats.page_faults, faults + 1);
    EXPECT_EQ(peek(*parent, a), 1);
}

TEST(UserCopy, BadAddresses)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 1, VM_READ, 0x400000);
    u8 buffer[16] {};
    EXPECT_EQ(copy_to_user(*space, a, buffer, 1).error(), Errno::BadAddress); // read-only
    EXPECT_EQ(copy_from_user(*space, buffer, a - 1, 2).error(), Errno::BadAddress); // unmapped start
    EXPECT_EQ(copy_from_user(*space, buffer, a + P - 1, 2).error(), Errno::BadAddress); // runs off
    EXPECT_EQ(copy_from_user(*space, buffer, 0, 1).error(), Errno::BadAddress);
    EXPECT_EQ(copy_from_user(*space, buffer, ~u64(0) - 4, 8).error(), Errno::BadAddress); // wraps
    EXPECT_EQ(copy_from_user(*space, buffer, USER_TOP, 1).error(), Errno::BadAddress);
    EXPECT_FALSE(copy_from_user(*space, buffer, 0, 0).is_error()); // nothing to do
    EXPECT_EQ(zero_user(*space, a, 4).error(), Errno::BadAddress);
}

TEST(UserCopy, ZeroUser)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2);
    std::vector<u8> ones(2 * P, 1);
    ASSERT_FALSE(copy_to_user(*space, a, ones.data(), ones.size()).is_error());
    ASSERT_FALSE(zero_user(*space, a + 10, P).is_error());
    EXPECT_EQ(peek(*space, a + 9), 1);
    EXPECT_EQ(peek(*space, a + 10), 0);
    EXPECT_EQ(peek(*space, a + P + 9), 0);
    EXPECT_EQ(peek(*space, a + P + 10), 1);
}

TEST(UserCopy, StringsAcrossPagesAndTooLong)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 2, RW, 0x400000);
    char const path[] = "/bin/init";
    VirtAddr at = a + P - 4; // straddles the page boundary
    ASSERT_FALSE(copy_to_user(*space, at, path, sizeof path).is_error());
    char out[64];
    EXPECT_EQ(MUST(copy_string_from_user(*space, out, at, sizeof out)), strlen(path));
    EXPECT_STREQ(out, path);
    EXPECT_EQ(copy_string_from_user(*space, out, at, 5).error(), Errno::NameTooLong);
    EXPECT_EQ(MUST(copy_string_from_user(*space, out, at, sizeof path)), strlen(path));
    // No NUL before the end of the mapping: the walk faults into the unmapped page.
    std::vector<char> filler(P, 'x');
    ASSERT_FALSE(copy_to_user(*space, a + P, filler.data(), P).is_error());
    EXPECT_EQ(copy_string_from_user(*space, out, a + 2 * P - 8, sizeof out).error(), Errno::BadAddress);
}

TEST(UserCopy, ReadOfUntouchedMemoryUsesZeroFrame)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr a = map_private(*space, 4);
    std::vector<u8> out(4 * P, 0xff);
    ASSERT_FALSE(copy_from_user(*space, out.data(), a, out.size()).is_error());
    EXPECT_EQ(out, std::vector<u8>(4 * P, 0));
    EXPECT_EQ(env.stats.zero_fill_read, 4u);
    EXPECT_EQ(env.frames.free_frames(), env.initial_free());
}

TEST(UserCopy, CompareExchangeReplacesOnlyTheExpectedValue)
{
    MmEnvironment env;
    auto parent = env.new_space();
    VirtAddr a = map_private(*parent, 1);
    u32 word = 5;
    ASSERT_FALSE(copy_to_user(*parent, a + 8, &word, sizeof word).is_error());
    auto child = MUST(fork_address_space(*parent));
    // A mismatch changes nothing and reports what is there — but the page was made writable
    // first, as the locked instruction's write fault would make it: the child's own copy.
    u64 copies = env.stats.cow_copy;
    EXPECT_EQ(MUST(compare_exchange_user(*child, a + 8, 4, 9)), 5u);
    EXPECT_EQ(env.stats.cow_copy, copies + 1);
    // A match replaces the word, in that copy.
    EXPECT_EQ(MUST(compare_exchange_user(*child, a + 8, 5, 9)), 5u);
    EXPECT_EQ(env.stats.cow_copy, copies + 1);
    ASSERT_FALSE(copy_from_user(*child, &word, a + 8, sizeof word).is_error());
    EXPECT_EQ(word, 9u);
    ASSERT_FALSE(copy_from_user(*parent, &word, a + 8, sizeof word).is_error());
    EXPECT_EQ(word, 5u);
}

TEST(UserCopy, CompareExchangeFaultsAsAWriteWould)
{
    MmEnvironment env;
    auto space = env.new_space();
    VirtAddr read_only = map_private(*space, 1, VM_READ, 0x400000);
    EXPECT_EQ(compare_exchange_user(*space, read_only, 0, 1).error(), Errno::BadAddress);
    EXPECT_EQ(compare_exchange_user(*space, read_only + P, 0, 1).error(), Errno::BadAddress); // unmapped
    EXPECT_EQ(compare_exchange_user(*space, USER_TOP, 0, 1).error(), Errno::BadAddress);
}
