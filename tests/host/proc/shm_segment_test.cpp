// System V shared memory bookkeeping over the real VM core: keys and ids, Linux's errors and
// permission rule, attach counting through the mappings' observer (attach, fork, split,
// munmap, teardown), IPC_RMID's deferred destruction, and that the segment's pages are one
// set of frames for every attacher, given back with the last mapping.
#include "kernel/proc/shm_segment.h"
#include "tests/host/mm/mm_test_helpers.h"

namespace {

i64 g_now = 1000;
u32 g_pid = 7;
i64 now() { return g_now; }
u32 pid() { return g_pid; }

struct Shm {
    MmEnvironment env;
    ShmRegistry registry { env.context, { now, pid } };
    Credentials root;

    ShmSegment& segment(i32 id) { return *MUST(registry.find(id)); }
    VirtAddr attach(AddressSpace& space, i32 id)
    {
        ShmSegment& s = segment(id);
        return MUST(space.map_file(0, s.size(), RW, true, MapPlacement::Anywhere, s.cache(), 0, s.mapping_name()));
    }
};

Credentials user(u32 uid, u32 gid)
{
    Credentials who;
    who.uid = who.euid = who.suid = who.fsuid = uid;
    who.gid = who.egid = who.sgid = who.fsgid = gid;
    return who;
}

}

TEST(ShmRegistry, KeysIdsAndLinuxErrors)
{
    Shm shm;
    i32 a = MUST(shm.registry.get(0x1234, 10000, IPC_CREAT | 0600, shm.root));
    EXPECT_EQ(MUST(shm.registry.get(0x1234, 100, 0, shm.root)), a);
    EXPECT_EQ(shm.registry.get(0x1234, 10000, IPC_CREAT | IPC_EXCL, shm.root).error(), Errno::Exists);
    EXPECT_EQ(shm.registry.get(0x1234, 10001, 0, shm.root).error(), Errno::Invalid); // more than it has
    EXPECT_EQ(shm.registry.get(0x9999, 100, 0, shm.root).error(), Errno::NoEntry);
    EXPECT_EQ(shm.registry.get(IPC_PRIVATE, 0, IPC_CREAT, shm.root).error(), Errno::Invalid); // below SHMMIN
    EXPECT_EQ(shm.registry.get(IPC_PRIVATE, 100, IPC_CREAT | SHM_HUGETLB, shm.root).error(), Errno::Invalid);
    // IPC_PRIVATE always makes a new one; slots are reused lowest first, the sequence moves on.
    i32 b = MUST(shm.registry.get(IPC_PRIVATE, 100, 0600, shm.root));
    EXPECT_NE(a, b);
    EXPECT_EQ(a % IPC_MNI, 0);
    EXPECT_EQ(b, 1 * IPC_MNI + 1);
    ShmSegment& first = shm.segment(a);
    EXPECT_EQ(first.size(), 10000u);
    EXPECT_EQ(first.page_count(), 3u);
    EXPECT_EQ(first.creator_pid, 7u);
    EXPECT_EQ(first.change_time, 1000);
    EXPECT_EQ(first.permission().mode, 0600u);
    EXPECT_STREQ(first.mapping_name(), "/SYSV00001234 (deleted)");
    EXPECT_EQ(shm.registry.total_pages(), 4u);
    EXPECT_EQ(shm.registry.highest_index(), 1u);
    EXPECT_EQ(shm.registry.find(a + IPC_MNI).error(), Errno::Invalid); // same slot, other sequence
    EXPECT_EQ(MUST(shm.registry.at_index(a + IPC_MNI)), &first); // SHM_STAT masks the slot
    shm.registry.remove(first);
    EXPECT_EQ(shm.registry.find(a).error(), Errno::Invalid);
    i32 c = MUST(shm.registry.get(IPC_PRIVATE, 100, 0600, shm.root));
    EXPECT_EQ(c, 2 * IPC_MNI + 0); // slot 0 again, a new sequence number
}

TEST(ShmRegistry, LimitsGiveEnospcAndEinval)
{
    Shm shm;
    shm.registry.limits().max_segments = 2;
    MUST(shm.registry.get(IPC_PRIVATE, 100, 0, shm.root));
    MUST(shm.registry.get(IPC_PRIVATE, 100, 0, shm.root));
    EXPECT_EQ(shm.registry.get(IPC_PRIVATE, 100, 0, shm.root).error(), Errno::NoSpace);
    shm.registry.limits().max_segments = 10;
    shm.registry.limits().max_pages = 3;
    EXPECT_EQ(shm.registry.get(IPC_PRIVATE, 2 * P, 0, shm.root).error(), Errno::NoSpace); // 2 + 2 pages > 3
    shm.registry.limits().max_size = 8192;
    EXPECT_EQ(shm.registry.get(IPC_PRIVATE, 8193, 0, shm.root).error(), Errno::Invalid);
    EXPECT_EQ(shm.registry.get(IPC_PRIVATE, ~u64(0) - 10, IPC_CREAT, shm.root).error(), Errno::Invalid);
    shm.registry.limits().max_size = SHM_DEFAULT_MAX;
    shm.registry.limits().max_pages = SHM_DEFAULT_MAX;
    // More than all of memory: ENOMEM, unless SHM_NORESERVE.
    EXPECT_EQ(shm.registry.get(IPC_PRIVATE, 1024 * P, 0, shm.root).error(), Errno::NoMemory);
    EXPECT_FALSE(shm.registry.get(IPC_PRIVATE, 1024 * P, SHM_NORESERVE, shm.root).is_error());
}

