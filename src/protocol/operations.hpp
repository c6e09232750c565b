#ifndef MEMCACHE_SRC_PROTOCOL_OPERATIONS_HPP
#define MEMCACHE_SRC_PROTOCOL_OPERATIONS_HPP

#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_parser.hpp"
#include "support/inline_function.hpp"

namespace memcache::detail::protocol {

/// What one request is owed by the server, as a small state machine fed the
/// replies in order. No I/O.
class Operation {
 public:
  virtual ~Operation() = default;
  /// Takes the next reply meant for this request; true when it was the last.
  /// Throws ProtocolError for a reply this request cannot receive.
  virtual bool on_reply(const Reply& reply) = 0;
  /// True for an operation whose job is to take error lines owed to earlier
  /// noreply requests (SyncOperation).
  virtual bool takes_stray_errors() const { return false; }
};

/// An error line (ERROR, CLIENT_ERROR, SERVER_ERROR) a request got in place
/// of its reply: an answer to that request alone (Dispatcher::in_step says
/// whether the connection may go on).
struct ErrorReply {
  ReplyType type;
  std::string text;  // the server's message, or the reply's name when it has none
};

/// A request answered by one line: storage, incr/decr, delete, touch,
/// flush_all, version. Accepts only the reply types listed, plus
/// ERROR / CLIENT_ERROR / SERVER_ERROR, which it records.
class LineOperation final : public Operation {
 public:
  LineOperation(std::initializer_list<ReplyType> accepted);
  bool on_reply(const Reply& reply) override;

  bool answered() const { return answered_; }
  ReplyType type() const { return type_; }
  std::uint64_t number() const { return number_; }
  /// The text of an error or VERSION reply.
  const std::string& text() const { return text_; }
  /// The error line it was answered with, if it was.
  std::optional<ErrorReply> error() const;

  static LineOperation storage();
  static LineOperation arith();
  static LineOperation deletion();
  static LineOperation touch();
  static LineOperation flush();
  static LineOperation version();

 private:
  std::uint32_t accepted_mask_ = 0;
  bool answered_ = false;
  ReplyType type_ = ReplyType::error;
  std::uint64_t number_ = 0;
  std::string text_;
};

/// Several one-line requests written together (set_multi's sets, a
/// delete_multi's deletes to one server): each reply goes to the next
/// request's LineOperation, in order.
class LineSequence final : public Operation {
 public:
  /// Queues one request's operation; the reference stays valid.
  LineOperation& add(LineOperation op) { return ops_.emplace_back(std::move(op)); }
  bool on_reply(const Reply& reply) override;
  std::size_t size() const { return ops_.size(); }
  const LineOperation& operator[](std::size_t i) const { return ops_[i]; }

 private:
  std::deque<LineOperation> ops_;
  std::size_t next_ = 0;
};

/// `get`/`gets` of several keys: VALUE replies for a subset of the requested
/// keys, in request order, then END. A VALUE for a key that was not asked for
/// (at that point) is a ProtocolError: a reply never reaches the wrong key.
/// An error line in place of END (memcached's SERVER_ERROR out of memory,
/// a proxy's SERVER_ERROR for a backend that is down) ends it too: the values
/// before it are whole, the rest were not found, and error() says why.
/// The sink gets values and oversized_value replies (a value too long to
/// read, whose key fails alone).
class RetrievalOperation final : public Operation {
 public:
  using Sink = InlineFunction<void(std::size_t key_index, const Reply& value)>;

  /// `keys` are the keys as sent, `first`..`first + keys.size()` their indices
  /// as the sink reports them.
  RetrievalOperation(std::vector<std::string_view> keys, std::size_t first, Sink sink);
  /// A single key (index 0), held without allocating.
  RetrievalOperation(std::string_view key, Sink sink);
  /// `count` keys at `keys`, which the caller keeps alive and unchanged
  /// until the operation is done (nothing copied).
  RetrievalOperation(const std::string_view* keys, std::size_t count, std::size_t first, Sink sink);
  bool on_reply(const Reply& reply) override;
  /// The error line that ended the reply, if one did.
  const std::optional<ErrorReply>& error() const { return error_; }

 private:
  /// END or an error line: the last reply.
  bool on_end(const Reply& reply);

  std::vector<std::string_view> keys_;
  std::string_view one_;                    // the key of the single-key form
  const std::string_view* view_ = nullptr;  // the keys of the borrowing form
  std::size_t view_count_ = 0;
  std::size_t first_ = 0;
  std::size_t cursor_ = 0;
  Sink sink_;
  std::optional<ErrorReply> error_;
};

/// A `version` sent ahead of a call's requests on a connection that sent
/// noreply requests since its last reply. memcached still answers some bad
/// noreply requests (a storage line it cannot parse gets ERROR for its data
/// line), so error lines may come first: they are taken here, never by the
/// call's own requests. VERSION ends it.
class SyncOperation final : public Operation {
 public:
  bool on_reply(const Reply& reply) override;
  bool takes_stray_errors() const override { return true; }
  /// Error lines taken, and the text of the last.
  std::size_t errors() const { return errors_; }
  const std::string& last_error() const { return last_error_; }

 private:
  std::size_t errors_ = 0;
  std::string last_error_;
};

/// `stats [args]`: STAT lines until END.
class StatsOperation final : public Operation {
 public:
  using Sink = InlineFunction<void(std::string_view name, std::string_view value)>;
  explicit StatsOperation(Sink sink) : sink_(sink) {}
  bool on_reply(const Reply& reply) override;

 private:
  Sink sink_;
};

}  // namespace memcache::detail::protocol

#endif  // MEMCACHE_SRC_PROTOCOL_OPERATIONS_HPP
