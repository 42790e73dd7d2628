// Intrusive reference counting: RefCounted<T> holds the count, RefPtr<T> manages it.
// The count needs no atomics: kernel code runs under the kernel lock on one CPU, and no
// interrupt handler takes or drops references (docs/locking.md).
#pragma once

#include <utility>

template<typename T> class RefCounted {
public:
    void ref() { ++m_ref_count; }
    void unref()
    {
        if (--m_ref_count == 0)
            delete static_cast<T*>(this);
    }
    unsigned ref_count() const { return m_ref_count; }

protected:
    RefCounted() = default;
    ~RefCounted() = default;

private:
    unsigned m_ref_count { 1 };
};

// Adopts the initial reference of a freshly created object (refcount 1) with adopt_ref().
template<typename T> class RefPtr {
public:
    RefPtr() = default;
    RefPtr(decltype(nullptr)) { }
    RefPtr(T* ptr) : m_ptr(ptr)
    {
        if (m_ptr)
            m_ptr->ref();
    }
    RefPtr(RefPtr const& other) : RefPtr(other.m_ptr) { }
    RefPtr(RefPtr&& other) : m_ptr(std::exchange(other.m_ptr, nullptr)) { }
    template<typename U> RefPtr(RefPtr<U>&& other) : m_ptr(other.leak_ref()) { }
    ~RefPtr() { clear(); }

    RefPtr& operator=(RefPtr other)
    {
        std::swap(m_ptr, other.m_ptr);
        return *this;
    }

    void clear()
    {
        if (m_ptr)
            std::exchange(m_ptr, nullptr)->unref();
    }
    T* leak_ref() { return std::exchange(m_ptr, nullptr); }
    static RefPtr adopt(T* ptr)
    {
        RefPtr result;
        result.m_ptr = ptr;
        return result;
    }

    T* ptr() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }
    bool operator==(RefPtr const& other) const { return m_ptr == other.m_ptr; }

private:
    T* m_ptr { nullptr };
};

template<typename T> RefPtr<T> adopt_ref(T* ptr) { return RefPtr<T>::adopt(ptr); }
