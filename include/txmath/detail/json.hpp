#pragma once
// A small, strict JSON reader (RFC 8259) for Hugging Face config.json files and txmath's
// reference data. One header, no dependencies beyond the standard library.
//
//   auto cfg = txmath::json::parse_file("config.json");
//   txmath::count heads = cfg.at("text_config").at("num_attention_heads").as_count();
//   if (auto r = cfg.find("rope_scaling"); r && !r->is_null()) ...
//
// Strictness and choices, all deliberate:
// - Exactly one JSON value, surrounded by optional whitespace (space, tab, CR, LF). A single
//   leading UTF-8 byte order mark is skipped. No comments, no trailing commas, no single
//   quotes, no leading zeros, no '+' signs, no hex numbers.
// - `NaN`, `Infinity` and `-Infinity` (which Python's json.dump writes) are errors unless
//   parse_options::allow_nan_and_infinity is set; then they are numbers.
// - Duplicate keys in an object are an error naming the key. Objects keep insertion order.
// - Strings must be valid UTF-8 (RFC 3629: no overlong forms, no encoded surrogates, nothing
//   above U+10FFFF); invalid bytes are rejected, never passed through. Raw control
//   characters (below U+0020) must be escaped. \u escapes decode to UTF-8; a surrogate
//   pair decodes to one code point; a lone surrogate is an error. \u0000 gives a NUL byte.
// - Numbers keep their exact text. as_double() rounds it to the nearest double, ties to even,
//   in portable code (detail/decimal_to_double.hpp: no floating std::from_chars, which
//   libc++ lacks, and no locale); past the range of double is an error, below half the
//   smallest subnormal gives a signed zero. The exact integer accessors accept any
//   number whose exact decimal value is an integer: `128`, `128.0`, `1.28e2` and `1e3` all
//   read as integers (Python writes 1e3 or 128.0 for values that are integers), `1.5` or
//   `1e-3` do not. Out of range is an error; nothing is rounded.
// - Nesting deeper than parse_options::max_depth (512) arrays/objects is an error; the
//   parser does not recurse, so no input can exhaust the stack. Inputs of 4 GiB or more are
//   rejected.
// - Positions are 1-based: line = count of LF before it + 1; column counts Unicode code
//   points (a tab counts 1) from the start of the line.
//
// Errors are txmath::invalid_argument. A syntax error reads
//   txmath: config.json:3:17: expected ',' or '}' after an object member, found '"'
// and an accessor on a value reads
//   txmath: config.json:5:30: text_config.num_attention_heads: expected an integer, found
//   the string "32"
// so that a caller's own checks (value::fail) read the same way. Without exceptions they go
// to txmath's error handler (core/error.hpp) with the same text.
//
// A json::value is a cheap handle (a shared pointer to the parsed document and an index):
// copies are cheap, and any handle keeps the whole document alive, so values never dangle.
// Views returned by as_string_view() and member keys live as long as some handle does.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <txmath/config.hpp>
#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/detail/decimal_to_double.hpp>

namespace txmath::json {

enum class kind : unsigned char { null, boolean, number, string, array, object };

// "null", "boolean", "number", "string", "array", "object".
constexpr std::string_view kind_name(kind k) {
  switch (k) {
    case kind::null: return "null";
    case kind::boolean: return "boolean";
    case kind::number: return "number";
    case kind::string: return "string";
    case kind::array: return "array";
    case kind::object: return "object";
  }
  return "?";
}

struct parse_options {
  // Names the input in messages: usually the file path.
  std::string_view source = "<json>";
  // Accept NaN, Infinity and -Infinity as numbers (Python's json.dump writes them).
  bool allow_nan_and_infinity = false;
  // Most arrays/objects open at once; deeper nesting is an error.
  std::uint32_t max_depth = 512;
};

}  // namespace txmath::json

namespace txmath::detail::json {

using txmath::json::kind;
inline constexpr std::uint32_t npos = 0xffffffffu;

struct node {
  kind type = kind::null;
  bool flag = false;                // the boolean's value
  std::uint32_t parent = npos;      // index of the containing array/object, npos for the root
  std::uint32_t a = 0, b = 0;       // string/number: pool offset and length;
                                    // array/object: first slot in `children` and count
  std::uint32_t key_off = 0;        // in an object: the key's pool offset; in an array: index
  std::uint32_t key_len = 0;
  std::uint32_t line = 0, column = 0;          // where the value starts
  std::uint32_t key_line = 0, key_column = 0;  // where its key starts (objects)
};

struct document {
  std::string source;
  std::string pool;                     // decoded strings, keys and number texts
  std::vector<node> nodes;              // nodes[0] is the root
  std::vector<std::uint32_t> children;  // each container's children, contiguous

