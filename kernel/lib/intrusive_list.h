// An intrusive doubly-linked list: the element embeds a ListNode, so insertion and removal
// never allocate (used for run queues, wait queues and the mapping list).
#pragma once

#include "assert.h"

struct ListNode {
    ListNode* prev { nullptr };
    ListNode* next { nullptr };
    bool is_linked() const { return next != nullptr; }
};

template<typename T, ListNode T::*Node> class IntrusiveList {
public:
    IntrusiveList() { m_head.prev = m_head.next = &m_head; }
    IntrusiveList(IntrusiveList const&) = delete;

    bool is_empty() const { return m_head.next == &m_head; }

    void append(T& item) { insert_before(m_head, item); }
    void prepend(T& item) { insert_before(*m_head.next, item); }
    // Inserts item before `position`, which must be in this list.
    void insert_before(T& position, T& item) { insert_before(position.*Node, item); }

    static void remove(T& item)
    {
        ListNode& node = item.*Node;
        VERIFY(node.is_linked());
        node.prev->next = node.next;
        node.next->prev = node.prev;
        node.prev = node.next = nullptr;
    }

    T* first() const { return is_empty() ? nullptr : owner(m_head.next); }
    T* last() const { return is_empty() ? nullptr : owner(m_head.prev); }
    T* next(T& item) const
    {
        ListNode* n = (item.*Node).next;
        return n == &m_head ? nullptr : owner(n);
    }
    T* prev(T& item) const
    {
        ListNode* n = (item.*Node).prev;
        return n == &m_head ? nullptr : owner(n);
    }
    T* take_first()
    {
        T* item = first();
        if (item)
            remove(*item);
        return item;
    }

    class Iterator {
    public:
        Iterator(ListNode const* node) : m_node(const_cast<ListNode*>(node)) { }
        T& operator*() const { return *owner(m_node); }
        T* operator->() const { return owner(m_node); }
        Iterator& operator++()
        {
            m_node = m_node->next;
            return *this;
        }
        bool operator!=(Iterator const& other) const { return m_node != other.m_node; }

    private:
        ListNode* m_node;
    };
    // Iteration does not tolerate removing the current element; use next() for that.
    Iterator begin() const { return Iterator(m_head.next); }
    Iterator end() const { return Iterator(&m_head); }

private:
    void insert_before(ListNode& position, T& item)
    {
        ListNode& node = item.*Node;
        VERIFY(!node.is_linked());
        node.prev = position.prev;
        node.next = &position;
        position.prev->next = &node;
        position.prev = &node;
    }

    static T* owner(ListNode* node)
    {
        // Offset of the member within T, measured on suitably aligned storage.
        alignas(T) static char probe[sizeof(T)];
        T* sample = reinterpret_cast<T*>(probe);
        auto offset = reinterpret_cast<char*>(&(sample->*Node)) - probe;
        return reinterpret_cast<T*>(reinterpret_cast<char*>(node) - offset);
    }

    ListNode m_head;
};