TEST(IpcPermits, OwnerCreatorGroupOthersAndRoot)
{
    IpcPermission perm;
    perm.uid = 10, perm.gid = 20, perm.cuid = 11, perm.cgid = 21, perm.mode = 0640;
    EXPECT_TRUE(ipc_permits(perm, user(10, 99), 0600));
    EXPECT_TRUE(ipc_permits(perm, user(11, 99), 0600)); // the creator counts as the owner
    EXPECT_TRUE(ipc_permits(perm, user(12, 20), 0400));
    EXPECT_FALSE(ipc_permits(perm, user(12, 21), 0600)); // the creator's group reads only
    EXPECT_FALSE(ipc_permits(perm, user(12, 99), 0400)); // others: nothing
    EXPECT_TRUE(ipc_permits(perm, user(0, 0), 0666)); // CAP_IPC_OWNER
    EXPECT_TRUE(ipc_permits(perm, user(12, 99), 0)); // nothing asked
}

TEST(ShmSegment, AttachesAreTheMappingsOfItsCache)
{
    Shm shm;
    i32 id = MUST(shm.registry.get(IPC_PRIVATE, 4 * P, 0600, shm.root));
    ShmSegment& segment = shm.segment(id);
    auto parent = shm.env.new_space();
    g_now = 2000;
    VirtAddr a = shm.attach(*parent, id);
    EXPECT_EQ(segment.attach_count(), 1u);
    EXPECT_EQ(segment.attach_time, 2000);
    poke(*parent, a + P, 42);
    u64 free_before = shm.env.frames.free_frames();

    // fork copies the mapping: a second attach, the same frames.
    g_pid = 8;
    auto child = MUST(fork_address_space(*parent));
    EXPECT_EQ(segment.attach_count(), 2u);
    EXPECT_EQ(segment.last_pid, 8u);
    EXPECT_EQ(peek(*child, a + P), 42);
    poke(*child, a + 2 * P, 43);
    EXPECT_EQ(peek(*parent, a + 2 * P), 43);
    EXPECT_EQ(shm.env.stats.cow_copy, 0u);
    EXPECT_EQ(child->page_table().query(a + P).frame, parent->page_table().query(a + P).frame);
    EXPECT_EQ(shm.env.frames.free_frames(), free_before - 1); // only the page the child touched first

    // A split counts twice (Linux counts VMAs); munmap of a piece takes one away.
    MUST(parent->protect(a + P, P, VM_READ));
    EXPECT_EQ(segment.attach_count(), 4u); // parent: 3 pieces, child: 1
    MUST(parent->unmap(a, P));
    EXPECT_EQ(segment.attach_count(), 3u);

    // The child goes (exit): its attach with it.
    g_now = 3000;
    child = nullptr;
    EXPECT_EQ(segment.attach_count(), 2u);
    EXPECT_EQ(segment.detach_time, 3000);

    // IPC_RMID while attached: marked, key private, still there; gone with the last mapping,
    // and its pages with it.
    shm.registry.remove(segment);
    EXPECT_TRUE(segment.is_marked_for_removal());
    EXPECT_EQ(segment.permission().key, IPC_PRIVATE);
    EXPECT_EQ(MUST(shm.registry.find(id)), &segment);
    EXPECT_EQ(peek(*parent, a + P), 42);
    parent = nullptr;
    EXPECT_EQ(shm.registry.find(id).error(), Errno::Invalid);
    EXPECT_EQ(shm.registry.segments_in_use(), 0u);
    EXPECT_EQ(shm.env.frames.free_frames(), shm.env.initial_free());
}

TEST(ShmSegment, HoldKeepsARemovedSegmentUntilReleased)
{
    Shm shm;
    i32 id = MUST(shm.registry.get(IPC_PRIVATE, P, 0600, shm.root));
    ShmSegment& segment = shm.segment(id);
    shm.registry.hold(segment);
    shm.registry.remove(segment);
    EXPECT_FALSE(shm.registry.find(id).is_error()); // held: an IPC_RMID during shmat waits
    shm.registry.release(segment);
    EXPECT_EQ(shm.registry.find(id).error(), Errno::Invalid);
}

TEST(ShmRegistry, NextIdIsUsedOnceAndMovesUpWhenTaken)
{
    Shm shm;
    shm.registry.limits().next_id = 5 * IPC_MNI + 300;
    i32 a = MUST(shm.registry.get(IPC_PRIVATE, P, 0600, shm.root));
    EXPECT_EQ(a, 5 * IPC_MNI + 300); // past shmmni's 4096 slots too, as Linux allows
    EXPECT_EQ(shm.registry.limits().next_id, -1);
    shm.registry.limits().next_id = 7 * IPC_MNI + 300; // slot 300 is taken: the next one up
    EXPECT_EQ(MUST(shm.registry.get(IPC_PRIVATE, P, 0600, shm.root)), 7 * IPC_MNI + 301);
    EXPECT_EQ(MUST(shm.registry.get(IPC_PRIVATE, P, 0600, shm.root)), 0 * IPC_MNI + 0); // back to the usual rule
    shm.registry.limits().next_id = 42;
    EXPECT_EQ(shm.registry.get(IPC_PRIVATE, 0, 0600, shm.root).error(), Errno::Invalid);
    EXPECT_EQ(shm.registry.limits().next_id, 42); // a call refused before an id is chosen keeps it
}