  std::string_view text(std::uint32_t off, std::uint32_t len) const {
    return std::string_view(pool).substr(off, len);
  }
  std::string_view key(const node& n) const { return text(n.key_off, n.key_len); }
};

inline bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

// JSON string literal of `s`, cut to about `limit` bytes (at a UTF-8 boundary) with "...".
inline std::string quote(std::string_view s, std::size_t limit = 48) {
  std::string out = "\"";
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    if (out.size() >= limit) {
      while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) out += s[i++];
      break;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (i < s.size()) out += "...";
  out += '"';
  return out;
}

inline std::string hex_byte(unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  return std::string("0x") + hex[c >> 4] + hex[c & 15];
}

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid (RFC 3629).
inline std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u;
  };
  const unsigned c = at(0);
  const auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    const unsigned b = at(k);
    return b >= lo && b <= hi;
  };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The exact value of a JSON number's text when it is an integer.
struct exact_integer {
  enum status { ok, not_integer, too_large };
  status st = ok;
  bool negative = false;
  u128 magnitude = 0;
};

// `text` is a JSON number as the parser accepted it (or NaN/Infinity/-Infinity).
inline exact_integer to_exact_integer(std::string_view text) {
  exact_integer r;
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') {
    r.negative = true;
    ++i;
  }
  if (i >= text.size() || text[i] < '0' || text[i] > '9') {  // NaN, Infinity
    r.st = exact_integer::not_integer;
    return r;
  }
  std::string_view int_part, frac_part;
  std::size_t s = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  int_part = text.substr(s, i - s);
  if (i < text.size() && text[i] == '.') {
    s = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    frac_part = text.substr(s, i - s);
  }
  std::int64_t exp = 0;  // saturates far beyond any meaningful exponent
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) eneg = text[i++] == '-';
    for (; i < text.size(); ++i)
      if (exp < 1000000000) exp = exp * 10 + (text[i] - '0');
    if (eneg) exp = -exp;
  }
  // Significant digits: int_part + frac_part without leading zeros and trailing zeros.
  std::string digits;
  digits.reserve(int_part.size() + frac_part.size());
  for (char c : int_part)
    if (!(digits.empty() && c == '0')) digits += c;
  for (char c : frac_part)
    if (!(digits.empty() && c == '0')) digits += c;
  // (leading zeros of the fraction do not change the scale: it is set by frac_part.size())
  exp -= static_cast<std::int64_t>(frac_part.size());
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exp;
  }
  if (digits.empty()) return r;  // zero, of any form: 0, -0.0, 0e99
  if (exp < 0) {
    r.st = exact_integer::not_integer;
    return r;
  }
  if (static_cast<std::int64_t>(digits.size()) + exp > 39) {
    r.st = exact_integer::too_large;
    return r;
  }
  u128 m = 0;
  for (char c : digits)
    if (__builtin_mul_overflow(m, u128{10}, &m) || __builtin_add_overflow(m, u128(c - '0'), &m)) {
      r.st = exact_integer::too_large;
      return r;
    }
  for (std::int64_t k = 0; k < exp; ++k)
    if (__builtin_mul_overflow(m, u128{10}, &m)) {
      r.st = exact_integer::too_large;
      return r;
    }
  r.magnitude = m;
  return r;
}

class parser;

}  // namespace txmath::detail::json

namespace txmath::json {

class value;
struct member;
class element_range;
class member_range;

value parse(std::string_view text, const parse_options& options = {});

// A handle on one value of a parsed document. Default-constructed: a null that belongs to
// no document.
class value {
 public:
  value() = default;

  kind type() const { return doc_ ? node().type : kind::null; }
  bool is_null() const { return type() == kind::null; }
  bool is_bool() const { return type() == kind::boolean; }
  bool is_number() const { return type() == kind::number; }
  bool is_string() const { return type() == kind::string; }
  bool is_array() const { return type() == kind::array; }
  bool is_object() const { return type() == kind::object; }
  // A number whose exact value is an integer (see the header comment).
  bool is_integer() const {
    return is_number() && detail::json::to_exact_integer(raw_text()).st == detail::json::exact_integer::ok;
  }

