#include "sync/pool.hpp"

#include <fmt/format.h>

#include "transport/io_error.hpp"

namespace memcache::detail {

Pool::Lease Pool::acquire(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  // wait_for reads the clock even when it need not wait: ask first.
  if (!available()) {
    ++waiting_;
    const bool woken = returned_.wait_for(lock, wait, [this] { return available(); });
    --waiting_;
    if (!woken) {
      throw PoolExhausted(fmt::format("all {} connections busy for {} ms{}", cap_.limit(), wait.count(),
                                      cap_.learned() ? " (the server accepts no more)" : ""));
    }
  }
  return take(lock);
}

Pool::Lease Pool::try_acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!available()) return {};
  return take(lock);
}

Pool::Lease Pool::take(std::unique_lock<std::mutex>& lock) {
  // An idle connection the server closed (a restart) or sent bytes on that
  // nobody asked for is closed here, not handed to a call it would fail. The
  // check is a syscall: it runs outside the lock, so that threads sharing the
  // pool do not queue behind it (the connection is ours once popped).
  while (!idle_.empty()) {
    auto conn = std::move(idle_.back());  // most recently used: warmest
    idle_.pop_back();
    const std::uint64_t generation = generation_;
    lock.unlock();
    if (conn->idle_ok()) return Lease(this, std::move(conn), generation);
    conn.reset();
    lock.lock();
    --open_;
  }
  ++open_;
  const std::uint64_t generation = generation_;
  lock.unlock();
  try {
    return Lease(this, open_connection_(), generation);
  } catch (...) {
    lock.lock();
    --open_;
    lock.unlock();
    returned_.notify_one();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<Connection> conn, std::uint64_t generation, bool keep) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (keep && generation == generation_) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
    wake = waiting_ != 0;
  }
  conn.reset();  // closes a discarded socket outside the lock
  if (wake) returned_.notify_one();
}

bool Pool::refused(Lease& lease) {
  bool others = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --open_;
    others = cap_.refused(open_);
  }
  lease.conn_.reset();
  lease.pool_ = nullptr;
  returned_.notify_one();
  return others;
}

void Pool::clear() {
  std::deque<std::unique_ptr<Connection>> closing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    cap_.reset();
    open_ -= idle_.size();
    closing.swap(idle_);
  }
  returned_.notify_all();
}

}  // namespace memcache::detail
