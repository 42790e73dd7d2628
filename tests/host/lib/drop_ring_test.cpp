// DropRing: records come out in order, a full ring drops (and counts) new records rather
// than overwriting old ones, and the slots are reused after wrapping around.
#include "kernel/lib/drop_ring.h"
#include <gtest/gtest.h>

TEST(DropRing, KeepsOrderAndWrapsAround)
{
    int slots[4];
    DropRing<int> ring(slots, 4);
    int out = 0;
    for (int round = 0; round < 10; ++round) { // 30 records through 4 slots
        for (int i = 0; i < 3; ++i)
            EXPECT_TRUE(ring.push(round * 3 + i));
        EXPECT_EQ(ring.size(), 3u);
        for (int i = 0; i < 3; ++i) {
            ASSERT_TRUE(ring.pop(out));
            EXPECT_EQ(out, round * 3 + i);
        }
    }
    EXPECT_FALSE(ring.pop(out));
    EXPECT_EQ(ring.dropped(), 0u);
    EXPECT_EQ(ring.kept(), 30u);
}

TEST(DropRing, FullRingDropsNewRecordsAndCountsThem)
{
    int slots[3];
    DropRing<int> ring(slots, 3);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(ring.push(i), i < 3);
    EXPECT_EQ(ring.dropped(), 2u);
    int out;
    ASSERT_TRUE(ring.pop(out));
    EXPECT_EQ(out, 0); // the oldest stays: nothing was overwritten
    EXPECT_TRUE(ring.push(7)); // room again
    ASSERT_NE(ring.peek(), nullptr);
    EXPECT_EQ(*ring.peek(), 1);
    EXPECT_EQ(ring.size(), 3u);
}

TEST(DropRing, WithoutStorageEverythingIsDropped)
{
    DropRing<int> ring;
    EXPECT_FALSE(ring.push(1));
    EXPECT_EQ(ring.dropped(), 1u);
    EXPECT_EQ(ring.peek(), nullptr);
}