  bool as_bool() const {
    expect(kind::boolean, "a boolean");
    return node().flag;
  }
  // The decoded UTF-8 text. as_string_view() avoids the copy; its view lives as long as any
  // handle on the document.
  std::string as_string() const { return std::string(as_string_view()); }
  std::string_view as_string_view() const {
    expect(kind::string, "a string");
    return raw_text();
  }
  // A number's text exactly as written, e.g. "1e3" or "-0.5".
  std::string number_text() const {
    expect(kind::number, "a number");
    return std::string(raw_text());
  }
  // The number rounded to the nearest double. NaN and infinities only with
  // allow_nan_and_infinity; a finite number beyond the range of double is an error.
  double as_double() const {
    expect(kind::number, "a number");
    const std::string_view t = raw_text();
    if (t == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (t == "Infinity") return std::numeric_limits<double>::infinity();
    if (t == "-Infinity") return -std::numeric_limits<double>::infinity();
    const auto r = detail::decimal_to_double(t);
    if (r.status == detail::decimal_to_double_result::overflow)
      fail("the number " + std::string(t) + " is out of the range of a double");
    if (r.status != detail::decimal_to_double_result::ok)
      fail("cannot read the number " + std::string(t));  // unreachable for parsed numbers
    return r.value;
  }
  // Exact integers. A number written with a fraction or exponent is accepted when its exact
  // value is an integer (128.0, 1e3); anything else, or out of range, is an error.
  count as_count() const {
    const auto r = integer("a non-negative integer");
    if (r.negative && r.magnitude != 0)
      fail("expected a non-negative integer, found " + describe());
    return count::from_rep(r.magnitude);
  }
  std::int64_t as_int64() const {
    const auto r = integer("an integer");
    const detail::u128 limit = static_cast<detail::u128>(std::numeric_limits<std::int64_t>::max()) + (r.negative ? 1 : 0);
    if (r.magnitude > limit) fail("expected an integer that fits 64 bits, found " + describe());
    return r.negative ? static_cast<std::int64_t>(detail::u128{0} - r.magnitude) : static_cast<std::int64_t>(r.magnitude);
  }
  std::uint64_t as_uint64() const {
    const count c = as_count();
    if (c.rep_value() > std::numeric_limits<std::uint64_t>::max())
      fail("expected an integer that fits 64 bits, found " + describe());
    return static_cast<std::uint64_t>(c.rep_value());
  }

  // Arrays and objects: number of elements or members.
  std::size_t size() const {
    if (!is_array() && !is_object()) fail("expected an array or an object, found " + describe());
    return node().b;
  }
  // Array element `i`.
  value at(std::size_t i) const {
    expect(kind::array, "an array");
    if (i >= node().b)
      fail("index " + std::to_string(i) + " is out of range: the array has " +
           std::to_string(node().b) + " element" + (node().b == 1 ? "" : "s"));
    return child(node().a + static_cast<std::uint32_t>(i));
  }
  value operator[](std::size_t i) const { return at(i); }
  // Object member `key`; an error naming the key and the object when it is missing.
  value at(std::string_view key) const {
    if (auto v = find(key)) return *v;
    fail("missing field " + detail::json::quote(key) + " in " + (is_root() ? "the top-level object" : "this object"));
  }
  value operator[](std::string_view key) const { return at(key); }
  // Object member `key`, or nullopt when the object has none (a member whose value is null
  // is found: test is_null()). An error if this is not an object.
  std::optional<value> find(std::string_view key) const {
    expect(kind::object, "an object");
    const auto& n = node();
    for (std::uint32_t k = 0; k < n.b; ++k) {
      const std::uint32_t id = doc_->children[n.a + k];
      if (doc_->key(doc_->nodes[id]) == key) return value(doc_, id);
    }
    return std::nullopt;
  }
  bool contains(std::string_view key) const { return find(key).has_value(); }

  // for (json::value v : arr.elements()) ...; an error if this is not an array.
  element_range elements() const;
  // for (auto [key, v] : obj.members()) ...; in document order; an error if not an object.
  member_range members() const;

  // Where the value is: its JSON path ("text_config.num_attention_heads", "models[3].name",
  // `sizes["᭘"]`; "(top level)" for the root), the source name given to parse, and the
  // 1-based line and column where it starts (0 for a default-constructed value).
  std::string path() const {
    if (!doc_ || is_root()) return "(top level)";
    std::vector<std::uint32_t> chain;
    for (std::uint32_t id = id_; doc_->nodes[id].parent != detail::json::npos; id = doc_->nodes[id].parent)
      chain.push_back(id);
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      const auto& n = doc_->nodes[*it];
      if (doc_->nodes[n.parent].type == kind::array) {
        // (Appended piecewise: GCC 12 -O3 warns -Wrestrict on "[" + std::string, bug 105329.)
        out += '[';
        out += std::to_string(n.key_off);
        out += ']';
      } else {
        const std::string_view k = doc_->key(n);
        if (detail::json::is_identifier(k)) {
          if (!out.empty()) out += '.';
          out += k;
        } else {
          out += '[';
          out += detail::json::quote(k, std::numeric_limits<std::size_t>::max());
          out += ']';
        }
      }
    }
    return out;
  }
  std::string_view source() const { return doc_ ? std::string_view(doc_->source) : std::string_view{}; }
  std::uint32_t line() const { return doc_ ? node().line : 0; }
  std::uint32_t column() const { return doc_ ? node().column : 0; }
  // "config.json:5:30: text_config.num_attention_heads", the prefix of every accessor error.
  std::string where() const {
    if (!doc_) return "(no document)";
    return std::string(source()) + ":" + std::to_string(line()) + ":" + std::to_string(column()) + ": " + path();
  }
  // Throws txmath::invalid_argument("txmath: " + where() + ": " + what): for the caller's
  // own checks, e.g. v.fail("must be positive").
  [[noreturn]] void fail(std::string_view what) const {
    txmath::detail::raise<txmath::invalid_argument>("txmath: " + where() + ": " + std::string(what));
  }
  // A short description for messages: `the number 1.5`, `the string "abc"`, `an array of 3
  // elements`, `null`.
  std::string describe() const {
    switch (type()) {
      case kind::null: return "null";
      case kind::boolean: return node().flag ? "the boolean true" : "the boolean false";
      case kind::number: return "the number " + std::string(raw_text().substr(0, 40)) + (raw_text().size() > 40 ? "..." : "");
      case kind::string: return "the string " + detail::json::quote(raw_text());
      case kind::array: return "an array of " + std::to_string(node().b) + " element" + (node().b == 1 ? "" : "s");
      case kind::object: return "an object of " + std::to_string(node().b) + " member" + (node().b == 1 ? "" : "s");
    }
    return "?";
  }

