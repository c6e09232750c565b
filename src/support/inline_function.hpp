#ifndef MEMCACHE_SRC_SUPPORT_INLINE_FUNCTION_HPP
#define MEMCACHE_SRC_SUPPORT_INLINE_FUNCTION_HPP

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace memcache::detail {

/// A callable held in place: a lambda capturing at most two pointers (or
/// anything trivially copyable that small). Built and destroyed with no call
/// and no allocation, unlike std::function, which costs every get about 50
/// instructions for its reply sink.
template <class Signature>
class InlineFunction;

template <class R, class... Args>
class InlineFunction<R(Args...)> {
 public:
  static constexpr std::size_t capacity = 2 * sizeof(void*);

  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, InlineFunction>>>
  InlineFunction(F f) noexcept  // NOLINT(google-explicit-constructor): takes lambdas as std::function does
      : call_([](const void* storage, Args... args) -> R {
          return (*static_cast<F*>(const_cast<void*>(storage)))(std::forward<Args>(args)...);
        }) {
    static_assert(sizeof(F) <= capacity, "capture at most two pointers");
    static_assert(std::is_trivially_copyable_v<F> && std::is_trivially_destructible_v<F>,
                  "capture pointers or references only");
    ::new (static_cast<void*>(storage_)) F(std::move(f));
  }

  R operator()(Args... args) const { return call_(storage_, std::forward<Args>(args)...); }

 private:
  alignas(void*) unsigned char storage_[capacity];
  R (*call_)(const void*, Args...);
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_SUPPORT_INLINE_FUNCTION_HPP
