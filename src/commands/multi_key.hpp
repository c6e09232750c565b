#ifndef MEMCACHE_SRC_COMMANDS_MULTI_KEY_HPP
#define MEMCACHE_SRC_COMMANDS_MULTI_KEY_HPP

#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <memcache/detail/encoded.hpp>
#include <memcache/detail/function_ref.hpp>
#include <memcache/detail/lists.hpp>
#include <memcache/expiry.hpp>
#include <memcache/key.hpp>
#include <memcache/options.hpp>
#include <memcache/value.hpp>

#include "commands/command.hpp"
#include "protocol/meta_operations.hpp"
#include "protocol/operations.hpp"
#include "values/prepare.hpp"

namespace memcache::detail {

/// A multi-key call's keys as sent: the caller's own text, or prefixed
/// copies; routed, and laid out server by server (each server's keys in the
/// caller's order), so that a server's keys are one run of `wires()`.
class KeyGroups {
 public:
  /// `wires` is room for the routed keys' text, filled by route() (a caller
  /// may reuse it from call to call); it outlives this.
  KeyGroups(const KeyList& keys, std::string_view prefix, std::vector<std::string_view>& wires);
  /// Routes every key; keys with no usable server are left out.
  void route(Router& router);

  const KeyList& keys() const { return keys_; }
  std::size_t prefix_size() const { return prefix_.size(); }
  /// The routed keys as sent, server by server.
  const std::vector<std::string_view>& wires() const { return wires_; }
  /// The index into keys() of wires()[routed].
  std::size_t index(std::size_t routed) const { return order_.empty() ? routed : order_[routed]; }
  /// Server `s`'s keys are wires()[begin(s) .. begin(s + 1)), for s < servers().
  std::size_t begin(std::size_t server) const { return starts_[server]; }
  std::size_t servers() const { return starts_.empty() ? 0 : starts_.size() - 1; }
  /// Keys no server could take.
  std::size_t unrouted() const { return unrouted_; }

 private:
  std::string_view wire(std::size_t i) const { return prefixed_ ? std::string_view((*prefixed_)[i]) : keys_[i].text; }

  const KeyList& keys_;
  std::string_view prefix_;
  std::optional<std::deque<std::string>> prefixed_;  // only with a prefix (an empty deque allocates)
  std::vector<std::string_view>& wires_;
  std::vector<std::size_t> order_;   // index into keys_ of each routed key; empty: the same order
  std::vector<std::size_t> starts_;  // servers() + 1 offsets into wires_
  std::size_t unrouted_ = 0;
};

/// Called per value found by a visiting get_multi: the caller's key (prefix
/// stripped) and the value, decompressed (flag 8 cleared); both views valid
/// during the call only.
using ValueVisitor = FunctionRef<void(std::string_view key, Value::View value)>;

/// get_multi: one `get k1 ... kN` per server and per 100 keys (short lines
/// for any server), each VALUE checked against the keys of its own line. A
/// server whose reply did not arrive in full contributes nothing to the
/// found list (a line answered with an error line, SERVER_ERROR, keeps the
/// values before it), and a value too long to read (max_value_read_length) is
/// left out alone; a visitor instead sees every value as it is parsed (views
/// into the read buffer, no copy), so it may see values of a server that
/// fails later in the call.
class GetMultiCommand final : public Command {
 public:
  /// `keys` and `sent_keys` (room for the keys of every line, reused by the
  /// caller from call to call) outlive the command, as does `visit` when
  /// given (then nothing is collected for take_found). Checks the keys.
  GetMultiCommand(const KeyList& keys, std::string_view prefix, const Options& options,
                  std::vector<std::string_view>& sent_keys, std::optional<ValueVisitor> visit = std::nullopt);
  void plan(Router& router) override;
  std::size_t parts() const override { return parts_.size(); }
  std::size_t server(std::size_t part) const override { return parts_[part].server; }
  protocol::Operation* encode(std::size_t index, std::string& out) override;
  void failed(std::size_t part, std::error_code why) override;

