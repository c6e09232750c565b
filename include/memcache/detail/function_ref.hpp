#ifndef MEMCACHE_DETAIL_FUNCTION_REF_HPP
#define MEMCACHE_DETAIL_FUNCTION_REF_HPP

#include <memory>
#include <type_traits>
#include <utility>

namespace memcache::detail {

/// A non-owning reference to a callable, for parameters called during the
/// call only: no allocation and no copy of the callable, unlike
/// std::function (which costs a get about 50 instructions).
template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef> &&
                                              std::is_invocable_r_v<R, F&, Args...>>>
  FunctionRef(F&& f) noexcept  // NOLINT(google-explicit-constructor): takes lambdas as std::function does
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace memcache::detail

#endif  // MEMCACHE_DETAIL_FUNCTION_REF_HPP
