// FunctionRef<R(Args...)>: a non-owning reference to any callable, for callbacks such as
// "for each present page" without heap allocation or std::function.
#pragma once

#include <type_traits>
#include <utility>

template<typename Signature> class FunctionRef;

template<typename R, typename... Args> class FunctionRef<R(Args...)> {
public:
    template<typename F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef>) FunctionRef(F&& callable)
        : m_object(const_cast<void*>(static_cast<void const*>(&callable))), m_call([](void* object, Args... args) -> R {
            return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        })
    { }
    R operator()(Args... args) const { return m_call(m_object, std::forward<Args>(args)...); }

private:
    void* m_object;
    R (*m_call)(void*, Args...);
};