 private:
  friend class detail::json::parser;
  friend class element_range;
  friend class member_range;
  friend value parse(std::string_view, const parse_options&);

  value(std::shared_ptr<const detail::json::document> d, std::uint32_t id) : doc_(std::move(d)), id_(id) {}

  const detail::json::node& node() const { return doc_->nodes[id_]; }
  bool is_root() const { return !doc_ || node().parent == detail::json::npos; }
  std::string_view raw_text() const { return doc_->text(node().a, node().b); }
  value child(std::uint32_t slot) const { return value(doc_, doc_->children[slot]); }

  void expect(kind k, std::string_view what) const {
    if (type() != k) fail("expected " + std::string(what) + ", found " + describe());
  }
  detail::json::exact_integer integer(std::string_view what) const {
    if (!is_number()) fail("expected " + std::string(what) + ", found " + describe());
    const auto r = detail::json::to_exact_integer(raw_text());
    if (r.st == detail::json::exact_integer::not_integer)
      fail("expected " + std::string(what) + ", found " + describe());
    if (r.st == detail::json::exact_integer::too_large)
      fail("expected " + std::string(what) + " below 2^128, found " + describe());
    return r;
  }

  std::shared_ptr<const detail::json::document> doc_;
  std::uint32_t id_ = 0;
};

struct member {
  std::string_view key;
  value val;
};

class element_range {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = value;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value;
    iterator() = default;
    value operator*() const { return value(doc_, doc_->children[slot_]); }
    iterator& operator++() { ++slot_; return *this; }
    iterator operator++(int) { auto t = *this; ++slot_; return t; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.slot_ == b.slot_; }

   private:
    friend class element_range;
    // Holds the document, like a value: an iterator never dangles.
    iterator(std::shared_ptr<const detail::json::document> d, std::uint32_t s) : doc_(std::move(d)), slot_(s) {}
    std::shared_ptr<const detail::json::document> doc_;
    std::uint32_t slot_ = 0;
  };
  iterator begin() const { return iterator(array_.doc_, array_.node().a); }
  iterator end() const { return iterator(array_.doc_, array_.node().a + array_.node().b); }
  std::size_t size() const { return array_.node().b; }

 private:
  friend class value;
  explicit element_range(value a) : array_(std::move(a)) {}
  value array_;
};

class member_range {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = member;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = member;
    iterator() = default;
    member operator*() const {
      const value v(doc_, doc_->children[slot_]);
      return member{doc_->key(v.node()), v};
    }
    iterator& operator++() { ++slot_; return *this; }
    iterator operator++(int) { auto t = *this; ++slot_; return t; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.slot_ == b.slot_; }

