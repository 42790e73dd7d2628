// OwnPtr<T>: sole ownership of a heap object, deleted with the owner.
#pragma once

#include "types.h"
#include <utility>

template<typename T> class OwnPtr {
public:
    OwnPtr() = default;
    OwnPtr(decltype(nullptr)) { }
    explicit OwnPtr(T* ptr) : m_ptr(ptr) { }
    OwnPtr(OwnPtr&& other) : m_ptr(std::exchange(other.m_ptr, nullptr)) { }
    OwnPtr(OwnPtr const&) = delete;
    ~OwnPtr() { delete m_ptr; }
    OwnPtr& operator=(OwnPtr&& other)
    {
        if (this != &other) {
            delete m_ptr;
            m_ptr = std::exchange(other.m_ptr, nullptr);
        }
        return *this;
    }
    T* leak() { return std::exchange(m_ptr, nullptr); }
    T* ptr() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }

private:
    T* m_ptr { nullptr };
};

// OwnArray<T>: sole ownership of a heap array (new T[n]), deleted with the owner. Empty
// (false) when the allocation failed.
template<typename T> class OwnArray {
public:
    OwnArray() = default;
    explicit OwnArray(T* ptr) : m_ptr(ptr) { }
    OwnArray(OwnArray&& other) : m_ptr(std::exchange(other.m_ptr, nullptr)) { }
    OwnArray(OwnArray const&) = delete;
    OwnArray& operator=(OwnArray const&) = delete;
    ~OwnArray() { delete[] m_ptr; }
    T* ptr() const { return m_ptr; }
    T& operator[](usize index) const { return m_ptr[index]; }
    explicit operator bool() const { return m_ptr != nullptr; }

private:
    T* m_ptr { nullptr };
};
