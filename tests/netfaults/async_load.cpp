// The memcache::AsyncClient under the workload: one io_context thread, one
// client, workers_per_server call loops per home server, each issuing its
// next call from the previous one's completion (many calls in flight at once).
#include <memory>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <memcache/async_client.hpp>

#include "threads.hpp"

namespace netfaults {
namespace {

/// A paced call loop: each step is due at its pacer's time and calls next()
/// from its completion; the loop lives until its last completion.
class PacedLoop : public std::enable_shared_from_this<PacedLoop> {
 public:
  PacedLoop(memcache::AsyncClient& mc, double rate, const Settings& settings, Clock::time_point start,
            std::shared_ptr<std::size_t> running)
      : mc_(mc),
        pacer_(rate, start),
        timer_(mc.get_executor()),
        end_(start + settings.duration),
        running_(std::move(running)) {
    ++*running_;
  }
  PacedLoop(const PacedLoop&) = delete;
  PacedLoop& operator=(const PacedLoop&) = delete;
  virtual ~PacedLoop() { --*running_; }

  void next() {
    if (Clock::now() >= end_) return;
    timer_.expires_at(pacer_.next());
    timer_.async_wait([self = shared_from_this()](std::error_code) { self->step(); });
  }

 protected:
  virtual void step() = 0;
  memcache::AsyncClient& mc_;

 private:
  Pacer pacer_;
  asio::steady_timer timer_;
  Clock::time_point end_;
  std::shared_ptr<std::size_t> running_;  // loops still calling
};

/// The single-key steps on one home server's keys.
class Loop : public PacedLoop {
 public:
  Loop(memcache::AsyncClient& mc, const std::vector<std::string>& keys, unsigned seed, Tally& tally,
       const Settings& settings, Clock::time_point start, std::shared_ptr<std::size_t> running)
      : PacedLoop(mc, settings.rate, settings, start, std::move(running)), chooser_(keys, seed), tally_(tally) {}

 private:
  std::shared_ptr<Loop> self() { return std::static_pointer_cast<Loop>(shared_from_this()); }

  void step() override {
    const Step step = chooser_.next();
    if (step.plain_set) return store(*step.key);
    const auto began = Clock::now();
    mc_.async_get(*step.key,
                  [self = self(), key = step.key, began](std::error_code ec, std::optional<std::string> got) {
                    const Outcome outcome = ec ? Outcome::failed : judge(*key, got);
                    self->tally_.add(began, outcome, *key);
                    if (outcome == Outcome::miss) return self->store(*key);
                    self->next();
                  });
  }

  void store(const std::string& key) {
    const auto began = Clock::now();
    mc_.async_set(key, value_for(key), [self = self(), key = &key, began](std::error_code ec, bool stored) {
      self->tally_.add(began, !ec && stored ? Outcome::ok : Outcome::failed, *key);
      self->next();
    });
  }

  Chooser chooser_;
  Tally& tally_;
};

/// get_multi over keys of every home server.
class MultiLoop : public PacedLoop {
 public:
  MultiLoop(memcache::AsyncClient& mc, const std::vector<std::vector<std::string>>& homes, unsigned seed,
            Tally* tallies, const Settings& settings, Clock::time_point start, std::shared_ptr<std::size_t> running)
      : PacedLoop(mc, settings.multi_rate, settings, start, std::move(running)),
        chooser_(homes, seed),
        tallies_(tallies) {}

 private:
  void step() override {
    auto step = std::make_shared<MultiStep>(chooser_.next());
    const auto began = Clock::now();
    mc_.async_get_multi(step->keys, [self = std::static_pointer_cast<MultiLoop>(shared_from_this()), step, began](
                                        std::error_code ec, std::unordered_map<std::string, std::string> found) {
      MultiReply reply;
      reply.found = std::move(found);
      reply.failed = static_cast<bool>(ec);
      tally_multi(*step, reply, began, self->tallies_);
      self->next();
    });
  }

  MultiChooser chooser_;
  Tally* tallies_;
};

/// Runs io until done() or the limit (the client's idle connections keep io
/// busy, so io.run() alone would not return).
template <class Done>
void run_until(asio::io_context& io, Done done, Clock::time_point limit) {
  while (!done() && Clock::now() < limit) {
    if (io.stopped()) io.restart();
    if (io.run_for(std::chrono::milliseconds(50)) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::size_t unfinished_calls = 0;

void seed_async(const Settings& settings, const std::vector<std::string>& keys) {
  asio::io_context io(1);
  memcache::AsyncClient mc(io, servers_of(settings), options_for(settings));
  std::size_t pending = keys.size();
  for (const auto& key : keys) mc.async_set(key, value_for(key), [&pending](std::error_code, bool) { --pending; });
  run_until(
      io, [&] { return pending == 0; }, Clock::now() + std::chrono::seconds(60));
}

Tallies run_async(const Settings& settings, const std::vector<std::vector<std::string>>& homes,
                  Clock::time_point start) {
  asio::io_context io(1);
  memcache::AsyncClient mc(io, servers_of(settings), options_for(settings));
  // All on the one io thread: a home's tally is only touched there.
  Tallies tallies(2 * homes.size(), Tally(start, bucket_count(settings)));  // single-key, then get_multi
  auto running = std::make_shared<std::size_t>(0);
  for (std::size_t s = 0; s < homes.size(); ++s) {
    if (homes[s].empty()) continue;
    for (std::size_t w = 0; w < settings.workers_per_server; ++w) {
      auto loop = std::make_shared<Loop>(mc, homes[s], static_cast<unsigned>(s * 1000 + w + 1), tallies[s], settings,
                                         start, running);
      asio::post(io, [loop] { loop->next(); });
    }
  }
  // One io thread: the get_multi loops can share one set of tallies.
  for (std::size_t m = 0; m < settings.multi_workers; ++m) {
    auto loop = std::make_shared<MultiLoop>(mc, homes, static_cast<unsigned>(1000 + m), &tallies[homes.size()],
                                            settings, start, running);
    asio::post(io, [loop] { loop->next(); });
  }
  // The loops end at start + duration; a call still pending long after its
  // bound (connect + socket timeout) would hang the run, so the run stops
  // then and reports how many loops never got their last completion.
  const auto limit =
      start + settings.duration + settings.connect_timeout + settings.socket_timeout + std::chrono::seconds(10);
  run_until(
      io, [&] { return *running == 0; }, limit);
  unfinished_calls = *running;
  return tallies;
}

}  // namespace netfaults