   private:
    friend class member_range;
    // Holds the document, like a value: an iterator never dangles.
    iterator(std::shared_ptr<const detail::json::document> d, std::uint32_t s) : doc_(std::move(d)), slot_(s) {}
    std::shared_ptr<const detail::json::document> doc_;
    std::uint32_t slot_ = 0;
  };
  iterator begin() const { return iterator(object_.doc_, object_.node().a); }
  iterator end() const { return iterator(object_.doc_, object_.node().a + object_.node().b); }
  std::size_t size() const { return object_.node().b; }

 private:
  friend class value;
  explicit member_range(value o) : object_(std::move(o)) {}
  value object_;
};

inline element_range value::elements() const {
  expect(kind::array, "an array");
  return element_range(*this);
}
inline member_range value::members() const {
  expect(kind::object, "an object");
  return member_range(*this);
}

}  // namespace txmath::json

namespace txmath::detail::json {

class parser {
 public:
  parser(std::string_view in, const txmath::json::parse_options& opt, document& doc)
      : in_(in), opt_(opt), doc_(doc) {}

  void run() {
    if (in_.size() >= 0xffffffffu) fail_at(0, "the input is 4 GiB or larger, which is not supported");
    if (in_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = cache_pos_ = 3;
    doc_.pool.reserve(in_.size() / 2);
    doc_.nodes.reserve(in_.size() / 8 + 1);
    parse_document();
  }

 private:
  struct frame {
    std::uint32_t node;
    std::uint32_t scratch_start;
    std::unique_ptr<std::unordered_map<std::string, std::uint32_t>> keys;  // big objects
  };

  // ---- positions and errors -----------------------------------------------------------
  std::uint32_t column_at(std::size_t p) {
    if (cache_pos_ < line_start_ || cache_pos_ > p) {
      cache_pos_ = line_start_;
      cache_col_ = 1;
    }
    for (; cache_pos_ < p; ++cache_pos_)
      if ((static_cast<unsigned char>(in_[cache_pos_]) & 0xC0) != 0x80) ++cache_col_;
    return cache_col_;
  }
  // Positions in messages are always on the current line (no token spans a newline).
  [[noreturn]] void fail_at(std::size_t p, const std::string& what) {
    const std::uint32_t col = p < line_start_ ? 1 : column_at(p);
    txmath::detail::raise<txmath::invalid_argument>("txmath: " + std::string(opt_.source) + ":" + std::to_string(line_) + ":" +
                                   std::to_string(col) + ": " + what);
  }
  [[noreturn]] void fail(const std::string& what) { fail_at(pos_, what); }

  std::string found(std::size_t p) const {
    if (p >= in_.size()) return "end of input";
    const unsigned char c = static_cast<unsigned char>(in_[p]);
    if (c == '\n') return "a newline";
    if (c == '\r') return "a carriage return";
    if (c == '\t') return "a tab";
    if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
    if (c >= 0x80) {
      if (const std::size_t n = utf8_length(in_, p)) return "'" + std::string(in_.substr(p, n)) + "'";
      return "the byte " + hex_byte(c) + ", which is not valid UTF-8";
    }
    return "the control byte " + hex_byte(c);
  }
  std::string found() const { return found(pos_); }

  void skip_ws() {
    while (pos_ < in_.size()) {
      const char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = pos_;
      } else {
        break;
      }
    }
  }
  bool at(char c) const { return pos_ < in_.size() && in_[pos_] == c; }

  // ---- nodes --------------------------------------------------------------------------
  std::uint32_t new_node(kind k) {
    node n;
    n.type = k;
    n.line = line_;
    n.column = column_at(pos_);
    if (!stack_.empty()) {
      const frame& f = stack_.back();
      n.parent = f.node;
      if (doc_.nodes[f.node].type == kind::object) {
        n.key_off = pending_key_off_;
        n.key_len = pending_key_len_;
        n.key_line = pending_key_line_;
        n.key_column = pending_key_column_;
      } else {
        n.key_off = static_cast<std::uint32_t>(scratch_.size() - f.scratch_start);
      }
      scratch_.push_back(static_cast<std::uint32_t>(doc_.nodes.size()));
    }
    doc_.nodes.push_back(n);
    return static_cast<std::uint32_t>(doc_.nodes.size() - 1);
  }

