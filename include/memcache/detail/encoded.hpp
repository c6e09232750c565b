#ifndef MEMCACHE_DETAIL_ENCODED_HPP
#define MEMCACHE_DETAIL_ENCODED_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <memcache/codec.hpp>
#include <memcache/value.hpp>

namespace memcache::detail {

/// A value on its way to the wire. Strings are only looked at (no copy);
/// everything else goes through `codec<T>` and is owned here.
class Encoded {
 public:
  static Encoded view(std::string_view bytes, std::uint32_t flags) {
    Encoded e;
    e.view_ = bytes;
    e.flags_ = flags;
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

 private:
  std::string_view view_;
  std::string storage_;
  std::uint32_t flags_ = 0;
  bool owned_ = false;
  bool compressible_ = true;
};

template <class T>
Encoded encode(const T& v) {
  if constexpr (std::is_convertible_v<const T&, std::string_view> && !std::is_same_v<T, Value>) {
    return Encoded::view(std::string_view(v), 0);
  } else if constexpr (std::is_same_v<T, Text>) {
    return Encoded::view(v.str(), flags::text);
  } else if constexpr (std::is_same_v<T, Value>) {
    return Encoded::view(v.bytes(), v.flags());
  } else {
    Value encoded = codec<T>::encode(v);
    // python-memcached never compresses an int (flag 2), whatever its C++ type.
    const bool integer = (encoded.flags() & (flags::integer | flags::long_integer)) != 0;
    return Encoded::owned(std::move(encoded), !std::is_integral_v<T> && !integer);
  }
}

}  // namespace memcache::detail

#endif  // MEMCACHE_DETAIL_ENCODED_HPP
