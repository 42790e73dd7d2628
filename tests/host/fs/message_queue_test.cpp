// MessageQueue: a datagram socket's receive queue keeps each send whole and in order,
// gathers a send's pieces into one message, cuts a receive that is too small, and keeps a
// message whose copy faulted.
#include "kernel/fs/message_queue.h"
#include "tests/host/mm/mm_test_helpers.h"
#include <cstring>
#include <vector>

namespace {

// A queue and a 4-page user buffer (the first page holds what is sent, the rest receives).
struct QueueFixture {
    MmEnvironment env;
    RefPtr<AddressSpace> space = env.new_space();
    VirtAddr buffer = map_private(*space, 4);
    MessageQueue queue;

    void send(char const* text)
    {
        usize length = strlen(text);
        EXPECT_FALSE(copy_to_user(*space, buffer, text, length).is_error());
        UserSegment segment { buffer, length };
        EXPECT_FALSE(queue.push(*space, &segment, 1, length).is_error());
    }
    // Receives into `room` bytes; returns the bytes that arrived and sets the full length.
    std::string receive(usize room, usize* length = nullptr)
    {
        UserSegment segment { buffer + PAGE_SIZE, room };
        usize full = queue.take(*space, &segment, 1).value();
        if (length)
            *length = full;
        std::string out(std::min(room, full), '\0');
        EXPECT_FALSE(copy_from_user(*space, out.data(), buffer + PAGE_SIZE, out.size()).is_error());
        return out;
    }
};

}

TEST(MessageQueue, KeepsEachMessageWholeAndInOrder)
{
    QueueFixture f;
    f.send("one");
    f.send("three");
    EXPECT_EQ(f.queue.count(), 2u);
    EXPECT_EQ(f.queue.front_length(), 3u);
    EXPECT_EQ(f.receive(100), "one");
    EXPECT_EQ(f.receive(100), "three");
    EXPECT_TRUE(f.queue.is_empty());
}

TEST(MessageQueue, AReceiveTooSmallGetsThePrefixAndTheFullLength)
{
    QueueFixture f;
    f.send("a long message");
    f.send("next");
    usize length = 0;
    EXPECT_EQ(f.receive(6, &length), "a long");
    EXPECT_EQ(length, 14u);
    EXPECT_EQ(f.receive(100), "next"); // the rest of the first is gone
}

TEST(MessageQueue, GathersPiecesIntoOneAndScattersItBack)
{
    QueueFixture f;
    EXPECT_FALSE(copy_to_user(*f.space, f.buffer, "gathered", 8).is_error());
    UserSegment pieces[] = { { f.buffer, 4 }, { f.buffer + 4, 4 } };
    EXPECT_FALSE(f.queue.push(*f.space, pieces, 2, 8).is_error());
    EXPECT_EQ(f.queue.count(), 1u);
    UserSegment into[] = { { f.buffer + PAGE_SIZE, 3 }, { f.buffer + 2 * PAGE_SIZE, 10 } };
    EXPECT_EQ(f.queue.take(*f.space, into, 2).value(), 8u);
    char first[3], second[5];
    EXPECT_FALSE(copy_from_user(*f.space, first, f.buffer + PAGE_SIZE, 3).is_error());
    EXPECT_FALSE(copy_from_user(*f.space, second, f.buffer + 2 * PAGE_SIZE, 5).is_error());
    EXPECT_EQ(std::string(first, 3), "gat");
    EXPECT_EQ(std::string(second, 5), "hered");
}

TEST(MessageQueue, AFaultQueuesNothingAndLosesNothing)
{
    QueueFixture f;
    UserSegment unmapped { 0x1000, 10 };
    EXPECT_TRUE(f.queue.push(*f.space, &unmapped, 1, 10).is_error());
    EXPECT_TRUE(f.queue.is_empty());
    f.send("kept");
    EXPECT_TRUE(f.queue.take(*f.space, &unmapped, 1).is_error());
    EXPECT_EQ(f.receive(100), "kept");
}

TEST(MessageQueue, EmptyMessagesCountAndClearReturnsTheCharge)
{
    QueueFixture f;
    UserSegment none { f.buffer, 0 };
    EXPECT_FALSE(f.queue.push(*f.space, &none, 1, 0).is_error());
    f.send("abc");
    EXPECT_EQ(f.queue.count(), 2u);
    EXPECT_EQ(f.queue.clear(), MessageQueue::charge_for(0) + MessageQueue::charge_for(3));
    EXPECT_TRUE(f.queue.is_empty());
}