  // ---- the grammar, without recursion -------------------------------------------------
  void parse_document() {
    skip_ws();
    for (;;) {
      // A value starts here.
      skip_ws();
      const bool opened = parse_value_start();
      if (opened) {
        // Just opened a container: is it empty?
        skip_ws();
        const bool object = doc_.nodes[stack_.back().node].type == kind::object;
        if (at(object ? '}' : ']')) {
          ++pos_;
          close_container();
        } else {
          if (object) parse_key(false);
          continue;
        }
      }
      // A value ended: continue in its container, or finish.
      for (;;) {
        if (stack_.empty()) {
          skip_ws();
          if (pos_ < in_.size())
            fail("expected the end of input after the top-level value, found " + found());
          return;
        }
        skip_ws();
        const bool object = doc_.nodes[stack_.back().node].type == kind::object;
        if (at(',')) {
          ++pos_;
          skip_ws();
          if (object) {
            parse_key(true);
          } else if (at(']')) {
            fail("expected a value after ',', found ']' (JSON does not allow a trailing comma)");
          }
          break;  // parse the next value
        }
        if (at(object ? '}' : ']')) {
          ++pos_;
          close_container();
          continue;
        }
        fail(std::string("expected ',' or '") + (object ? "}' after an object member" : "]' after an array element") +
             ", found " + found());
      }
    }
  }

  // Parses a scalar (returns false) or opens a container (returns true).
  bool parse_value_start() {
    if (pos_ >= in_.size()) fail("expected a value, found end of input");
    const char c = in_[pos_];
    switch (c) {
      case '{':
      case '[': {
        if (stack_.size() >= opt_.max_depth)
          fail("nesting deeper than " + std::to_string(opt_.max_depth) + " arrays and objects");
        const std::uint32_t id = new_node(c == '{' ? kind::object : kind::array);
        stack_.push_back(frame{id, static_cast<std::uint32_t>(scratch_.size()), nullptr});
        ++pos_;
        return true;
      }
      case '"': {
        const std::uint32_t id = new_node(kind::string);
        const auto [off, len] = parse_string("a string");
        doc_.nodes[id].a = off;
        doc_.nodes[id].b = len;
        return false;
      }
      case 't': literal("true", kind::boolean, true); return false;
      case 'f': literal("false", kind::boolean, false); return false;
      case 'n': literal("null", kind::null, false); return false;
      default:
        if (c == '-' || (c >= '0' && c <= '9') || c == 'N' || c == 'I') {
          parse_number();
          return false;
        }
        fail_expected_value();
    }
  }
  [[noreturn]] void fail_expected_value() {
    fail("expected a value (object, array, string, number, true, false or null), found " + quote_word(pos_));
  }

