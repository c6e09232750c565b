#ifndef MEMCACHE_DETAIL_ENCODED_HPP
#define MEMCACHE_DETAIL_ENCODED_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <memcache/codec.hpp>
#include <memcache/value.hpp>

namespace memcache::detail {

/// A value on its way to the wire, made by `codec<T>`: the bytes and flags of
/// a codec's `view` (strings, Text, Value: no copy), or the Value its
/// `encode` returned (owned here).
class Encoded {
 public:
  static Encoded view(std::string_view bytes, std::uint32_t flags, bool compressible = true) {
    Encoded e;
    e.view_ = bytes;
    e.flags_ = flags;
    e.compressible_ = compressible;
    return e;
  }
  static Encoded owned(Value v, bool compressible) {
    Encoded e;
    e.flags_ = v.flags();
    e.storage_ = std::move(v).bytes();
    e.owned_ = true;
    e.compressible_ = compressible;
    return e;
  }

  std::string_view bytes() const { return owned_ ? std::string_view(storage_) : view_; }
  std::uint32_t flags() const { return flags_; }
  /// python-memcached never compresses integers.
  bool compressible() const { return compressible_; }
  /// The same value holding its own bytes: for a call that outlives its
  /// arguments (the async client).
  Encoded own() && {
    if (!owned_) {
      storage_.assign(view_.data(), view_.size());
      owned_ = true;
    }
    return std::move(*this);
  }

 private:
  std::string_view view_;
  std::string storage_;
  std::uint32_t flags_ = 0;
  bool owned_ = false;
  bool compressible_ = true;
};

template <class C, class T, class = void>
struct has_view : std::false_type {};
template <class C, class T>
struct has_view<C, T, std::void_t<decltype(C::view(std::declval<const T&>()))>> : std::true_type {};

/// Every value a call stores goes through its type's `codec<T>`: a string
/// literal through `codec<const char*>`, a user type through the user's codec.
template <class T>
Encoded encode(const T& v) {
  if constexpr (std::is_array_v<T>) {
    return encode<const char*>(v);
  } else {
    using C = codec<T>;
    if constexpr (has_view<C, T>::value) {
      const Value::View view = C::view(v);
      return Encoded::view(view.bytes, view.flags);
    } else {
      Value encoded = C::encode(v);
      // python-memcached never compresses an int (flag 2), whatever its C++ type.
      const bool integer = (encoded.flags() & (flags::integer | flags::long_integer)) != 0;
      return Encoded::owned(std::move(encoded), !std::is_integral_v<T> && !integer);
    }
  }
}

}  // namespace memcache::detail

#endif  // MEMCACHE_DETAIL_ENCODED_HPP
