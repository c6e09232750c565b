#include "commands/broadcast.hpp"

#include "protocol/requests.hpp"

namespace memcache::detail {

BroadcastCommand BroadcastCommand::stats(std::string_view args) {
  std::string line = "stats";
  if (!args.empty()) line.append(" ").append(args.data(), args.size());
  return BroadcastCommand(Kind::stats, std::move(line));
}

BroadcastCommand BroadcastCommand::flush_all() { return BroadcastCommand(Kind::flush_all, "flush_all"); }

void BroadcastCommand::plan(Router& router) {
  for (std::size_t i = 0; i < router.servers(); ++i) {
    if (router.usable(i)) {
      parts_.emplace_back().server = i;
    } else {
      all_answered_ = false;
    }
  }
}

protocol::Operation* BroadcastCommand::encode(std::size_t index, std::string& out) {
  Part& part = parts_[index];
  protocol::encode_line(out, line_);
  if (kind_ == Kind::flush_all) return &part.flush.emplace(protocol::LineOperation::flush());
  return &part.stats.emplace([&part](std::string_view name, std::string_view value) {
    part.lines.emplace_back(std::string(name), std::string(value));
  });
}

void BroadcastCommand::failed(std::size_t part, std::error_code) {
  parts_[part].failed = true;
  all_answered_ = false;
}

std::vector<std::pair<std::size_t, BroadcastCommand::Lines>> BroadcastCommand::answered() {
  std::vector<std::pair<std::size_t, Lines>> out;
  for (Part& part : parts_) {
    if (part.failed) continue;
    if (part.flush && part.flush->type() != protocol::ReplyType::ok) {
      all_answered_ = false;
      continue;
    }
    out.emplace_back(part.server, std::move(part.lines));
  }
  return out;
}

}  // namespace memcache::detail