  void literal(std::string_view word, kind k, bool flag) {
    if (in_.substr(pos_, word.size()) != word || word_continues(pos_ + word.size()))
      fail_at(pos_, "expected a value, found " + quote_word(pos_) + " (did you mean " + std::string(word) + "?)");
    const std::uint32_t id = new_node(k);
    doc_.nodes[id].flag = flag;
    pos_ += word.size();
  }
  bool word_continues(std::size_t p) const {
    if (p >= in_.size()) return false;
    const char c = in_[p];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  std::string quote_word(std::size_t p) const {
    std::size_t e = p;
    while (e < in_.size() && e - p < 32 && word_continues(e)) ++e;
    if (e == p) return found(p);
    std::string w(1, '\'');  // piecewise: GCC 12 -O3 warns -Wrestrict on "'" + std::string
    w += in_.substr(p, e - p);
    w += '\'';
    return w;
  }

  void parse_number() {
    const std::size_t start = pos_;
    const auto digit = [&] { return pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9'; };
    if (at('-')) ++pos_;
    // NaN, Infinity, -Infinity: Python's extension.
    for (std::string_view w : {std::string_view("NaN"), std::string_view("Infinity")}) {
      if (in_.substr(pos_, w.size()) == w && !word_continues(pos_ + w.size()) && !(w == "NaN" && pos_ != start)) {
        if (!opt_.allow_nan_and_infinity)
          fail_at(start, std::string(in_.substr(start, pos_ + w.size() - start)) +
                             " is not valid JSON (Python's json.dump writes it; set "
                             "parse_options::allow_nan_and_infinity to accept it)");
        pos_ += w.size();
        return store_number(start);
      }
    }
    if (!digit()) {
      if (pos_ == start) fail_expected_value();
      fail("expected a digit after '-', found " + found());
    }
    if (in_[pos_] == '0') {
      ++pos_;
      if (digit()) fail_at(start, "a number cannot have leading zeros");
    } else {
      while (digit()) ++pos_;
    }
    if (at('.')) {
      ++pos_;
      if (!digit()) fail("expected a digit after the decimal point, found " + found());
      while (digit()) ++pos_;
    }
    if (at('e') || at('E')) {
      ++pos_;
      if (at('+') || at('-')) ++pos_;
      if (!digit()) fail("expected a digit in the exponent, found " + found());
      while (digit()) ++pos_;
    }
    store_number(start);
  }
  void store_number(std::size_t start) {
    const std::size_t end = pos_;
    pos_ = start;  // the node's column is the number's start
    const std::uint32_t id = new_node(kind::number);
    pos_ = end;
    doc_.nodes[id].a = static_cast<std::uint32_t>(doc_.pool.size());
    doc_.nodes[id].b = static_cast<std::uint32_t>(end - start);
    doc_.pool.append(in_.substr(start, end - start));
  }

  // Decodes the string at pos_ (on '"') into the pool; returns its offset and length.
  std::pair<std::uint32_t, std::uint32_t> parse_string(const char* what) {
    const std::size_t start = pos_;
    std::string& out = doc_.pool;
    const auto off = static_cast<std::uint32_t>(out.size());
    ++pos_;
    for (;;) {
      const std::size_t run = pos_;
      while (pos_ < in_.size()) {
        const unsigned char c = static_cast<unsigned char>(in_[pos_]);
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
        ++pos_;
      }
      out.append(in_.data() + run, pos_ - run);
      if (pos_ >= in_.size())
        fail("unterminated string: end of input before the closing '\"' of " + std::string(what) +
             " that starts at column " + std::to_string(column_at(start)));
      const unsigned char c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') {
        ++pos_;
        return {off, static_cast<std::uint32_t>(out.size() - off)};
      }
      if (c == '\\') {
        parse_escape(out);
      } else if (c >= 0x80) {
        const std::size_t n = utf8_length(in_, pos_);
        if (n == 0) fail("invalid UTF-8 in a string: the byte " + hex_byte(c) + " cannot start or end here");
        out.append(in_.data() + pos_, n);
        pos_ += n;
      } else if (c == '\n') {
        fail("a newline inside a string: the string that starts at column " + std::to_string(column_at(start)) +
             " is unterminated (a newline in a string must be written \\n)");
      } else {
        const char* named = c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : nullptr;
        fail("a raw control character (" + hex_byte(c) + ") inside a string: write it as " +
             (named ? std::string(named) : "\\u00" + hex_byte(c).substr(2)));
      }
    }
  }

  void parse_escape(std::string& out) {
    const std::size_t start = pos_;  // on the backslash
    ++pos_;
    if (pos_ >= in_.size()) fail_at(start, "unterminated string: end of input after '\\'");
    const char e = in_[pos_];
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        ++pos_;
        std::uint32_t cp = hex4(start);
        if (cp >= 0xDC00 && cp <= 0xDFFF)
          fail_at(start, "a lone low surrogate \\u" + std::string(in_.substr(start + 2, 4)) +
                             " in a string (it must follow a high surrogate \\uD800-\\uDBFF)");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          const std::size_t second = pos_;
          if (in_.substr(pos_, 2) != "\\u")
            fail_at(start, "a lone high surrogate \\u" + std::string(in_.substr(start + 2, 4)) +
                               " in a string (it must be followed by a low surrogate \\uDC00-\\uDFFF)");
          pos_ += 2;
          const std::uint32_t lo = hex4(second);
          if (lo < 0xDC00 || lo > 0xDFFF)
            fail_at(start, "a lone high surrogate \\u" + std::string(in_.substr(start + 2, 4)) +
                               " in a string (it must be followed by a low surrogate \\uDC00-\\uDFFF, not \\u" +
                               std::string(in_.substr(second + 2, 4)) + ")");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        append_utf8(out, cp);
        return;  // hex4 moved pos_ past the digits
      }
      default:
        fail_at(start, "invalid escape '\\" + (static_cast<unsigned char>(e) >= 0x20 && static_cast<unsigned char>(e) < 0x7f ? std::string(1, e) : hex_byte(static_cast<unsigned char>(e))) +
                           "' in a string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
    }
    ++pos_;
  }
  // Four hex digits at pos_; `start` is the escape's backslash, for messages.
  std::uint32_t hex4(std::size_t start) {
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k, ++pos_) {
      if (pos_ >= in_.size()) fail_at(start, "unterminated string: end of input inside a \\u escape");
      const char c = in_[pos_];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) fail("expected 4 hex digits after \\u, found " + found());
      v = v * 16 + static_cast<std::uint32_t>(d);
    }
    return v;
  }

  // At a key (pos_ after whitespace); `after_comma` only changes the message.
  void parse_key(bool after_comma) {
    if (!at('"')) {
      if (after_comma && at('}'))
        fail("expected a string key after ',', found '}' (JSON does not allow a trailing comma)");
      fail(std::string("expected a string key") + (after_comma ? " after ','" : " or '}'") + ", found " + found());
    }
    pending_key_line_ = line_;
    pending_key_column_ = column_at(pos_);
    const std::size_t key_pos = pos_;
    const auto [off, len] = parse_string("a key");
    pending_key_off_ = off;
    pending_key_len_ = len;
    check_duplicate(key_pos);
    skip_ws();
    if (!at(':')) fail("expected ':' after the key " + quote(doc_.text(off, len)) + ", found " + found());
    ++pos_;
  }

  void check_duplicate(std::size_t key_pos) {
    frame& f = stack_.back();
    const std::string_view k = doc_.text(pending_key_off_, pending_key_len_);
    const std::size_t n = scratch_.size() - f.scratch_start;
    const node* first = nullptr;
    constexpr std::size_t small = 16;
    if (n < small) {
      for (std::size_t i = f.scratch_start; i < scratch_.size() && !first; ++i)
        if (doc_.key(doc_.nodes[scratch_[i]]) == k) first = &doc_.nodes[scratch_[i]];
    } else {
      if (!f.keys) {
        f.keys = std::make_unique<std::unordered_map<std::string, std::uint32_t>>();
        for (std::size_t i = f.scratch_start; i < scratch_.size(); ++i)
          f.keys->emplace(std::string(doc_.key(doc_.nodes[scratch_[i]])), scratch_[i]);
      }
      // The value node of this key will be nodes.size(), created next.
      const auto [it, inserted] = f.keys->emplace(std::string(k), static_cast<std::uint32_t>(doc_.nodes.size()));
      if (!inserted) first = &doc_.nodes[it->second];
    }
    if (first)
      fail_at(key_pos, "duplicate key " + quote(k) + " (first at line " + std::to_string(first->key_line) +
                           ", column " + std::to_string(first->key_column) + ")");
  }

  void close_container() {
    frame& f = stack_.back();
    node& n = doc_.nodes[f.node];
    n.a = static_cast<std::uint32_t>(doc_.children.size());
    n.b = static_cast<std::uint32_t>(scratch_.size() - f.scratch_start);
    doc_.children.insert(doc_.children.end(), scratch_.begin() + f.scratch_start, scratch_.end());
    scratch_.resize(f.scratch_start);
    stack_.pop_back();
  }

  std::string_view in_;
  const txmath::json::parse_options& opt_;
  document& doc_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;
  std::size_t cache_pos_ = 0;  // column_at's memo: the column of cache_pos_ is cache_col_
  std::uint32_t cache_col_ = 1;
  std::vector<frame> stack_;
  std::vector<std::uint32_t> scratch_;
  std::uint32_t pending_key_off_ = 0, pending_key_len_ = 0;
  std::uint32_t pending_key_line_ = 0, pending_key_column_ = 0;
};

}  // namespace txmath::detail::json

