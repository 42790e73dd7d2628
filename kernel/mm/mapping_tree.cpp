#include "mapping_tree.h"

#include "../lib/assert.h"

MappingTree::~MappingTree() { delete_subtree(m_root); }

void MappingTree::delete_subtree(Mapping* m)
{
    if (!m)
        return;
    delete_subtree(links(*m).left);
    delete_subtree(links(*m).right);
    delete m;
}

// --- Lookup ---

Mapping* MappingTree::find(VirtAddr va) const
{
    Mapping* m = m_root;
    while (m) {
        if (va < m->start())
            m = links(*m).left;
        else if (va >= m->end())
            m = links(*m).right;
        else
            return m;
    }
    return nullptr;
}

Mapping* MappingTree::first_ending_after(VirtAddr va) const
{
    // Mappings do not overlap, so ordering by start orders them by end as well.
    Mapping* best = nullptr;
    for (Mapping* m = m_root; m;) {
        if (m->end() > va) {
            best = m;
            m = links(*m).left;
        } else {
            m = links(*m).right;
        }
    }
    return best;
}

Mapping* MappingTree::first() const
{
    Mapping* m = m_root;
    while (m && links(*m).left)
        m = links(*m).left;
    return m;
}

Mapping* MappingTree::last() const
{
    Mapping* m = m_root;
    while (m && links(*m).right)
        m = links(*m).right;
    return m;
}

Mapping* MappingTree::next(Mapping const& mapping) const
{
    Mapping const* m = &mapping;
    if (Mapping* right = links(*m).right) {
        while (links(*right).left)
            right = links(*right).left;
        return right;
    }
    while (links(*m).parent && links(*links(*m).parent).right == m)
        m = links(*m).parent;
    return links(*m).parent;
}

Mapping* MappingTree::prev(Mapping const& mapping) const
{
    Mapping const* m = &mapping;
    if (Mapping* left = links(*m).left) {
        while (links(*left).right)
            left = links(*left).right;
        return left;
    }
    while (links(*m).parent && links(*links(*m).parent).left == m)
        m = links(*m).parent;
    return links(*m).parent;
}

bool MappingTree::is_free(VirtAddr start, VirtAddr end) const
{
    Mapping* m = first_ending_after(start);
    return !m || m->start() >= end;
}

bool MappingTree::is_fully_mapped(VirtAddr start, VirtAddr end) const
{
    VirtAddr covered = start;
    for (Mapping* m = first_ending_after(start); m && covered < end; m = next(*m)) {
        if (m->start() > covered)
            return false;
        covered = m->end();
    }
    return covered >= end;
}

// --- Keeping the tree balanced and its gaps right ---

void MappingTree::update(Mapping& m)
{
    Links& l = links(m);
    l.height = 1 + max(height(l.left), height(l.right));
    l.max_gap = max(l.gap, max(max_gap(l.left), max_gap(l.right)));
}

void MappingTree::propagate(Mapping* m)
{
    for (; m; m = links(*m).parent)
        update(*m);
}

void MappingTree::replace_child(Mapping& m, Mapping* replacement)
{
    Mapping* parent = links(m).parent;
    if (!parent)
        m_root = replacement;
    else if (links(*parent).left == &m)
        links(*parent).left = replacement;
    else
        links(*parent).right = replacement;
    if (replacement)
        links(*replacement).parent = parent;
}

void MappingTree::rotate_left(Mapping& m)
{
    Mapping& pivot = *links(m).right;
    links(m).right = links(pivot).left;
    if (links(pivot).left)
        links(*links(pivot).left).parent = &m;
    replace_child(m, &pivot);
    links(pivot).left = &m;
    links(m).parent = &pivot;
    update(m);
    update(pivot);
}

void MappingTree::rotate_right(Mapping& m)
{
    Mapping& pivot = *links(m).left;
    links(m).left = links(pivot).right;
    if (links(pivot).right)
        links(*links(pivot).right).parent = &m;
    replace_child(m, &pivot);
    links(pivot).right = &m;
    links(m).parent = &pivot;
    update(m);
    update(pivot);
}

void MappingTree::rebalance_from(Mapping* m)
{
    while (m) {
        update(*m);
        Links& l = links(*m);
        int balance = height(l.left) - height(l.right);
        if (balance > 1) {
            Mapping& left = *l.left;
            if (height(links(left).left) < height(links(left).right))
                rotate_left(left);
            rotate_right(*m);
            m = links(*links(*m).parent).parent; // above the subtree's new root
        } else if (balance < -1) {
            Mapping& right = *l.right;
            if (height(links(right).right) < height(links(right).left))
                rotate_right(right);
            rotate_left(*m);
            m = links(*links(*m).parent).parent;
        } else {
            m = l.parent;
        }
    }
}

void MappingTree::refresh_gap(Mapping* m)
{
    if (!m)
        return;
    Mapping* before = prev(*m);
    links(*m).gap = m->start() - (before ? before->end() : 0);
    propagate(m);
}

// --- Changing the set ---

Result<Mapping*> MappingTree::insert(OwnPtr<Mapping> owned)
{
    Mapping& mapping = *owned;
    if (!is_free(mapping.start(), mapping.end()))
        return Errno::Exists;
    Mapping* parent = nullptr;
    Mapping** link = &m_root;
    while (*link) {
        parent = *link;
        link = mapping.start() < parent->start() ? &links(*parent).left : &links(*parent).right;
    }
    *link = owned.leak();
    links(mapping) = Links { .parent = parent };
    ++m_count;
    Mapping* before = prev(mapping);
    links(mapping).gap = mapping.start() - (before ? before->end() : 0);
    rebalance_from(&mapping);
    refresh_gap(next(mapping)); // the mapping above now has a smaller gap below it
    return &mapping;
}

