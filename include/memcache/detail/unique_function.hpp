#ifndef MEMCACHE_DETAIL_UNIQUE_FUNCTION_HPP
#define MEMCACHE_DETAIL_UNIQUE_FUNCTION_HPP

#include <memory>
#include <type_traits>
#include <utility>

namespace memcache::detail {

/// A move-only std::function: holds Asio completion handlers, which may not be
/// copyable.
template <class Signature>
class UniqueFunction;

template <class R, class... Args>
class UniqueFunction<R(Args...)> {
 public:
  UniqueFunction() = default;
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, UniqueFunction>>>
  UniqueFunction(F&& f) : impl_(std::make_unique<Impl<std::decay_t<F>>>(std::forward<F>(f))) {}

  R operator()(Args... args) { return impl_->call(std::forward<Args>(args)...); }
  explicit operator bool() const { return impl_ != nullptr; }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual R call(Args... args) = 0;
  };
  template <class F>
  struct Impl final : Base {
    explicit Impl(F&& f) : fn(std::move(f)) {}
    explicit Impl(const F& f) : fn(f) {}
    R call(Args... args) override { return fn(std::forward<Args>(args)...); }
    F fn;
  };
  std::unique_ptr<Base> impl_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_DETAIL_UNIQUE_FUNCTION_HPP