namespace txmath::json {

// Parses one JSON document. Errors: txmath::invalid_argument, "txmath: <source>:<line>:
// <column>: <what>".
inline value parse(std::string_view text, const parse_options& options) {
  auto doc = std::make_shared<detail::json::document>();
  doc->source = std::string(options.source);
  detail::json::parser(text, options, *doc).run();
  return value(std::shared_ptr<const detail::json::document>(std::move(doc)), 0);
}

// The whole file as bytes; an error naming the path and the reason if it cannot be read.
inline std::string read_file(const std::string& path) {
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    txmath::detail::raise<txmath::invalid_argument>("txmath: cannot open " + path + ": " +
                                   std::generic_category().message(errno ? errno : ENOENT));
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    out.append(buf, n);
    if (n < sizeof buf) break;
  }
  const bool bad = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (bad)
    txmath::detail::raise<txmath::invalid_argument>("txmath: cannot read " + path + ": " +
                                   std::generic_category().message(err ? err : EIO));
  return out;
}

// read_file + parse; the source name in messages is `path` unless options name one.
inline value parse_file(const std::string& path, parse_options options = {}) {
  const std::string text = read_file(path);
  if (options.source == parse_options{}.source) options.source = path;
  return parse(text, options);
}

}  // namespace txmath::json
