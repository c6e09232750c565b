// The pickle reader: CPython's pickle virtual machine for plain data only.
//
// Opcodes build a graph of nodes (indices into one vector) on a stack, with a
// memo as CPython's; shared references stay shared until the end, so a list
// appended to after it was referenced is read as Python reads it. STOP turns
// the graph into a PyValue tree, counting every node once per place it
// appears: memo bombs, cycles and deep nesting are refused there, within
// UnpickleLimits, before anything is copied. Nothing is ever imported or
// called: opcodes that would are refused, except the few global names CPython
// itself uses for plain data (set, frozenset, bytearray, bytes and
// collections.OrderedDict), which are recognised by name and built here.

#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <memcache/python.hpp>

#include "python/big_int.hpp"
#include "python/opcodes.hpp"
#include "python/py_value_access.hpp"
#include "python/raw_unicode_escape.hpp"
#include "python/utf8.hpp"

namespace memcache {

namespace {

using Type = PyValue::Type;

// What a node is: a PyValue type, or one of the plain-data callables a
// GLOBAL may name, waiting for its REDUCE.
enum class Kind : std::uint8_t {
  none,
  boolean,
  integer,
  floating,
  str,
  bytes,
  list,
  tuple,
  dict,
  set,
  frozenset,
  make_set,
  make_frozenset,
  make_bytearray,
  make_bytes,
  codecs_encode,
  make_ordered_dict,
};

bool is_callable(Kind k) { return k >= Kind::make_set; }

const char* callable_name(Kind k) {
  switch (k) {
    case Kind::make_set:
      return "builtins.set";
    case Kind::make_frozenset:
      return "builtins.frozenset";
    case Kind::make_bytearray:
      return "builtins.bytearray";
    case Kind::make_bytes:
      return "builtins.bytes";
    case Kind::codecs_encode:
      return "_codecs.encode";
    case Kind::make_ordered_dict:
      return "collections.OrderedDict";
    default:
      return "?";
  }
}

struct Node {
  Kind kind = Kind::none;
  bool big = false;  // an int held as decimal digits in text
  std::int64_t i = 0;
  double f = 0;
  std::string text;                  // str (UTF-8), bytes, big int digits
  std::vector<std::uint32_t> items;  // elements; a dict's keys and values alternate
  std::uint32_t uses = 0;            // places it appears in containers (or as the result)
  std::uint8_t state = 0;            // 1 while being converted (a cycle if met again)
};

constexpr std::uint32_t no_entry = std::numeric_limits<std::uint32_t>::max();

class Unpickler {
 public:
  Unpickler(std::string_view in, const UnpickleLimits& limits) : in_(in), limits_(limits) {
    // Real pickles spend several bytes per object; growing the vector as it
    // fills costs more than this guess when it is too large.
    nodes_.reserve(in.size() / 6 + 8);
  }

  PyValue load() {
    while (true) {
      if (pos_ >= in_.size()) {
        op_ = 0;
        op_at_ = pos_;
        fail("ends before STOP (truncated)");
      }
      op_at_ = pos_;
      op_ = static_cast<std::uint8_t>(in_[pos_++]);
      if (op_ == python::op::STOP) break;
      step();
    }
    const std::uint32_t top = pop();
    ++nodes_[top].uses;
    return convert(top, 0, false);
  }

 private:
  // -- errors ------------------------------------------------------------------

  [[noreturn]] void fail(std::string_view what) const {
    const char* name = python::op::name(op_);
    throw ValueError(fmt::format("bad pickle: {} {}(at offset {})", what,
                                 name ? fmt::format("in {} ", name) : std::string(), op_at_));
  }
  [[noreturn]] void refuse(std::string_view why) const {
    throw ValueError(
        fmt::format("pickle opcode {} (0x{:02x}) at offset {} refused: {}", python::op::name(op_), op_, op_at_, why));
  }
  [[noreturn]] void over_limit(std::string_view what) const {
    throw ValueError(fmt::format("pickle refused: {}", what));
  }

  // -- input -------------------------------------------------------------------

