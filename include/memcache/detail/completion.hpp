#ifndef MEMCACHE_DETAIL_COMPLETION_HPP
#define MEMCACHE_DETAIL_COMPLETION_HPP

#include <atomic>
#include <cstddef>
#include <memory>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/dispatch.hpp>
#include <asio/error.hpp>
#include <asio/executor_work_guard.hpp>

namespace memcache::detail {

/// Owns an Asio completion handler until it is invoked exactly once: with the
/// operation's result, or with operation_aborted when its cancellation slot
/// fires first (the request may still be on the wire; its reply is dropped).
/// The handler runs on its associated executor.
template <class Handler, class Result>
class Completion : public std::enable_shared_from_this<Completion<Handler, Result>> {
 public:
  Completion(Handler handler, const asio::any_io_executor& fallback)
      : handler_(std::move(handler)), work_(asio::make_work_guard(handler_, fallback)) {}

  static std::shared_ptr<Completion> make(Handler handler, const asio::any_io_executor& fallback) {
    auto c = std::make_shared<Completion>(std::move(handler), fallback);
    auto slot = asio::get_associated_cancellation_slot(c->handler_);
    if (slot.is_connected()) {
      std::weak_ptr<Completion> weak = c;
      slot.assign([weak](asio::cancellation_type type) {
        if (type == asio::cancellation_type::none) return;
        if (auto self = weak.lock()) self->complete(asio::error::operation_aborted, Result{});
      });
    }
    return c;
  }

  void complete(std::error_code ec, Result result) {
    if (done_.exchange(true)) return;
    auto executor = work_.get_executor();
    asio::dispatch(executor, [self = this->shared_from_this(), ec, result = std::move(result)]() mutable {
      auto slot = asio::get_associated_cancellation_slot(self->handler_);
      if (slot.is_connected()) slot.clear();
      auto handler = std::move(self->handler_);
      self->work_.reset();
      std::move(handler)(ec, std::move(result));
    });
  }

 private:
  Handler handler_;
  asio::executor_work_guard<asio::associated_executor_t<Handler, asio::any_io_executor>> work_;
  std::atomic<bool> done_{false};
};

/// Fills `defaults` from the leading arguments of a call whose last argument
/// is the completion token: `async_set(key, val, 300, token)` sets the first
/// default (time) and keeps the rest.
template <class To, class From>
decltype(auto) leading_value(From&& from) {
  // An int literal for a std::uint64_t or std::size_t parameter converts as
  // it would in the sync call.
  if constexpr (std::is_arithmetic_v<To> && std::is_arithmetic_v<std::decay_t<From>>) {
    return static_cast<To>(from);
  } else {
    return std::forward<From>(from);
  }
}

template <class Defaults, class Args, std::size_t... I>
Defaults fill_leading(Defaults defaults, Args&& args, std::index_sequence<I...>) {
  ((std::get<I>(defaults) = leading_value<std::tuple_element_t<I, Defaults>>(std::get<I>(std::forward<Args>(args)))),
   ...);
  return defaults;
}

template <class Defaults, class... A>
Defaults leading_args(Defaults defaults, A&&... args) {
  static_assert(sizeof...(A) >= 1, "the last argument must be a completion token");
  static_assert(sizeof...(A) - 1 <= std::tuple_size_v<Defaults>, "too many arguments");
  return fill_leading(std::move(defaults), std::forward_as_tuple(std::forward<A>(args)...),
                      std::make_index_sequence<sizeof...(A) - 1>{});
}

/// The completion token: the last argument.
template <class... A>
decltype(auto) last_arg(A&&... args) {
  return std::get<sizeof...(A) - 1>(std::forward_as_tuple(std::forward<A>(args)...));
}

}  // namespace memcache::detail

#endif  // MEMCACHE_DETAIL_COMPLETION_HPP
