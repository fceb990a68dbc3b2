#pragma once
// Shared by the libFuzzer target (fuzz_json.cpp) and the always-built replay test
// (tests/test_json_fuzz_replay.cpp): runs one input through txmath::json and checks the
// invariants. A broken invariant throws std::logic_error (libFuzzer reports the uncaught
// exception as a crash); a txmath::invalid_argument from the parser is the expected outcome
// for malformed input and is checked for its format.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <txmath/json.hpp>

namespace txmath_fuzz {

inline void require(bool ok, const std::string& what) {
  if (!ok) throw std::logic_error("json fuzz invariant broken: " + what);
}

inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = txmath::utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// Canonical JSON text of `v`: no whitespace, numbers as written, strings re-escaped.
inline void serialize(const txmath::json::value& v, std::string& out) {
  using txmath::json::kind;
  const auto str = [&](std::string_view s) {
    out += '"';
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += ch;
      } else if (c < 0x20) {
        static constexpr char hex[] = "0123456789abcdef";
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
      } else {
        out += ch;
      }
    }
    out += '"';
  };
  switch (v.type()) {
    case kind::null: out += "null"; break;
    case kind::boolean: out += v.as_bool() ? "true" : "false"; break;
    case kind::number: out += v.number_text(); break;
    case kind::string: str(v.as_string_view()); break;
    case kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.elements()) {
        if (!first) out += ',';
        first = false;
        serialize(e, out);
      }
      out += ']';
      break;
    }
    case kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.members()) {
        if (!first) out += ',';
        first = false;
        str(k);
        out += ':';
        serialize(e, out);
      }
      out += '}';
      break;
    }
  }
}

inline std::string serialize(const txmath::json::value& v) {
  std::string out;
  serialize(v, out);
  return out;
}

// "txmath: <source>:<line>:<column>: <what>" with 1 <= line <= lines of the input.
inline void check_error_format(const std::string& msg, std::string_view source, std::string_view input) {
  const std::string prefix = "txmath: " + std::string(source) + ":";
  require(msg.rfind(prefix, 0) == 0, "error without the 'txmath: <source>:' prefix: " + msg);
  std::size_t i = prefix.size();
  const auto number = [&] {
    std::uint64_t n = 0;
    const std::size_t s = i;
    while (i < msg.size() && msg[i] >= '0' && msg[i] <= '9' && i - s < 12) n = n * 10 + static_cast<unsigned>(msg[i++] - '0');
    require(i > s, "error without a line/column: " + msg);
    return n;
  };
  const std::uint64_t line = number();
  require(i < msg.size() && msg[i] == ':', "error without a column: " + msg);
  ++i;
  const std::uint64_t column = number();
  require(msg.compare(i, 2, ": ") == 0 && msg.size() > i + 2, "error without a description: " + msg);
  std::uint64_t lines = 1;
  for (char c : input) lines += c == '\n';
  require(line >= 1 && line <= lines, "error line out of range: " + msg);
  require(column >= 1 && column <= input.size() + 1, "error column out of range: " + msg);
}