  std::string_view take(std::uint64_t n) {
    // A claimed length is checked against what is there before anything is allocated.
    if (n > in_.size() - pos_) fail(fmt::format("claims {} bytes where {} remain", n, in_.size() - pos_));
    std::string_view s = in_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  template <class Int>
  Int little_endian() {
    std::string_view s = take(sizeof(Int));
    std::uint64_t v = 0;
    for (std::size_t k = sizeof(Int); k-- > 0;) v = (v << 8) | static_cast<std::uint8_t>(s[k]);
    return static_cast<Int>(v);
  }
  std::string_view line() {
    const std::size_t end = in_.find('\n', pos_);
    if (end == std::string_view::npos) fail("line without a newline");
    std::string_view s = in_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }

  // -- nodes and the stack ---------------------------------------------------------

  std::uint32_t make(Kind k) {
    if (nodes_.size() >= no_entry - 1) over_limit("too many objects");
    nodes_.emplace_back();
    nodes_.back().kind = k;
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  void push(std::uint32_t n) { stack_.push_back(n); }
  std::uint32_t push_new(Kind k) {
    const std::uint32_t n = make(k);
    push(n);
    return n;
  }
  std::size_t base() const { return marks_.empty() ? 0 : marks_.back(); }
  std::uint32_t pop() {
    if (stack_.size() <= base()) fail("stack underflow");
    const std::uint32_t n = stack_.back();
    stack_.pop_back();
    return n;
  }
  std::uint32_t top() const {
    if (stack_.size() <= base()) fail("stack underflow");
    return stack_.back();
  }
  // Everything above the last MARK, which is removed.
  std::vector<std::uint32_t> pop_mark() {
    if (marks_.empty()) fail("no MARK");
    const std::size_t at = marks_.back();
    marks_.pop_back();
    std::vector<std::uint32_t> out(stack_.begin() + static_cast<std::ptrdiff_t>(at), stack_.end());
    stack_.resize(at);
    return out;
  }
  Node& node_of_kind(std::uint32_t n, Kind k, const char* what) {
    if (nodes_[n].kind != k) fail(fmt::format("{} applied to something that is not a {}", python::op::name(op_), what));
    return nodes_[n];
  }
  void add_items(std::uint32_t container, const std::vector<std::uint32_t>& items) {
    Node& c = nodes_[container];
    c.items.insert(c.items.end(), items.begin(), items.end());
    for (std::uint32_t n : items) ++nodes_[n].uses;
  }
  std::uint32_t make_container(Kind k, std::vector<std::uint32_t> items) {
    const std::uint32_t c = make(k);
    for (std::uint32_t n : items) ++nodes_[n].uses;
    nodes_[c].items = std::move(items);
    return c;
  }

  // -- values --------------------------------------------------------------------

  void push_int(std::int64_t v) { nodes_[push_new(Kind::integer)].i = v; }
  void push_decimal(std::string_view text) {
    const auto digits = python::canonical_decimal(text);
    if (!digits) fail("not an integer");
    push_canonical(*digits);
  }
  void push_canonical(const std::string& digits) {
    const PyValue v = PyValue::integer(digits);
    const std::uint32_t n = push_new(Kind::integer);
    if (v.fits_int64()) {
      nodes_[n].i = v.as_int();
    } else {
      nodes_[n].big = true;
      nodes_[n].text = digits;
    }
  }
  void push_long(std::string_view bytes) {
    if (bytes.size() > python::max_long_bytes) over_limit(fmt::format("an int of {} bytes", bytes.size()));
    if (bytes.size() <= 8) {
      std::uint64_t v = 0;
      for (std::size_t k = bytes.size(); k-- > 0;) v = (v << 8) | static_cast<std::uint8_t>(bytes[k]);
      if (!bytes.empty() && bytes.size() < 8 && (static_cast<std::uint8_t>(bytes.back()) & 0x80)) {
        v |= ~std::uint64_t(0) << (8 * bytes.size());  // sign extension
      }
      if (bytes.size() < 8 || (v >> 63) == 0 || (static_cast<std::uint8_t>(bytes.back()) & 0x80)) {
        push_int(static_cast<std::int64_t>(v));
        return;
      }
    }
    push_canonical(python::twos_complement_to_decimal(bytes));
  }
  void push_str(std::string_view utf8) {
    if (!python::is_utf8(utf8)) fail("str that is not UTF-8");
    nodes_[push_new(Kind::str)].text = std::string(utf8);
  }
  void push_bytes(std::string_view b) { nodes_[push_new(Kind::bytes)].text = std::string(b); }
  // Python 2's str (STRING, BINSTRING, SHORT_BINSTRING): Python 3 reads it as
  // str in ASCII, its default, and fails on anything else.
  void push_py2_str(std::string_view b) {
    for (char c : b) {
      if (static_cast<std::uint8_t>(c) >= 0x80) fail("Python 2 str with non-ASCII bytes");
    }
    push_str(b);
  }
  void push_float(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double d = 0;
    const auto res = std::from_chars(text.data(), text.data() + text.size(), d);
    if (text.empty() || res.ec != std::errc() || res.ptr != text.data() + text.size()) fail("not a float");
    nodes_[push_new(Kind::floating)].f = d;
  }
  // STRING's argument: a quoted Python 2 literal, backslash escapes decoded.
  void push_quoted(std::string_view s) {
    if (s.size() < 2 || (s.front() != '\'' && s.front() != '"') || s.back() != s.front()) {
      fail("STRING argument is not quoted");
    }
    s = s.substr(1, s.size() - 2);
    std::string out;
    for (std::size_t k = 0; k < s.size(); ++k) {
      if (s[k] != '\\' || k + 1 == s.size()) {
        out += s[k];
        continue;
      }
      const char e = s[++k];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'v':
          out += '\v';
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
          out += '\'';
          break;
        case '"':
          out += '"';
          break;
        case '\n':
          break;
        case 'x': {
          unsigned v = 0;
          if (s.size() - k < 3 || std::from_chars(s.data() + k + 1, s.data() + k + 3, v, 16).ptr != s.data() + k + 3) {
            fail("bad \\x escape");
          }
          out += static_cast<char>(v);
          k += 2;
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            unsigned v = 0;
            std::size_t n = 0;
            while (n < 3 && k + n < s.size() && s[k + n] >= '0' && s[k + n] <= '7') {
              v = v * 8 + static_cast<unsigned>(s[k + n] - '0');
              ++n;
            }
            out += static_cast<char>(v & 0xff);
            k += n - 1;
          } else {
            out += '\\';
            out += e;
          }
      }
    }
    push_py2_str(out);
  }

  // -- memo ----------------------------------------------------------------------

  void put(std::uint64_t index) {
    // Real pickles number their memo entries from 0, one PUT each: an index
    // beyond the input's length is a bomb, not a pickle.
    if (index >= in_.size()) fail(fmt::format("memo index {} out of range", index));
    if (index >= memo_.size()) memo_.resize(static_cast<std::size_t>(index) + 1, no_entry);
    if (memo_[index] == no_entry) ++memo_count_;
    memo_[index] = top();
  }
  void get(std::uint64_t index) {
    if (index >= memo_.size() || memo_[index] == no_entry) fail(fmt::format("memo key {} not found", index));
    push(memo_[index]);
  }
  std::uint64_t decimal_index(std::string_view s) {
    std::uint64_t v = 0;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size()) fail("bad memo index");
    return v;
  }

