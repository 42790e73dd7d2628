// PipeRing: how a pipe's bytes fill and empty page slots, checked against what Linux's pipe
// buffers hold for the same writes (the same numbers user/tests/pipe_nonblock_fcntl.c sees
// through the system calls on both kernels).
#include "kernel/fs/pipe_ring.h"
#include "tests/host/mm/mm_test_helpers.h"
#include <cstring>
#include <vector>

namespace {

// A pipe ring and a 20-page user buffer to write from and read into.
struct RingFixture {
    MmEnvironment env;
    RefPtr<AddressSpace> space = env.new_space();
    VirtAddr buffer = map_private(*space, 20);
    PipeRing ring;
    RingFixture() { EXPECT_FALSE(ring.initialize().is_error()); }

    // Writes `count` bytes of `fill` as Pipe::write does without waiting; returns how many fit.
    usize write(usize count, u8 fill = 'w', bool packets = false)
    {
        std::vector<u8> bytes(count, fill);
        EXPECT_FALSE(copy_to_user(*space, buffer, bytes.data(), count).is_error());
        usize done = ring.top_up(*space, buffer, count, packets).value();
        while (done < count && !ring.is_full())
            done += ring.add_page(*space, buffer + done, count - done, packets).value();
        return done;
    }
    // Writes `count`-byte pieces until one does not fit whole (a non-blocking writer of
    // pieces of at most PIPE_BUF stops at the first EAGAIN); returns the bytes that went in.
    usize fill_with(usize count)
    {
        usize total = 0;
        for (;;) {
            usize before = ring.bytes();
            // A piece at most a page long goes in whole or not at all: top it up, or a slot.
            std::vector<u8> bytes(count, 'f');
            EXPECT_FALSE(copy_to_user(*space, buffer, bytes.data(), count).is_error());
            usize n = ring.top_up(*space, buffer, count, false).value();
            if (n == 0 && !ring.is_full())
                n = ring.add_page(*space, buffer, count, false).value();
            if (n == 0)
                return total;
            EXPECT_EQ(ring.bytes(), before + n);
            total += n;
        }
    }
    std::vector<u8> read(usize count, bool* freed = nullptr)
    {
        bool freed_slot = false;
        usize n = ring.take(*space, buffer, count, freed_slot).value();
        if (freed)
            *freed = freed_slot;
        std::vector<u8> out(n);
        EXPECT_FALSE(copy_from_user(*space, out.data(), buffer, n).is_error());
        return out;
    }
};

}

TEST(PipeRing, HoldsWhatLinuxHoldsForEachWriteSize)
{
    EXPECT_EQ(RingFixture().fill_with(4096), 65536u);
    EXPECT_EQ(RingFixture().fill_with(1), 65536u);
    EXPECT_EQ(RingFixture().fill_with(1000), 64000u); // four to a page
    EXPECT_EQ(RingFixture().fill_with(3000), 48000u); // one to a page
}

TEST(PipeRing, ALargeWriteTopsUpTheLastPageWithItsFirstBytes)
{
    RingFixture f;
    EXPECT_EQ(f.write(100), 100u);
    EXPECT_EQ(f.write(70000), 70000 % 4096 + 15 * 4096u); // 368 bytes join page 1, then 15 pages
    EXPECT_TRUE(f.ring.is_full());
}

TEST(PipeRing, ASlotFreesOnlyWhenReadToItsEnd)
{
    RingFixture f;
    EXPECT_EQ(f.write(65536), 65536u);
    bool freed = true;
    EXPECT_EQ(f.read(100, &freed).size(), 100u);
    EXPECT_FALSE(freed);
    EXPECT_TRUE(f.ring.is_full());
    EXPECT_EQ(f.read(3996, &freed).size(), 3996u);
    EXPECT_TRUE(freed);
    EXPECT_FALSE(f.ring.is_full());
    EXPECT_EQ(f.write(5000), 4096u); // one free page
}

