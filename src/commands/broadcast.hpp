#ifndef MEMCACHE_SRC_COMMANDS_BROADCAST_HPP
#define MEMCACHE_SRC_COMMANDS_BROADCAST_HPP

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "commands/command.hpp"
#include "protocol/operations.hpp"

namespace memcache::detail {

/// A command sent to every usable server: `stats [args]`, `stats items`,
/// `flush_all`.
class BroadcastCommand final : public Command {
 public:
  using Lines = std::vector<std::pair<std::string, std::string>>;
  enum class Kind { stats, flush_all };

  /// `stats <args>` (args may be empty, or "items"), or flush_all.
  static BroadcastCommand stats(std::string_view args);
  static BroadcastCommand flush_all();

  void plan(Router& router) override;
  std::size_t parts() const override { return parts_.size(); }
  std::size_t server(std::size_t part) const override { return parts_[part].server; }
  protocol::Operation* encode(std::size_t index, std::string& out) override;
  void failed(std::size_t part, std::error_code why) override;
  bool admin() const override { return true; }

  /// Each server that answered in full, in list order, with its STAT lines
  /// (none for flush_all).
  std::vector<std::pair<std::size_t, Lines>> answered();
  /// Every server of the list was usable and answered as asked.
  bool all_answered() const { return all_answered_; }

 private:
  struct Part {
    std::size_t server;
    bool failed = false;
    Lines lines;
    std::optional<protocol::StatsOperation> stats;
    std::optional<protocol::LineOperation> flush;
  };

  BroadcastCommand(Kind kind, std::string line) : kind_(kind), line_(std::move(line)) {}

  Kind kind_;
  std::string line_;
  std::deque<Part> parts_;
  bool all_answered_ = true;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_BROADCAST_HPP