  // -- globals (plain data only) ------------------------------------------------------

  void push_global(std::string_view module, std::string_view name) {
    Kind k = Kind::none;
    if (module == "builtins" || module == "__builtin__") {
      if (name == "set") k = Kind::make_set;
      if (name == "frozenset") k = Kind::make_frozenset;
      if (name == "bytearray") k = Kind::make_bytearray;
      if (name == "bytes") k = Kind::make_bytes;
    } else if (module == "_codecs" && name == "encode") {
      k = Kind::codecs_encode;
    } else if (module == "collections" && name == "OrderedDict") {
      k = Kind::make_ordered_dict;
    }
    if (k == Kind::none) {
      std::string shown = fmt::format("{}.{}", module.substr(0, 100), name.substr(0, 100));
      for (char& c : shown) {
        if (static_cast<std::uint8_t>(c) < 0x20 || static_cast<std::uint8_t>(c) >= 0x7f) c = '?';
      }
      refuse(fmt::format("it imports {}; only plain data (no classes, no functions) is read", shown));
    }
    push_new(k);
  }

  // Latin-1 code points of a str, as bytes (what _codecs.encode(s, 'latin1') returns).
  std::string latin1(const Node& s) {
    std::string out;
    std::size_t p = 0;
    std::uint32_t cp = 0;
    while (p < s.text.size()) {
      if (!python::next_code_point(s.text, p, cp) || cp > 0xff) fail("_codecs.encode of a str beyond Latin-1");
      out += static_cast<char>(cp);
    }
    return out;
  }
  bool is_latin1_name(const Node& n) const {
    return n.kind == Kind::str && (n.text == "latin1" || n.text == "latin-1" || n.text == "latin_1");
  }