void MappingTree::remove(Mapping& mapping)
{
    Mapping* before = prev(mapping);
    Mapping* after = next(mapping);
    Links& l = links(mapping);
    Mapping* rebalance_start;
    if (!l.left || !l.right) {
        rebalance_start = l.parent;
        replace_child(mapping, l.left ? l.left : l.right);
    } else {
        // Two children: the successor (the leftmost of the right subtree) takes its place.
        Mapping& successor = *after;
        if (links(successor).parent == &mapping) {
            rebalance_start = &successor;
        } else {
            rebalance_start = links(successor).parent;
            replace_child(successor, links(successor).right);
            links(successor).right = l.right;
            links(*l.right).parent = &successor;
        }
        links(successor).left = l.left;
        links(*l.left).parent = &successor;
        replace_child(mapping, &successor);
    }
    --m_count;
    rebalance_from(rebalance_start);
    if (after) {
        links(*after).gap = after->start() - (before ? before->end() : 0);
        propagate(after);
    }
    delete &mapping;
}

Result<Mapping*> MappingTree::split(Mapping& mapping, VirtAddr at)
{
    VERIFY(is_page_aligned(at) && at > mapping.start() && at < mapping.end());
    Mapping* upper = mapping.clone();
    if (!upper)
        return Errno::NoMemory;
    upper->m_start = at;
    upper->m_file_offset = mapping.m_file_offset + (at - mapping.start());
    mapping.m_end = at; // nothing lies between: the gaps around do not change
    return MUST(insert(OwnPtr<Mapping>(upper)));
}

void MappingTree::set_end(Mapping& mapping, VirtAddr end)
{
    VERIFY(is_page_aligned(end) && end > mapping.start());
    mapping.m_end = end;
    refresh_gap(next(mapping));
}

Mapping* MappingTree::merge_with_neighbours(Mapping& mapping)
{
    Mapping* survivor = &mapping;
    if (Mapping* before = prev(mapping); before && before->can_merge_with(mapping)) {
        VirtAddr end = mapping.end();
        remove(mapping);
        set_end(*before, end);
        survivor = before;
    }
    if (Mapping* after = next(*survivor); after && survivor->can_merge_with(*after)) {
        VirtAddr end = after->end();
        remove(*after);
        set_end(*survivor, end);
    }
    return survivor;
}

// --- Free space ---

Result<VirtAddr> MappingTree::find_free_range(u64 length, VirtAddr lowest, VirtAddr highest) const
{
    if (length == 0 || highest < lowest || length > highest - lowest)
        return Errno::NoMemory;
    // Above the last mapping everything is free.
    Mapping* top = last();
    VirtAddr floor = max(top ? top->end() : 0, lowest);
    if (floor <= highest && highest - floor >= length)
        return highest - length;
    Mapping* above_gap = search_gap(m_root, length, lowest, highest);
    if (!above_gap)
        return Errno::NoMemory;
    return min(above_gap->start(), highest) - length;
}

// The highest mapping in m's subtree whose gap, clipped to [lowest, highest], holds length.
Mapping* MappingTree::search_gap(Mapping* m, u64 length, VirtAddr lowest, VirtAddr highest) const
{
    if (!m || max_gap(m) < length)
        return nullptr;
    // Gaps to the right begin at or above m's end: none of them reaches below `highest`
    // unless m ends below it.
    if (m->end() < highest)
        if (Mapping* found = search_gap(links(*m).right, length, lowest, highest))
            return found;
    VirtAddr gap_start = max(m->start() - links(*m).gap, lowest);
    VirtAddr gap_end = min(m->start(), highest);
    if (gap_end > gap_start && gap_end - gap_start >= length)
        return m;
    // Gaps to the left end below m's start.
    if (m->start() <= lowest || m->start() - lowest <= length)
        return nullptr;
    return search_gap(links(*m).left, length, lowest, highest);
}

// --- Checking ---

bool MappingTree::subtree_invariants(Mapping const* m, Mapping const* parent, int& h, u64& gap) const
{
    if (!m) {
        h = 0, gap = 0;
        return true;
    }
    int left_height, right_height;
    u64 left_gap, right_gap;
    if (links(*m).parent != parent || !subtree_invariants(links(*m).left, m, left_height, left_gap)
        || !subtree_invariants(links(*m).right, m, right_height, right_gap))
        return false;
    h = 1 + max(left_height, right_height);
    gap = max(links(*m).gap, max(left_gap, right_gap));
    int balance = left_height - right_height;
    return h == links(*m).height && gap == links(*m).max_gap && balance >= -1 && balance <= 1;
}

bool MappingTree::invariants_hold() const
{
    int h;
    u64 gap;
    if (!subtree_invariants(m_root, nullptr, h, gap))
        return false;
    usize seen = 0;
    VirtAddr previous_end = 0;
    for (Mapping const& m : *this) {
        if (m.start() < previous_end || m.start() >= m.end() || links(m).gap != m.start() - previous_end)
            return false;
        previous_end = m.end();
        ++seen;
    }
    return seen == m_count;
}
