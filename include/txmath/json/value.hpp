#pragma once
// txmath::json::value: a handle on one value of a parsed JSON document, with its typed
// accessors (as_count, as_double, at, find, elements, members, ...), its position for
// messages (path, where, fail), and the ranges over arrays and objects. Documents come from
// txmath::json::parse in <txmath/json.hpp>, which is the header to include; the reader's
// rules (strictness, exact integers, correctly rounded doubles, error texts) are stated there.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <txmath/config.hpp>
#include <txmath/core/count.hpp>
#include <txmath/core/decimal.hpp>
#include <txmath/core/error.hpp>
#include <txmath/detail/json_document.hpp>
#include <txmath/detail/json_number.hpp>
#include <txmath/detail/json_text.hpp>
#include <txmath/json/kind.hpp>
#include <txmath/json/parse_options.hpp>

namespace txmath::detail::json {
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
    const auto r = txmath::decimal_to_double(t);
    if (r.status == txmath::decimal_to_double_result::overflow)
      fail("the number " + std::string(t) + " is out of the range of a double");
    if (r.status != txmath::decimal_to_double_result::ok)
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
