#pragma once
// The exact integer value of a JSON number's text (json::value::as_count, as_int64,
// as_uint64, is_integer): `128`, `128.0`, `1.28e2` and `1e3` are integers, `1.5` and `1e-3`
// are not; nothing is rounded. Internal to the JSON reader (<txmath/json.hpp>).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <txmath/core/count.hpp>

namespace txmath::detail::json {

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

}  // namespace txmath::detail::json
