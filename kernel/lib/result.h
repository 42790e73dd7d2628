// Result<T>: a value or a Linux errno. The kernel's error type, converted to -errno in exactly
// one place, the system-call dispatcher. TRY(expr) returns the error from the enclosing
// function; MUST(expr) is for results that cannot fail unless the kernel is wrong.
#pragma once

#include "assert.h"
#include "errno.h"
#include <new>
#include <utility>

template<typename T> class [[nodiscard]] Result {
public:
    Result(T value) : m_has_value(true) { new (&m_storage.value) T(std::move(value)); }
    Result(Errno error) : m_has_value(false) { m_storage.error = error; }
    Result(Result&& other) : m_has_value(other.m_has_value)
    {
        if (m_has_value)
            new (&m_storage.value) T(std::move(other.m_storage.value));
        else
            m_storage.error = other.m_storage.error;
    }
    Result(Result const&) = delete;
    Result& operator=(Result const&) = delete;
    ~Result()
    {
        if (m_has_value)
            m_storage.value.~T();
    }

    bool is_error() const { return !m_has_value; }
    Errno error() const
    {
        VERIFY(!m_has_value);
        return m_storage.error;
    }
    T& value()
    {
        VERIFY(m_has_value);
        return m_storage.value;
    }
    T release_value()
    {
        VERIFY(m_has_value);
        return std::move(m_storage.value);
    }

private:
    union Storage {
        Storage() { }
        ~Storage() { }
        T value;
        Errno error;
    } m_storage;
    bool m_has_value;
};

template<> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Errno error) : m_error(error), m_has_error(true) { }
    bool is_error() const { return m_has_error; }
    Errno error() const
    {
        VERIFY(m_has_error);
        return m_error;
    }
    void release_value() { }

private:
    Errno m_error {};
    bool m_has_error { false };
};

#define TRY(expr)                                                                                                                \
    ({                                                                                                                           \
        auto _result = (expr);                                                                                                   \
        if (_result.is_error()) [[unlikely]]                                                                                     \
            return _result.error();                                                                                              \
        _result.release_value();                                                                                                 \
    })

#define MUST(expr)                                                                                                               \
    ({                                                                                                                           \
        auto _result = (expr);                                                                                                   \
        VERIFY(!_result.is_error());                                                                                             \
        _result.release_value();                                                                                                 \
    })