  void reduce() {
    const std::uint32_t args_at = pop();
    const std::uint32_t fn_at = pop();
    const Kind fn = nodes_[fn_at].kind;
    if (!is_callable(fn)) refuse("it calls an object that is not one of the plain-data types read here");
    if (nodes_[args_at].kind != Kind::tuple) fail("REDUCE arguments are not a tuple");
    const std::vector<std::uint32_t> args = nodes_[args_at].items;
    const auto kind_of = [&](std::size_t k) { return nodes_[args[k]].kind; };
    const auto bad = [&]() {
      fail(fmt::format("{} called with arguments it does not take from CPython", callable_name(fn)));
    };
    switch (fn) {
      case Kind::make_set:
      case Kind::make_frozenset: {
        std::vector<std::uint32_t> items;
        if (args.size() == 1) {
          const Kind a = kind_of(0);
          if (a != Kind::list && a != Kind::tuple && a != Kind::set && a != Kind::frozenset) bad();
          items = nodes_[args[0]].items;
        } else if (!args.empty()) {
          bad();
        }
        push(make_container(fn == Kind::make_set ? Kind::set : Kind::frozenset, std::move(items)));
        break;
      }
      case Kind::make_bytes:
        if (!args.empty()) bad();
        push_bytes({});
        break;
      case Kind::make_bytearray:
        if (args.empty()) {
          push_bytes({});
        } else if (args.size() == 1 && kind_of(0) == Kind::bytes) {
          push_bytes(std::string(nodes_[args[0]].text));
        } else if (args.size() == 2 && kind_of(0) == Kind::str && is_latin1_name(nodes_[args[1]])) {
          push_bytes(latin1(nodes_[args[0]]));
        } else {
          bad();
        }
        break;
      case Kind::codecs_encode:
        if (args.size() != 2 || kind_of(0) != Kind::str || !is_latin1_name(nodes_[args[1]])) bad();
        push_bytes(latin1(nodes_[args[0]]));
        break;
      case Kind::make_ordered_dict:
        if (!args.empty()) bad();
        push_new(Kind::dict);
        break;
      default:
        bad();
    }
  }

  // -- the machine -------------------------------------------------------------------

