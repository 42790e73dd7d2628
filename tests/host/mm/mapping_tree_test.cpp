// MappingTree against a reference model (a std::map of ranges): thousands of random inserts,
// removes, splits, merges, lookups and free-range searches, with the tree's own invariants
// (AVL balance, order, heights, gap augmentation) checked after every change.
#include "kernel/mm/mapping_tree.h"
#include <gtest/gtest.h>
#include <map>
#include <random>

namespace {

constexpr VirtAddr P = PAGE_SIZE;
constexpr VirtAddr LOWEST = 0x10000;
constexpr VirtAddr HIGHEST = 0x10000 + 4096 * P; // a small space so that it fills up

struct Model {
    std::map<VirtAddr, VirtAddr> ranges; // start -> end

    bool is_free(VirtAddr start, VirtAddr end) const
    {
        auto it = ranges.upper_bound(start);
        if (it != ranges.begin() && std::prev(it)->second > start)
            return false;
        return it == ranges.end() || it->first >= end;
    }
    VirtAddr const* find(VirtAddr va) const
    {
        auto it = ranges.upper_bound(va);
        if (it == ranges.begin())
            return nullptr;
        --it;
        return va < it->second ? &it->first : nullptr;
    }
    // The highest start of a free run of `length` in [lowest, highest], as find_free_range.
    bool free_range(u64 length, VirtAddr lowest, VirtAddr highest, VirtAddr& out) const
    {
        VirtAddr ceiling = highest;
        for (auto it = ranges.rbegin();; ++it) {
            VirtAddr floor = it == ranges.rend() ? 0 : it->second;
            VirtAddr top = std::min(ceiling, highest);
            VirtAddr bottom = std::max(floor, lowest);
            if (top > bottom && top - bottom >= length) {
                out = top - length;
                return true;
            }
            if (it == ranges.rend() || it->first <= lowest)
                return false;
            ceiling = it->first;
        }
    }
};

OwnPtr<Mapping> make(VirtAddr start, VirtAddr end)
{
    return OwnPtr<Mapping>(new Mapping(start, end, VM_READ | VM_WRITE, MappingSharing::Private, ""));
}

void expect_same(MappingTree const& tree, Model const& model)
{
    ASSERT_TRUE(tree.invariants_hold());
    ASSERT_EQ(tree.count(), model.ranges.size());
    auto it = model.ranges.begin();
    for (Mapping const& m : tree) {
        ASSERT_EQ(m.start(), it->first);
        ASSERT_EQ(m.end(), it->second);
        ++it;
    }
}

}