  /// The values found, by index into the caller's keys. Logs error replies.
  FoundList take_found();
  /// The first failure of a part (or no_server when keys found no server,
  /// server_error when a line was answered with an error), once take_found()
  /// has run: the call found what it returns, but maybe not all there was.
  std::error_code error() const { return error_; }
  /// Values handed to the visitor.
  std::size_t visited() const { return visited_; }
  /// What the visitor threw (it is not called again after that; the replies
  /// are still read, so the connection stays in step), or null.
  std::exception_ptr visitor_error() const { return visitor_error_; }

 private:
  void visit(std::size_t sent, const protocol::Reply& reply);
  void visit_compressed(std::string_view key, const protocol::Reply& reply);
  void call_visitor(std::string_view key, Value::View value);

  struct Part {
    std::size_t server;
    std::size_t first_key;  // into groups_.wires()
    std::size_t count;
    bool failed = false;
    std::optional<protocol::RetrievalOperation> op;
    std::optional<protocol::MetaCheck> meta_check;  // over the meta protocol
  };

  KeyGroups groups_;
  const Options& options_;
  std::deque<Part> parts_;
  std::error_code error_;
  std::optional<ValueVisitor> visit_;
  std::optional<FoundList> found_;  // without a visitor: every part's values, as they come
  std::string inflated_;            // a compressed value's bytes, reused
  std::size_t visited_ = 0;
  std::exception_ptr visitor_error_;
};

/// set_multi: each value prepared (compressed, size-checked), all of a
/// server's sets written as one request.
class SetMultiCommand final : public Command {
 public:
  using Items = std::vector<std::pair<Key, Encoded>>;
  /// `items` outlive the command. Checks the keys.
  SetMultiCommand(const Items& items, Expiry time, std::string_view prefix, std::size_t min_compress_len, bool noreply,
                  const Options& options);
  void plan(Router& router) override;
  std::size_t parts() const override { return parts_.size(); }
  std::size_t server(std::size_t part) const override { return parts_[part].server; }
  protocol::Operation* encode(std::size_t index, std::string& out) override;
  void failed(std::size_t part, std::error_code why) override;

  /// Indices of the items that were not stored, in the caller's order.
  std::vector<std::size_t> not_stored() const;

 private:
  struct Part {
    std::size_t server;
    std::vector<std::size_t> items;
    bool failed = false;
    protocol::LineSequence replies;
    std::optional<protocol::MetaCheck> meta_check;  // over the meta protocol
  };

  const Items& items_;
  std::int64_t exptime_;
  std::string_view prefix_;
  std::size_t min_compress_len_;
  bool noreply_;
  const Options& options_;
  std::deque<std::string> wire_keys_;
  std::deque<std::string> compressed_;
  std::vector<std::optional<PreparedValue>> values_;
  std::vector<std::size_t> refused_;  // not prepared or not routed
  std::deque<Part> parts_;
};

/// delete_multi: all of a server's deletes written as one request.
class DeleteMultiCommand final : public Command {
 public:
  /// `keys` outlive the command. Checks the keys.
  DeleteMultiCommand(const KeyList& keys, Expiry time, std::string_view prefix, bool noreply, const Options& options);
  DeleteMultiCommand(const DeleteMultiCommand&) = delete;  // groups_ refers to wires_
  DeleteMultiCommand& operator=(const DeleteMultiCommand&) = delete;
  void plan(Router& router) override;
  std::size_t parts() const override { return parts_.size(); }
  std::size_t server(std::size_t part) const override { return parts_[part].server; }
  protocol::Operation* encode(std::size_t index, std::string& out) override;
  void failed(std::size_t part, std::error_code why) override;

  /// Every server holding one of the keys was reached (python-memcached's
  /// delete_multi result; a key that was absent still counts).
  bool all_reached() const;

 private:
  struct Part {
    std::size_t server;
    std::size_t first_key;  // into groups_.wires()
    std::size_t count;
    bool failed = false;
    protocol::LineSequence replies;
    std::optional<protocol::MetaCheck> meta_check;  // over the meta protocol
  };

  std::vector<std::string_view> wires_;
  KeyGroups groups_;
  std::int64_t exptime_;
  bool noreply_;
  bool meta_;
  std::deque<Part> parts_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_MULTI_KEY_HPP
