// BlockCache::drop_clean (/proc/sys/vm/drop_caches 2): clean blocks are forgotten and read
// again on the next get(); a dirty block stays, unwritten, with its bytes.
#include "kernel/fs/ext2/block_cache.h"
#include "tests/host/fakes/file_block_device.h"
#include <cstdio>
#include <gtest/gtest.h>
#include <unistd.h>

TEST(BlockCache, DropCleanForgetsCleanBlocksAndKeepsDirtyOnes)
{
    char path[] = "/tmp/pagoda-block-cache-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(ftruncate(fd, 16 * 1024), 0);
    close(fd);
    {
        FileBlockDevice device(path);
        ASSERT_TRUE(device.is_open());
        BlockCache cache(device);
        ASSERT_FALSE(cache.initialize(1024, 4).is_error());
        ASSERT_FALSE(cache.get(1).is_error());
        ASSERT_FALSE(cache.get(2).is_error());
        u8* dirty = cache.get(3).value();
        dirty[0] = 42;
        cache.mark_dirty(3);
        u64 reads = device.reads, writes = device.writes;
        EXPECT_EQ(cache.drop_clean(), 2u);
        EXPECT_EQ(device.writes, writes); // nothing written back
        EXPECT_EQ(cache.get(3).value()[0], 42); // still cached: no read
        EXPECT_EQ(device.reads, reads);
        ASSERT_FALSE(cache.get(1).is_error()); // read again
        EXPECT_EQ(device.reads, reads + 1);
    }
    unlink(path);
}
