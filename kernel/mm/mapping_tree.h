// MappingTree: the ordered, non-overlapping set of an address space's mappings — an AVL
// tree keyed by start address whose nodes are the Mappings themselves (intrusive: no
// allocation to insert or remove). Lookup, insert, remove, split and the search for a free
// range all take O(log n) steps, so a process with 10,000 mappings pays no more per fault
// or mmap than one with 10 (Linux used an augmented red-black tree the same way before its
// maple tree).
//
// Each node also records the gap below it (its start minus the end of the mapping before
// it) and the largest such gap in its subtree, so find_free_range() can skip every subtree
// whose gaps are all too small:
//
//                  C (gap 2, max 9)
//          A (gap 9, max 9)      E (gap 1, max 4)
//              B (gap 0)      D (gap 4)
//
//   in address order A B C D E: A's left subtree is empty and B hangs right of A, D left
//   of E; a search for 5 free pages skips the subtree of B at once (max 0).
//
// Locking: the tree belongs to one AddressSpace and is protected by what protects it
// (address_space.h).
#pragma once

#include "../lib/own_ptr.h"
#include "../lib/result.h"
#include "mapping.h"

class MappingTree {
public:
    MappingTree() = default;
    MappingTree(MappingTree const&) = delete;
    MappingTree& operator=(MappingTree const&) = delete;
    ~MappingTree(); // deletes every mapping

    // The mapping containing `va`, or null.
    Mapping* find(VirtAddr va) const;
    // The lowest mapping that ends above `va` (it contains va or lies above it), or null.
    Mapping* first_ending_after(VirtAddr va) const;
    Mapping* first() const;
    Mapping* last() const;
    Mapping* next(Mapping const&) const;
    Mapping* prev(Mapping const&) const;

    // True if no mapping overlaps [start, end).
    bool is_free(VirtAddr start, VirtAddr end) const;
    // True if mappings cover every byte of [start, end), without holes.
    bool is_fully_mapped(VirtAddr start, VirtAddr end) const;

    // Takes ownership. Exists if it overlaps a mapping already in the set (the mapping is
    // then deleted).
    Result<Mapping*> insert(OwnPtr<Mapping>);
    // Splits `mapping` at `at` (page aligned, strictly inside); returns the upper half.
    // NoMemory leaves the set unchanged.
    Result<Mapping*> split(Mapping& mapping, VirtAddr at);
    // Merges `mapping` with its neighbours where Mapping::can_merge_with allows; returns
    // the mapping that now covers its range (it may be a neighbour: `mapping` is then gone).
    Mapping* merge_with_neighbours(Mapping& mapping);
    // Moves the end of `mapping` (growing into free space, or shrinking; page aligned).
    void set_end(Mapping& mapping, VirtAddr end);
    // Removes and deletes.
    void remove(Mapping&);

    // The highest start s with lowest <= s and s + length <= highest such that
    // [s, s + length) is free; NoMemory if there is none.
    Result<VirtAddr> find_free_range(u64 length, VirtAddr lowest, VirtAddr highest) const;

    usize count() const { return m_count; }
    bool is_empty() const { return !m_root; }
    // Balance, order, heights and gaps as they must be (for tests); false if anything is off.
    bool invariants_hold() const;

    class Iterator {
    public:
        Iterator(MappingTree const* tree, Mapping* at) : m_tree(tree), m_at(at) { }
        Mapping& operator*() const { return *m_at; }
        Mapping* operator->() const { return m_at; }
        Iterator& operator++()
        {
            m_at = m_tree->next(*m_at);
            return *this;
        }
        bool operator!=(Iterator const& other) const { return m_at != other.m_at; }

    private:
        MappingTree const* m_tree;
        Mapping* m_at;
    };
    // In ascending address order; do not remove the current mapping while iterating.
    Iterator begin() const { return { this, first() }; }
    Iterator end() const { return { this, nullptr }; }

private:
    using Links = Mapping::TreeLinks;
    static Links& links(Mapping& m) { return m.m_tree; }
    static Links const& links(Mapping const& m) { return m.m_tree; }
    static int height(Mapping const* m) { return m ? m->m_tree.height : 0; }
    static u64 max_gap(Mapping const* m) { return m ? m->m_tree.max_gap : 0; }

    // Recomputes height and max_gap of `m` from its children.
    static void update(Mapping& m);
    // Recomputes from `m` up to the root (after a gap changed), without rebalancing.
    void propagate(Mapping* m);
    // Restores the AVL balance from `m` up to the root, recomputing as it goes.
    void rebalance_from(Mapping* m);
    void rotate_left(Mapping& m);
    void rotate_right(Mapping& m);
    // Puts `replacement` (may be null) where `m` hangs in the tree.
    void replace_child(Mapping& m, Mapping* replacement);
    // Sets m's gap from the mapping before it and refreshes the path above it.
    void refresh_gap(Mapping* m);
    void delete_subtree(Mapping* m);
    Mapping* search_gap(Mapping* m, u64 length, VirtAddr lowest, VirtAddr highest) const;
    bool subtree_invariants(Mapping const* m, Mapping const* parent, int& height, u64& max_gap) const;

    Mapping* m_root { nullptr };
    usize m_count { 0 };
};
