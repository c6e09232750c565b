#include "cluster/hashing/server_selector.hpp"

#include "cluster/hashing/python_hash.hpp"

namespace memcache::detail {
namespace {
constexpr unsigned python_server_retries = 10;
}  // namespace

ServerSelector::ServerSelector(const std::vector<Entry>& servers, Hashing hashing)
    : hashing_(hashing), server_count_(servers.size()) {
  if (hashing == Hashing::ketama) {
    std::vector<Ketama::Server> named;
    named.reserve(servers.size());
    for (const Entry& s : servers) named.push_back({ketama_name(s.address), s.weight});
    ketama_.emplace(named);
    only_server_ = server_count_ == 1 && !ketama_->points().empty();
    return;
  }
  for (std::size_t i = 0; i < servers.size(); ++i) {
    for (unsigned w = 0; w < servers[i].weight; ++w) buckets_.push_back(i);
  }
  only_server_ = server_count_ == 1 && !buckets_.empty();
}

std::optional<std::size_t> ServerSelector::pick(std::string_view key, std::optional<std::uint64_t> hash,
                                                Usable usable) const {
  // Every hash lands on the one server, and every retry asks about it again
  // (python-memcached rehashes into the same bucket; the ketama walk has no
  // other server): no need to hash.
  if (only_server_) return usable(0) ? std::optional<std::size_t>(0) : std::nullopt;
  if (ketama_) {
    const std::vector<Ketama::Point>& points = ketama_->points();
    if (points.empty()) return std::nullopt;
    const std::size_t point = hash ? static_cast<std::size_t>(*hash % points.size()) : ketama_->find(ketama_hash(key));
    return walk_continuum(point, usable);
  }

  if (buckets_.empty()) return std::nullopt;
  const bool zero_as_one = hashing_ == Hashing::python_1_59;
  std::uint64_t h = hash ? *hash : python_hash(key, zero_as_one);
  for (unsigned attempt = 0; attempt < python_server_retries; ++attempt) {
    std::size_t server = buckets_[h % buckets_.size()];
    if (usable(server)) return server;
    h = python_rehash(h, attempt, zero_as_one);
  }
  return std::nullopt;
}

// Clockwise from `point` to the first usable server, asking about each server
// once: its first point after `point` is where its turn comes. Servers with no
// point at all (weight far below the others) come last, in list order, so a
// usable server is found whenever there is one.
std::optional<std::size_t> ServerSelector::walk_continuum(std::size_t point, Usable usable) const {
  const std::vector<Ketama::Point>& points = ketama_->points();
  const std::size_t first = points[point].server;
  if (usable(first)) return first;  // the usual case allocates nothing

  std::vector<bool> tried(server_count_, false);
  tried[first] = true;
  std::size_t untried = server_count_ - 1;
  auto try_server = [&](std::size_t server) {
    if (tried[server]) return false;
    tried[server] = true;
    --untried;
    return usable(server);
  };
  for (std::size_t step = 1; step < points.size() && untried > 0; ++step) {
    const std::size_t server = points[(point + step) % points.size()].server;
    if (try_server(server)) return server;
  }
  for (std::size_t server = 0; server < server_count_ && untried > 0; ++server) {
    if (try_server(server)) return server;
  }
  return std::nullopt;
}

std::size_t ServerSelector::first_choice(std::string_view key) const {
  return *pick(key, std::nullopt, [](std::size_t) { return true; });
}

}  // namespace memcache::detail
