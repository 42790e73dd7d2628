#include "page_index.h"

#include "../lib/assert.h"
#include <new>

namespace {

struct Leaf {
    CachedPage pages[PageIndex::FAN_OUT] {};
    u32 used { 0 }; // present entries
};

struct Interior {
    void* children[PageIndex::FAN_OUT] {};
    u32 used { 0 }; // non-null children
};

constexpr unsigned TOP = PageIndex::LEVELS - 1; // level of the root; leaves are level 0

constexpr unsigned slot_of(u64 index, unsigned level) { return (index >> (PageIndex::BITS * level)) & (PageIndex::FAN_OUT - 1); }

void destroy(void* node, unsigned level)
{
    if (level == 0) {
        delete static_cast<Leaf*>(node);
        return;
    }
    auto* interior = static_cast<Interior*>(node);
    for (void* child : interior->children)
        if (child)
            destroy(child, level - 1);
    delete interior;
}

// Removes `index` below `node`; true when `node` became empty and was freed.
bool remove_below(void* node, unsigned level, u64 index)
{
    if (level == 0) {
        auto* leaf = static_cast<Leaf*>(node);
        CachedPage& page = leaf->pages[slot_of(index, 0)];
        if (!page.present)
            return false;
        page = CachedPage {};
        if (--leaf->used > 0)
            return false;
        delete leaf;
        return true;
    }
    auto* interior = static_cast<Interior*>(node);
    void*& child = interior->children[slot_of(index, level)];
    if (!child || !remove_below(child, level - 1, index))
        return false;
    child = nullptr;
    if (--interior->used > 0)
        return false;
    delete interior;
    return true;
}

// `node` covers the indices [base, base + 64^(level+1)); from >= base.
CachedPage* next_below(void* node, unsigned level, u64 base, u64 from, u64 last, u64& found)
{
    if (level == 0) {
        auto* leaf = static_cast<Leaf*>(node);
        for (u64 index = from; index < base + PageIndex::FAN_OUT && index <= last; ++index) {
            CachedPage& page = leaf->pages[index - base];
            if (page.present) {
                found = index;
                return &page;
            }
        }
        return nullptr;
    }
    auto* interior = static_cast<Interior*>(node);
    u64 span = u64(1) << (PageIndex::BITS * level);
    for (u64 slot = (from - base) / span; slot < PageIndex::FAN_OUT; ++slot) {
        u64 child_base = base + slot * span;
        if (child_base > last)
            break;
        void* child = interior->children[slot];
        if (!child)
            continue;
        if (CachedPage* page = next_below(child, level - 1, child_base, max(from, child_base), last, found))
            return page;
    }
    return nullptr;
}

}

PageIndex::~PageIndex()
{
    if (m_root)
        destroy(m_root, TOP);
}

CachedPage* PageIndex::find(u64 index) const
{
    if (index >= MAX_PAGES)
        return nullptr;
    void* node = m_root;
    for (unsigned level = TOP; node && level > 0; --level)
        node = static_cast<Interior*>(node)->children[slot_of(index, level)];
    if (!node)
        return nullptr;
    CachedPage& page = static_cast<Leaf*>(node)->pages[slot_of(index, 0)];
    return page.present ? &page : nullptr;
}

Result<CachedPage*> PageIndex::insert(u64 index, FrameNumber frame)
{
    if (index >= MAX_PAGES)
        return Errno::FileTooBig;
    if (!m_root) {
        m_root = new (std::nothrow) Interior;
        if (!m_root)
            return Errno::NoMemory;
    }
    // Walk down, allocating missing nodes; path[level] is the interior node at that level.
    Interior* path[LEVELS] {};
    void* node = m_root;
    for (unsigned level = TOP; level > 0; --level) {
        auto* interior = static_cast<Interior*>(node);
        path[level] = interior;
        void*& child = interior->children[slot_of(index, level)];
        if (!child) {
            child = level == 1 ? static_cast<void*>(new (std::nothrow) Leaf) : static_cast<void*>(new (std::nothrow) Interior);
            if (!child) {
                // Free the empty nodes made on the way down, bottom-up, so nothing changes.
                for (unsigned up = level; up <= TOP && path[up]->used == 0; ++up) {
                    delete path[up];
                    if (up == TOP) {
                        m_root = nullptr;
                    } else {
                        path[up + 1]->children[slot_of(index, up + 1)] = nullptr;
                        --path[up + 1]->used;
                    }
                }
                return Errno::NoMemory;
            }
            ++interior->used;
        }
        node = child;
    }
    auto* leaf = static_cast<Leaf*>(node);
    CachedPage& page = leaf->pages[slot_of(index, 0)];
    VERIFY(!page.present);
    page = CachedPage { .frame = frame, .dirty_since = 0, .present = true, .dirty = false };
    ++leaf->used;
    ++m_count;
    return &page;
}

void PageIndex::remove(u64 index)
{
    if (!m_root || index >= MAX_PAGES || !find(index))
        return;
    if (remove_below(m_root, TOP, index))
        m_root = nullptr;
    --m_count;
}

CachedPage* PageIndex::next_present(u64 from, u64 last, u64& found) const
{
    if (!m_root || from > last || from >= MAX_PAGES)
        return nullptr;
    return next_below(m_root, TOP, 0, from, min(last, MAX_PAGES - 1), found);
}