TEST(MappingTreeTest, RandomOperationsMatchAReferenceModel)
{
    std::mt19937_64 random(20261201);
    auto pages = [&](u64 most) { return (random() % most + 1) * P; };
    MappingTree tree;
    Model model;
    for (int step = 0; step < 20000; ++step) {
        u64 choice = random() % 100;
        if (choice < 40) {
            VirtAddr start = LOWEST + (random() % 4096) * P;
            VirtAddr end = std::min(start + pages(16), HIGHEST);
            bool free = model.is_free(start, end);
            auto inserted = tree.insert(make(start, end));
            ASSERT_EQ(inserted.is_error(), !free) << "insert " << std::hex << start;
            if (free)
                model.ranges[start] = end;
        } else if (choice < 60 && !model.ranges.empty()) {
            auto it = std::next(model.ranges.begin(), random() % model.ranges.size());
            Mapping* m = tree.find(it->first);
            ASSERT_NE(m, nullptr);
            tree.remove(*m);
            model.ranges.erase(it);
        } else if (choice < 70 && !model.ranges.empty()) {
            auto it = std::next(model.ranges.begin(), random() % model.ranges.size());
            u64 size_pages = (it->second - it->first) / P;
            if (size_pages < 2)
                continue;
            VirtAddr at = it->first + (random() % (size_pages - 1) + 1) * P;
            Mapping* upper = MUST(tree.split(*tree.find(it->first), at));
            ASSERT_EQ(upper->start(), at);
            model.ranges[at] = it->second;
            it->second = at;
        } else if (choice < 75 && !model.ranges.empty()) {
            // Merging: every mapping here is mergeable with an adjacent neighbour.
            auto it = std::next(model.ranges.begin(), random() % model.ranges.size());
            Mapping* survivor = tree.merge_with_neighbours(*tree.find(it->first));
            VirtAddr start = it->first, end = it->second;
            if (it != model.ranges.begin() && std::prev(it)->second == start) {
                start = std::prev(it)->first;
                model.ranges.erase(it);
                it = model.ranges.find(start);
            }
            auto next = std::next(it);
            if (next != model.ranges.end() && next->first == end) {
                end = next->second;
                model.ranges.erase(next);
            }
            it->second = end;
            ASSERT_EQ(survivor->start(), start);
            ASSERT_EQ(survivor->end(), end);
        } else if (choice < 80 && !model.ranges.empty()) {
            // Shrink or grow a mapping's end into free space.
            auto it = std::next(model.ranges.begin(), random() % model.ranges.size());
            auto next = std::next(it);
            VirtAddr limit = next == model.ranges.end() ? HIGHEST : next->first;
            VirtAddr end = it->first + P + (random() % ((limit - it->first) / P)) * P;
            tree.set_end(*tree.find(it->first), end);
            it->second = end;
        } else if (choice < 90) {
            VirtAddr va = LOWEST + random() % (HIGHEST - LOWEST);
            VirtAddr const* start = model.find(va);
            Mapping* m = tree.find(va);
            ASSERT_EQ(m != nullptr, start != nullptr) << std::hex << va;
            if (m) {
                ASSERT_EQ(m->start(), *start);
            }
            Mapping* after = tree.first_ending_after(va);
            auto it = model.ranges.upper_bound(va);
            if (it != model.ranges.begin() && std::prev(it)->second > va)
                --it;
            ASSERT_EQ(after ? after->start() : 0, it == model.ranges.end() ? 0 : it->first);
        } else {
            u64 length = pages(64);
            VirtAddr lowest = LOWEST + (random() % 2048) * P;
            VirtAddr highest = lowest + pages(4096);
            VirtAddr expected = 0;
            bool fits = model.free_range(length, lowest, highest, expected);
            auto found = tree.find_free_range(length, lowest, highest);
            ASSERT_EQ(found.is_error(), !fits) << "length " << length << " in " << std::hex << lowest << "-" << highest;
            if (fits) {
                ASSERT_EQ(found.value(), expected);
            }
        }
        if (step % 16 == 0)
            expect_same(tree, model);
    }
    expect_same(tree, model);
}

TEST(MappingTreeTest, StaysShallowWithTenThousandMappings)
{
    MappingTree tree;
    // In address order, the worst case for an unbalanced tree.
    for (u64 i = 0; i < 10000; ++i)
        MUST(tree.insert(make(LOWEST + 2 * i * P, LOWEST + (2 * i + 1) * P)));
    ASSERT_TRUE(tree.invariants_hold());
    EXPECT_EQ(tree.count(), 10000u);
    // invariants_hold() checked the AVL balance, which bounds the height by 1.44 log2(n).
    // Every gap is one page: a search for two pages finds room only above the last mapping.
    // The last mapping ends at LOWEST + 19999 pages.
    auto found = tree.find_free_range(2 * P, LOWEST, LOWEST + 20001 * P);
    ASSERT_FALSE(found.is_error());
    EXPECT_EQ(found.value(), LOWEST + 19999 * P);
    EXPECT_TRUE(tree.find_free_range(2 * P, LOWEST, LOWEST + 20000 * P).is_error());
    // One page fits in the highest one-page gap below the limit.
    EXPECT_EQ(MUST(tree.find_free_range(P, LOWEST, LOWEST + 19998 * P)), LOWEST + 19997 * P);
}
