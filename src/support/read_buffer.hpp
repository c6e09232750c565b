#ifndef MEMCACHE_SRC_SUPPORT_READ_BUFFER_HPP
#define MEMCACHE_SRC_SUPPORT_READ_BUFFER_HPP

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace memcache::detail {

/// Bytes received but not yet parsed. Grows only as bytes arrive, never
/// because a reply announced a large value.
class ReadBuffer {
 public:
  std::string_view data() const { return {storage_.get() + begin_, end_ - begin_}; }
  bool empty() const { return begin_ == end_; }
  void consume(std::size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  /// Room for at least `n` more bytes at `write_ptr()`.
  void reserve_tail(std::size_t n) {
    if (capacity_ - end_ >= n) return;
    const std::size_t used = end_ - begin_;
    if (begin_ > 0 && capacity_ - used >= n) {
      std::memmove(storage_.get(), storage_.get() + begin_, used);
    } else {
      std::size_t cap = capacity_ == 0 ? initial_capacity : capacity_;
      while (cap - used < n) cap *= 2;
      auto bigger = std::make_unique<char[]>(cap);
      if (used) std::memcpy(bigger.get(), storage_.get() + begin_, used);
      storage_ = std::move(bigger);
      capacity_ = cap;
    }
    begin_ = 0;
    end_ = used;
  }
  /// Room to read into for a reply that needs `wanted` bytes in all (0:
  /// unknown): at least what is missing, and never less than half the
  /// initial capacity, so small replies arrive in one read.
  void reserve_for(std::size_t wanted) {
    const std::size_t have = end_ - begin_;
    reserve_tail(wanted > have ? std::max(wanted - have, initial_capacity / 2) : initial_capacity / 2);
  }
  char* write_ptr() { return storage_.get() + end_; }
  std::size_t tail_room() const { return capacity_ - end_; }
  void commit(std::size_t n) { end_ += n; }
  void clear() { begin_ = end_ = 0; }
  /// Frees the storage when nothing is buffered and it grew past `keep`
  /// bytes: one large value read once must not pin its size on a connection.
  void release_if_over(std::size_t keep) {
    if (empty() && capacity_ > keep) {
      storage_.reset();
      capacity_ = 0;
      begin_ = end_ = 0;
    }
  }

  static constexpr std::size_t initial_capacity = 16 * 1024;

 private:
  std::unique_ptr<char[]> storage_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_SUPPORT_READ_BUFFER_HPP
