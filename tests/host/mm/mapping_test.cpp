#include "kernel/mm/mapping_tree.h"
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

constexpr VirtAddr P = PAGE_SIZE;

OwnPtr<Mapping> make(VirtAddr start, VirtAddr end, u32 prot = VM_READ | VM_WRITE,
    MappingSharing sharing = MappingSharing::Private, char const* name = "")
{
    return OwnPtr<Mapping>(new Mapping(start, end, prot, sharing, name));
}

std::vector<std::pair<VirtAddr, VirtAddr>> ranges(MappingTree const& set)
{
    std::vector<std::pair<VirtAddr, VirtAddr>> out;
    for (Mapping const& m : set)
        out.push_back({ m.start(), m.end() });
    return out;
}

}

TEST(MappingTree, InsertKeepsOrderAndFinds)
{
    MappingTree set;
    ASSERT_FALSE(set.insert(make(10 * P, 12 * P)).is_error());
    ASSERT_FALSE(set.insert(make(2 * P, 4 * P)).is_error());
    ASSERT_FALSE(set.insert(make(6 * P, 8 * P)).is_error());
    using R = std::vector<std::pair<VirtAddr, VirtAddr>>;
    EXPECT_EQ(ranges(set), (R { { 2 * P, 4 * P }, { 6 * P, 8 * P }, { 10 * P, 12 * P } }));
    EXPECT_EQ(set.count(), 3u);
    EXPECT_EQ(set.find(7 * P + 5)->start(), 6 * P);
    EXPECT_EQ(set.find(8 * P), nullptr); // end is exclusive
    EXPECT_EQ(set.find(P), nullptr);
    EXPECT_EQ(set.first_ending_after(4 * P)->start(), 6 * P);
}

TEST(MappingTree, InsertRejectsOverlap)
{
    MappingTree set;
    ASSERT_FALSE(set.insert(make(4 * P, 8 * P)).is_error());
    for (auto [s, e] : { std::pair { 3 * P, 5 * P }, { 7 * P, 9 * P }, { 5 * P, 6 * P }, { 2 * P, 10 * P } }) {
        auto r = set.insert(make(s, e));
        ASSERT_TRUE(r.is_error());
        EXPECT_EQ(r.error(), Errno::Exists);
    }
    EXPECT_FALSE(set.insert(make(8 * P, 9 * P)).is_error()); // touching is fine
    EXPECT_FALSE(set.insert(make(3 * P, 4 * P)).is_error());
    EXPECT_EQ(set.count(), 3u);
}

TEST(MappingTree, SplitKeepsAttributesAndOffsets)
{
    MappingTree set;
    Mapping* m = MUST(set.insert(make(4 * P, 10 * P, VM_READ, MappingSharing::Shared, "[x]")));
    Mapping* upper = MUST(set.split(*m, 7 * P));
    EXPECT_EQ(m->end(), 7 * P);
    EXPECT_EQ(upper->start(), 7 * P);
    EXPECT_EQ(upper->end(), 10 * P);
    EXPECT_EQ(upper->prot(), VM_READ);
    EXPECT_TRUE(upper->is_shared());
    EXPECT_STREQ(upper->name(), "[x]");
    EXPECT_EQ(upper->file_offset(), 3 * P);
    EXPECT_EQ(set.next(*m), upper);
    EXPECT_EQ(set.count(), 2u);
}

TEST(MappingTree, MergesCompatibleNeighboursOnly)
{
    MappingTree set;
    MUST(set.insert(make(2 * P, 4 * P)));
    MUST(set.insert(make(6 * P, 8 * P)));
    Mapping* middle = MUST(set.insert(make(4 * P, 6 * P)));
    Mapping* merged = set.merge_with_neighbours(*middle);
    EXPECT_EQ(merged->start(), 2 * P);
    EXPECT_EQ(merged->end(), 8 * P);
    EXPECT_EQ(set.count(), 1u);

    MUST(set.insert(make(8 * P, 9 * P, VM_READ))); // different prot
    MUST(set.insert(make(9 * P, 10 * P, VM_READ, MappingSharing::Shared))); // shared
    MUST(set.insert(make(10 * P, 11 * P, VM_READ, MappingSharing::Shared)));
    Mapping* heap = MUST(set.insert(make(11 * P, 12 * P, VM_READ, MappingSharing::Private, "[heap]")));
    set.merge_with_neighbours(*set.find(8 * P));
    set.merge_with_neighbours(*set.find(10 * P));
    set.merge_with_neighbours(*heap);
    EXPECT_EQ(set.count(), 5u);
}

TEST(MappingTree, FreeRangeSearchIsTopDown)
{
    MappingTree set;
    VirtAddr low = 16 * P, high = 64 * P;
    EXPECT_EQ(MUST(set.find_free_range(4 * P, low, high)), 60 * P);
    MUST(set.insert(make(58 * P, 64 * P)));
    MUST(set.insert(make(50 * P, 55 * P)));
    MUST(set.insert(make(70 * P, 80 * P))); // above the window: ignored
    EXPECT_EQ(MUST(set.find_free_range(3 * P, low, high)), 55 * P);
    EXPECT_EQ(MUST(set.find_free_range(4 * P, low, high)), 46 * P);
    EXPECT_EQ(MUST(set.find_free_range(34 * P, low, high)), 16 * P);
    auto none = set.find_free_range(35 * P, low, high);
    ASSERT_TRUE(none.is_error());
    EXPECT_EQ(none.error(), Errno::NoMemory);
}

TEST(MappingTree, FullyMappedDetectsHoles)
{
    MappingTree set;
    MUST(set.insert(make(2 * P, 4 * P)));
    MUST(set.insert(make(4 * P, 6 * P, VM_READ)));
    MUST(set.insert(make(7 * P, 8 * P)));
    EXPECT_TRUE(set.is_fully_mapped(2 * P, 6 * P));
    EXPECT_TRUE(set.is_fully_mapped(3 * P, 5 * P));
    EXPECT_FALSE(set.is_fully_mapped(3 * P, 8 * P));
    EXPECT_FALSE(set.is_fully_mapped(P, 3 * P));
}

TEST(Mapping, NameIsTruncatedAndNullIsBlank)
{
    std::string long_name(200, 'n');
    Mapping a(P, 2 * P, VM_READ, MappingSharing::Private, long_name.c_str());
    EXPECT_EQ(std::string(a.name()).size(), Mapping::NAME_CAPACITY - 1);
    Mapping b(P, 2 * P, VM_READ, MappingSharing::Private, nullptr);
    EXPECT_STREQ(b.name(), "");
}
