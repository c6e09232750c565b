#ifndef MEMCACHE_TESTS_SUPPORT_LOG_CAPTURE_HPP
#define MEMCACHE_TESTS_SUPPORT_LOG_CAPTURE_HPP

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace memcache::test {

/// A debug log sink that keeps every message (thread-safe).
class LogCapture {
 public:
  std::function<void(std::string_view)> sink() {
    return [state = state_](std::string_view m) {
      std::lock_guard<std::mutex> lock(state->mutex);
      state->messages.emplace_back(m);
    };
  }
  std::vector<std::string> messages() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->messages;
  }
  bool contains(std::string_view needle) const {
    for (const auto& m : messages()) {
      if (m.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->messages.clear();
  }

 private:
  struct State {
    std::mutex mutex;
    std::vector<std::string> messages;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_LOG_CAPTURE_HPP