// Calls every accessor on every value (up to a budget) and checks they agree.
inline void walk(const txmath::json::value& v, std::string_view source, std::size_t& budget) {
  using txmath::json::kind;
  if (budget == 0) return;
  --budget;
  require(!v.describe().empty(), "empty describe()");
  require(v.source() == source, "source() differs");
  require(v.line() >= 1 && v.column() >= 1, "value without a position");
  (void)v.path();
  const auto expect_error = [&](auto&& f) {
    try {
      f();
    } catch (const txmath::invalid_argument& e) {
      require(std::string(e.what()).rfind("txmath: " + v.where() + ": ", 0) == 0,
              std::string("accessor error not prefixed by where(): ") + e.what());
      return false;
    }
    return true;
  };
  if (v.type() != kind::string) require(!expect_error([&] { (void)v.as_string(); }), "as_string on a non-string");
  if (v.type() != kind::object) require(!expect_error([&] { (void)v.find("k"); }), "find on a non-object");
  switch (v.type()) {
    case kind::null:
    case kind::boolean: break;
    case kind::string: require(valid_utf8(v.as_string_view()), "string is not valid UTF-8"); break;
    case kind::number: {
      double d = 0;
      const bool has_double = expect_error([&] { d = v.as_double(); });
      const bool integer = v.is_integer();
      std::int64_t i64 = 0;
      const bool has_i64 = expect_error([&] { i64 = v.as_int64(); });
      // (rep_value() read through a plain integer: GCC 12 -O3 sees the count as maybe-uninitialized.)
      txmath::detail::u128 c_rep = 0;
      const bool has_count = expect_error([&] { c_rep = v.as_count().rep_value(); });
      std::uint64_t u64 = 0;
      const bool has_u64 = expect_error([&] { u64 = v.as_uint64(); });
      require(!has_i64 || integer, "as_int64 succeeded on a non-integer");
      require(!has_count || integer, "as_count succeeded on a non-integer");
      require(has_u64 == (has_count && c_rep <= UINT64_MAX), "as_uint64 disagrees with as_count");
      require(!has_u64 || u64 == static_cast<std::uint64_t>(c_rep), "as_uint64 value");
      if (has_i64 && has_count) require(static_cast<std::uint64_t>(i64) == static_cast<std::uint64_t>(c_rep), "as_int64 vs as_count");
      if (has_i64 && i64 > -(std::int64_t{1} << 53) && i64 < (std::int64_t{1} << 53))
        require(has_double && d == static_cast<double>(i64), "as_double disagrees with as_int64 for " + v.number_text());
      if (has_double && integer && std::isfinite(d) && std::fabs(d) < 9.0e15)
        require(has_i64 && static_cast<double>(i64) == d, "is_integer but as_int64 disagrees with as_double");
      break;
    }
    case kind::array: {
      std::size_t n = 0;
      for (const auto& e : v.elements()) {
        require(e.line() > v.line() || (e.line() == v.line() && e.column() > v.column()), "element before its array");
        walk(e, source, budget);
        ++n;
      }
      require(n == v.size(), "elements() and size() disagree");
      require(!expect_error([&] { (void)v.at(n); }), "at(size()) succeeded");
      break;
    }
    case kind::object: {
      std::size_t n = 0;
      for (const auto& [k, e] : v.members()) {
        const auto f = v.find(k);
        require(f && f->line() == e.line() && f->column() == e.column(), "find(key) does not find the member");
        walk(e, source, budget);
        ++n;
      }
      require(n == v.size(), "members() and size() disagree");
      break;
    }
  }
}

// The whole check for one input.
inline void check_json(std::string_view data) {
  constexpr std::string_view source = "fuzz.json";
  std::string strict_text;
  bool strict_ok = false;
  for (bool nan : {false, true}) {
    txmath::json::parse_options options;
    options.source = source;
    options.allow_nan_and_infinity = nan;
    std::string text;
    try {
      const txmath::json::value v = txmath::json::parse(data, options);
      std::size_t budget = 2000;
      walk(v, source, budget);
      text = serialize(v);
    } catch (const txmath::invalid_argument& e) {
      check_error_format(e.what(), source, data);
      require(!(nan && strict_ok), "accepted without allow_nan_and_infinity but not with it");
      continue;
    }
    if (!nan) {
      strict_ok = true;
      strict_text = text;
    } else if (strict_ok) {
      require(text == strict_text, "allow_nan_and_infinity changed a strict document");
    }
    // Round trip: the canonical text parses back to itself.
    const txmath::json::value w = txmath::json::parse(text, options);
    require(serialize(w) == text, "serialize(parse(serialize(x))) != serialize(x)");
  }
}

}  // namespace txmath_fuzz