  void step() {
    using namespace python::op;
    switch (op_) {
      case PROTO: {
        const auto v = static_cast<std::uint8_t>(take(1)[0]);
        if (v > 5) fail(fmt::format("unsupported pickle protocol {}", v));
        break;
      }
      case FRAME:
        if (little_endian<std::uint64_t>() > in_.size() - pos_) fail("frame longer than the input");
        break;
      case MARK:
        marks_.push_back(stack_.size());
        break;
      case POP:
        if (stack_.size() > base()) {
          stack_.pop_back();
        } else {
          (void)pop_mark();
        }
        break;
      case POP_MARK:
        (void)pop_mark();
        break;
      case DUP:
        push(top());
        break;
      case NONE:
        push_new(Kind::none);
        break;
      case NEWTRUE:
      case NEWFALSE:
        nodes_[push_new(Kind::boolean)].i = op_ == NEWTRUE;
        break;
      case INT: {
        const std::string_view s = line();
        if (s == "01" || s == "00") {
          nodes_[push_new(Kind::boolean)].i = s == "01";
        } else {
          push_decimal(s);
        }
        break;
      }
      case LONG: {
        std::string_view s = line();
        if (!s.empty() && s.back() == 'L') s.remove_suffix(1);
        push_decimal(s);
        break;
      }
      case BININT:
        push_int(little_endian<std::int32_t>());
        break;
      case BININT1:
        push_int(little_endian<std::uint8_t>());
        break;
      case BININT2:
        push_int(little_endian<std::uint16_t>());
        break;
      case LONG1:
        push_long(take(little_endian<std::uint8_t>()));
        break;
      case LONG4: {
        const auto n = little_endian<std::int32_t>();
        if (n < 0) fail("negative length");
        push_long(take(static_cast<std::uint64_t>(n)));
        break;
      }
      case FLOAT:
        push_float(line());
        break;
      case BINFLOAT: {
        const std::string_view s = take(8);
        std::uint64_t bits = 0;
        for (char c : s) bits = (bits << 8) | static_cast<std::uint8_t>(c);  // big-endian
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        nodes_[push_new(Kind::floating)].f = d;
        break;
      }
      case STRING:
        push_quoted(line());
        break;
      case BINSTRING: {
        const auto n = little_endian<std::int32_t>();
        if (n < 0) fail("negative length");
        push_py2_str(take(static_cast<std::uint64_t>(n)));
        break;
      }
      case SHORT_BINSTRING:
        push_py2_str(take(little_endian<std::uint8_t>()));
        break;
      case UNICODE: {
        auto s = python::decode_raw_unicode_escape(line());
        if (!s) fail("bad raw-unicode-escape");
        nodes_[push_new(Kind::str)].text = std::move(*s);
        break;
      }
      case SHORT_BINUNICODE:
        push_str(take(little_endian<std::uint8_t>()));
        break;
      case BINUNICODE:
        push_str(take(little_endian<std::uint32_t>()));
        break;
      case BINUNICODE8:
        push_str(take(little_endian<std::uint64_t>()));
        break;
      case SHORT_BINBYTES:
        push_bytes(take(little_endian<std::uint8_t>()));
        break;
      case BINBYTES:
        push_bytes(take(little_endian<std::uint32_t>()));
        break;
      case BINBYTES8:
      case BYTEARRAY8:
        push_bytes(take(little_endian<std::uint64_t>()));
        break;
      case EMPTY_LIST:
        push_new(Kind::list);
        break;
      case EMPTY_DICT:
        push_new(Kind::dict);
        break;
      case EMPTY_SET:
        push_new(Kind::set);
        break;
      case EMPTY_TUPLE:
        push_new(Kind::tuple);
        break;
      case LIST:
        push(make_container(Kind::list, pop_mark()));
        break;
      case TUPLE:
        push(make_container(Kind::tuple, pop_mark()));
        break;
      case FROZENSET:
        push(make_container(Kind::frozenset, pop_mark()));
        break;
      case DICT: {
        std::vector<std::uint32_t> items = pop_mark();
        if (items.size() % 2) fail("odd number of items for a dict");
        push(make_container(Kind::dict, std::move(items)));
        break;
      }
      case TUPLE1:
      case TUPLE2:
      case TUPLE3: {
        const std::size_t n = op_ - TUPLE1 + 1u;
        if (stack_.size() < base() + n) fail("stack underflow");
        std::vector<std::uint32_t> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
        stack_.resize(stack_.size() - n);
        push(make_container(Kind::tuple, std::move(items)));
        break;
      }
      case APPEND: {
        const std::uint32_t v = pop();
        node_of_kind(top(), Kind::list, "list");
        add_items(top(), {v});
        break;
      }
      case APPENDS: {
        const std::vector<std::uint32_t> items = pop_mark();
        node_of_kind(top(), Kind::list, "list");
        add_items(top(), items);
        break;
      }
      case SETITEM: {
        const std::uint32_t v = pop();
        const std::uint32_t k = pop();
        node_of_kind(top(), Kind::dict, "dict");
        add_items(top(), {k, v});
        break;
      }
      case SETITEMS: {
        const std::vector<std::uint32_t> items = pop_mark();
        if (items.size() % 2) fail("odd number of items for a dict");
        node_of_kind(top(), Kind::dict, "dict");
        add_items(top(), items);
        break;
      }
      case ADDITEMS: {
        const std::vector<std::uint32_t> items = pop_mark();
        node_of_kind(top(), Kind::set, "set");
        add_items(top(), items);
        break;
      }
      case PUT:
        put(decimal_index(line()));
        break;
      case BINPUT:
        put(little_endian<std::uint8_t>());
        break;
      case LONG_BINPUT:
        put(little_endian<std::uint32_t>());
        break;
      case MEMOIZE:
        put(memo_count_);
        break;
      case GET:
        get(decimal_index(line()));
        break;
      case BINGET:
        get(little_endian<std::uint8_t>());
        break;
      case LONG_BINGET:
        get(little_endian<std::uint32_t>());
        break;
      case GLOBAL: {
        const std::string_view module = line();
        const std::string_view name = line();
        push_global(module, name);
        break;
      }
      case STACK_GLOBAL: {
        const std::uint32_t name = pop();
        const std::uint32_t module = pop();
        if (nodes_[name].kind != Kind::str || nodes_[module].kind != Kind::str) fail("STACK_GLOBAL of non-str names");
        push_global(nodes_[module].text, nodes_[name].text);
        break;
      }
      case REDUCE:
        reduce();
        break;
      case BUILD:
        refuse("it sets an object's state (BUILD runs __setstate__); only plain data is read");
      case INST:
      case OBJ:
      case NEWOBJ:
      case NEWOBJ_EX:
        refuse("it creates an instance of a class; only plain data is read");
      case EXT1:
      case EXT2:
      case EXT4:
        refuse("it imports a class through the copyreg extension registry; only plain data is read");
      case PERSID:
      case BINPERSID:
        refuse("persistent ids need the writer's persistent_load; only plain data is read");
      case NEXT_BUFFER:
      case READONLY_BUFFER:
        refuse("out-of-band buffers are not stored in memcached");
      default:
        fail(fmt::format("invalid opcode 0x{:02x}", op_));
    }
  }