TEST(PipeRing, BytesComeOutInOrderAcrossPagesAndTheRingsEnd)
{
    RingFixture f;
    for (int round = 0; round < 3; ++round) {
        EXPECT_EQ(f.write(40000, u8('a' + round)), 40000u);
        EXPECT_EQ(f.write(20000, u8('A' + round)), 20000u);
        auto out = f.read(65536);
        ASSERT_EQ(out.size(), 60000u);
        EXPECT_EQ(out[0], 'a' + round);
        EXPECT_EQ(out[39999], 'a' + round);
        EXPECT_EQ(out[40000], 'A' + round);
        EXPECT_EQ(out[59999], 'A' + round);
        EXPECT_TRUE(f.ring.is_empty());
    }
}

TEST(PipeRing, PacketsAreReadOneAtATimeAndTheirRestDropped)
{
    RingFixture f;
    EXPECT_EQ(f.write(3, 'a', true), 3u);
    EXPECT_EQ(f.write(4, 'b', true), 4u);
    EXPECT_EQ(f.ring.bytes(), 7u);
    EXPECT_EQ(f.read(100), std::vector<u8>(3, 'a')); // one packet, not both
    EXPECT_EQ(f.write(5000, 'c', true), 5000u); // packets of 4096 and 904, nothing topped up
    EXPECT_EQ(f.read(100), std::vector<u8>(4, 'b'));
    EXPECT_EQ(f.read(10).size(), 10u); // 10 of the 4096, the rest dropped
    EXPECT_EQ(f.read(5000).size(), 904u);
    EXPECT_TRUE(f.ring.is_empty());
}

TEST(PipeRing, AFaultingPieceTakesNothing)
{
    RingFixture f;
    EXPECT_EQ(f.write(10, 'x'), 10u);
    bool freed;
    // A read into an unmapped address: the error, and the bytes stay.
    EXPECT_EQ(f.ring.take(*f.space, USER_TOP - 4, 10, freed).error(), Errno::BadAddress);
    EXPECT_EQ(f.ring.bytes(), 10u);
    // A write from one: nothing added.
    EXPECT_EQ(f.ring.add_page(*f.space, USER_TOP - 4, 10, false).error(), Errno::BadAddress);
    EXPECT_EQ(f.ring.top_up(*f.space, USER_TOP - 4, 10, false).error(), Errno::BadAddress);
    EXPECT_EQ(f.ring.bytes(), 10u);
    EXPECT_EQ(f.read(10), std::vector<u8>(10, 'x'));
}

TEST(PipeRing, ResizeRoundsToPowersOfTwoOfPagesAndKeepsTheBytes)
{
    RingFixture f;
    EXPECT_EQ(f.ring.resize(0).value(), 4096u);
    EXPECT_EQ(f.ring.resize(5000).value(), 8192u);
    EXPECT_EQ(f.ring.resize(u64(1) << 31).value(), usize(1) << 31);
    EXPECT_EQ(f.ring.resize((u64(1) << 31) + 1).error(), Errno::Invalid);
    EXPECT_EQ(f.ring.resize(3 * 4096).value(), 4 * 4096u);
    EXPECT_EQ(f.write(3 * 4096 + 10, 'r'), 3 * 4096 + 10u); // 4 slots in use
    EXPECT_EQ(f.ring.resize(8192).error(), Errno::Busy);
    EXPECT_EQ(f.read(4096).size(), 4096u);
    EXPECT_EQ(f.ring.resize(3 * 4096).value(), 4 * 4096u); // rounds up: no change
    EXPECT_EQ(f.read(5000).size(), 5000u);
    EXPECT_EQ(f.ring.resize(8192).value(), 8192u); // 2 slots in use fit
    auto rest = f.read(100000);
    EXPECT_EQ(rest.size(), 4096u + 10 - 5000 + 4096);
    EXPECT_TRUE(f.ring.is_empty());
}