  // -- the result ------------------------------------------------------------------

  // `shared`: an ancestor appears more than once, so this node will be
  // converted again and must not be moved from.
  PyValue convert(std::uint32_t at, std::size_t depth, bool shared) {
    if (depth > limits_.max_depth) over_limit(fmt::format("nested deeper than {} levels", limits_.max_depth));
    if (++elements_ > limits_.max_elements) {
      over_limit(fmt::format("more than {} values once shared references are expanded", limits_.max_elements));
    }
    Node& n = nodes_[at];
    if (n.state == 1) over_limit("a container holds itself (a recursive structure is not plain data)");
    bytes_ += n.text.size();
    if (bytes_ > limits_.max_bytes) {
      over_limit(fmt::format("more than {} bytes of text once shared references are expanded", limits_.max_bytes));
    }
    // A node that appears once is moved out; a shared one is copied each time.
    shared = shared || n.uses > 1;
    const bool once = !shared;
    auto text = [&]() { return once ? std::move(n.text) : n.text; };
    switch (n.kind) {
      case Kind::none:
        return PyValue();
      case Kind::boolean:
        return PyValue(n.i != 0);
      case Kind::integer:
        return n.big ? PyValue::integer(n.text) : PyValue(n.i);
      case Kind::floating:
        return PyValue(n.f);
      case Kind::str:
        return PyValue(text());
      case Kind::bytes:
        return PyValue::bytes(text());
      case Kind::list:
      case Kind::tuple:
      case Kind::set:
      case Kind::frozenset: {
        PyValue v = PyValueAccess::make(static_cast<Type>(n.kind));
        auto& out = PyValueAccess::elements(v);
        out.reserve(n.items.size());
        n.state = 1;
        const bool hashed = n.kind == Kind::set || n.kind == Kind::frozenset;
        for (std::size_t k = 0; k < nodes_[at].items.size(); ++k) {
          out.push_back(convert(nodes_[at].items[k], depth + 1, shared));
          if (hashed && !out.back().is_hashable()) unhashable(out.back());
        }
        nodes_[at].state = 0;
        if (hashed) PyValueAccess::dedupe(v);
        return v;
      }
      case Kind::dict: {
        PyValue v = PyValueAccess::make(Type::dict);
        auto& out = PyValueAccess::items(v);
        out.reserve(n.items.size() / 2);
        n.state = 1;
        for (std::size_t k = 0; k + 1 < nodes_[at].items.size(); k += 2) {
          PyValue key = convert(nodes_[at].items[k], depth + 1, shared);
          if (!key.is_hashable()) unhashable(key);
          out.emplace_back(std::move(key), convert(nodes_[at].items[k + 1], depth + 1, shared));
        }
        nodes_[at].state = 0;
        PyValueAccess::dedupe(v);
        return v;
      }
      default:
        over_limit(fmt::format("{} is named but never called (not plain data)", callable_name(n.kind)));
    }
  }
  [[noreturn]] void unhashable(const PyValue& v) const {
    throw ValueError(fmt::format("bad pickle: unhashable type '{}' as a dict key or set element", v.type_name()));
  }

  std::string_view in_;
  const UnpickleLimits& limits_;
  std::size_t pos_ = 0;
  std::size_t op_at_ = 0;
  std::uint8_t op_ = 0;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> stack_;
  std::vector<std::size_t> marks_;
  std::vector<std::uint32_t> memo_;
  std::uint64_t memo_count_ = 0;
  std::size_t elements_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace

PyValue unpickle(std::string_view pickle, const UnpickleLimits& limits) { return Unpickler(pickle, limits).load(); }

}  // namespace memcache
