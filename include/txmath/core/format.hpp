#pragma once
// Human-readable figures: 4.51e12, "7.92 GiB", "2.13 B", "3.20 days". constexpr, so a
// formatted figure can be checked in static_assert too. Three significant digits by default.
#include <cstddef>
#include <string>
#include <string_view>

#include <txmath/core/count.hpp>
#include <txmath/core/quantity.hpp>

namespace txmath {

// A short string held by value (no allocation, usable in constant evaluation).
class text {
  char data_[64]{};
  std::size_t size_ = 0;

 public:
  constexpr text() = default;
  constexpr text(std::string_view s) { append(s); }
  constexpr text& append(std::string_view s) {
    for (char c : s)
      if (size_ + 1 < sizeof data_) data_[size_++] = c;
    return *this;
  }
  constexpr text& append(char c) { return append(std::string_view(&c, 1)); }
  constexpr std::string_view view() const { return {data_, size_}; }
  constexpr operator std::string_view() const { return view(); }
  std::string str() const { return std::string(view()); }
  friend constexpr bool operator==(const text& a, std::string_view b) { return a.view() == b; }
  template <class Ostream>
  friend auto operator<<(Ostream& os, const text& t) -> decltype(os << std::string_view{}) {
    return os << t.view();
  }
};

namespace detail {
// x = m * 10^e with m rounded to `sig` digits: returns the digits as an integer and e.
struct decimal {
  unsigned long long digits;  // sig digits, e.g. 451 for 4.51e12
  int exponent;               // of the first digit
};
constexpr decimal to_decimal_digits(double x, int sig) {
  int e = 0;
  while (x >= 10.0) { x /= 10.0; ++e; }
  while (x < 1.0) { x *= 10.0; --e; }
  double scaled = x;
  for (int i = 1; i < sig; ++i) scaled *= 10.0;
  auto d = static_cast<unsigned long long>(scaled + 0.5);
  unsigned long long limit = 1;
  for (int i = 0; i < sig; ++i) limit *= 10;
  if (d >= limit) { d /= 10; ++e; }  // 9.995 rounds up to 10.0
  return {d, e};
}
constexpr void append_uint(text& t, unsigned long long v) {
  char buf[24];
  int n = 0;
  do { buf[n++] = static_cast<char>('0' + v % 10); v /= 10; } while (v);
  while (n) t.append(buf[--n]);
}
constexpr void append_int(text& t, int v) {
  if (v < 0) { t.append('-'); v = -v; }
  append_uint(t, static_cast<unsigned long long>(v));
}
// Appends x with `sig` significant digits in plain notation (x in [1, 1e6)).
constexpr void append_fixed(text& t, double x, int sig) {
  const decimal d = to_decimal_digits(x, sig);
  if (d.exponent + 1 > sig) {  // more integer digits than significant ones: keep them all
    append_uint(t, static_cast<unsigned long long>(x + 0.5));
    return;
  }
  char digits[24]{};
  int n = 0;
  for (auto v = d.digits; n < sig; v /= 10) digits[sig - 1 - n++] = static_cast<char>('0' + v % 10);
  const int int_digits = d.exponent + 1;
  for (int i = 0; i < int_digits; ++i) t.append(i < sig ? digits[i] : '0');
  if (int_digits < sig) {
    t.append('.');
    for (int i = int_digits; i < sig; ++i) t.append(digits[i]);
  }
}
// Returns true (and writes) for NaN, infinities, zero and negatives' sign.
constexpr bool append_special(text& t, double& x) {
  if (x != x) { t.append("nan"); return true; }
  if (x < 0) { t.append('-'); x = -x; }
  if (x > 1.7976931348623157e308) { t.append("inf"); return true; }
  if (x == 0) { t.append('0'); return true; }
  return false;
}
}  // namespace detail

// 4513336524800 -> "4.51e12".
constexpr text format_sci(double x, int sig = 3) {
  text t;
  if (detail::append_special(t, x)) return t;
  const detail::decimal d = detail::to_decimal_digits(x, sig);
  char digits[24]{};
  int n = 0;
  for (auto v = d.digits; n < sig; v /= 10) digits[sig - 1 - n++] = static_cast<char>('0' + v % 10);
  t.append(digits[0]);
  if (sig > 1) {
    t.append('.');
    for (int i = 1; i < sig; ++i) t.append(digits[i]);
  }
  t.append('e');
  detail::append_int(t, d.exponent);
  return t;
}
constexpr text format_sci(count c, int sig = 3) { return format_sci(c.to_double(), sig); }

namespace detail {
struct unit_step {
  double scale;
  std::string_view name;
};
// Picks the largest unit not above x and prints x in it; `units` ascend.
template <std::size_t N>
constexpr text format_in_units(double x, const unit_step (&units)[N], int sig) {
  text t;
  if (append_special(t, x)) return t;
  std::size_t u = 0;
  while (u + 1 < N && x >= units[u + 1].scale) ++u;
  double v = x / units[u].scale;
  // Rounding may carry into the next unit: 999.7 KiB prints as 1000 KiB; move up.
  if (u + 1 < N && to_decimal_digits(v, sig).exponent >= 3 &&
      x / units[u + 1].scale >= 0.9995) {
    ++u;
    v = x / units[u].scale;
  }
  if (v >= 1e6 || (u == 0 && v < 1.0)) {  // beyond the table: scientific
    text sci = format_sci(v, sig);
    if (!units[u].name.empty()) sci.append(' ').append(units[u].name);
    return sci;
  }
  append_fixed(t, v, sig);
  if (!units[u].name.empty()) t.append(' ').append(units[u].name);
  return t;
}
}  // namespace detail

enum class byte_units { iec, si };  // GiB = 2^30 bytes (default), GB = 10^9 bytes

// 8508230400 bytes -> "7.92 GiB" (iec) or "8.51 GB" (si).
constexpr text format_bytes(double b, byte_units u = byte_units::iec, int sig = 3) {
  constexpr detail::unit_step iec[] = {{1.0, "B"}, {1024.0, "KiB"}, {1048576.0, "MiB"},
                                       {1073741824.0, "GiB"}, {1099511627776.0, "TiB"},
                                       {1125899906842624.0, "PiB"}};
  constexpr detail::unit_step si[] = {{1.0, "B"}, {1e3, "KB"}, {1e6, "MB"},
                                      {1e9, "GB"}, {1e12, "TB"}, {1e15, "PB"}};
  if (b < 1.0 && b > 0.0) return detail::format_in_units(b, iec, sig);
  return u == byte_units::iec ? detail::format_in_units(b, iec, sig) : detail::format_in_units(b, si, sig);
}
template <class R>
constexpr text format_bytes(quantity<dims::byte, R> b, byte_units u = byte_units::iec, int sig = 3) {
  return format_bytes(b.to_double(), u, sig);
}

// 2127057600 -> "2.13 B" (short scale: K, M, B, T), as parameter and token counts are quoted.
constexpr text format_count(double n, int sig = 3) {
  constexpr detail::unit_step steps[] = {{1.0, ""}, {1e3, "K"}, {1e6, "M"}, {1e9, "B"}, {1e12, "T"}};
  return detail::format_in_units(n, steps, sig);
}
constexpr text format_count(count n, int sig = 3) { return format_count(n.to_double(), sig); }

// Every digit, in groups of three: 124439808 -> "124,439,808" (a 128-bit count fits a text).
constexpr text format_grouped(count n) {
  char digits[40]{};
  std::size_t size = 0;
  for (auto v = n.rep_value(); size == 0 || v != 0; v /= 10) digits[size++] = static_cast<char>('0' + v % 10);
  text out;
  for (std::size_t i = size; i-- > 0;) {
    out.append(digits[i]);
    if (i != 0 && i % 3 == 0) out.append(',');
  }
  return out;
}

// Durations: "950 ms", "42.0 s", "3.20 h", "12.5 days", "2.10 years".
constexpr text format_seconds(double s, int sig = 3) {
  constexpr detail::unit_step steps[] = {{1e-9, "ns"}, {1e-6, "us"}, {1e-3, "ms"}, {1.0, "s"},
                                         {60.0, "min"}, {3600.0, "h"}, {86400.0, "days"},
                                         {31557600.0, "years"}};
  return detail::format_in_units(s, steps, sig);
}
constexpr text format_seconds(seconds s, int sig = 3) { return format_seconds(s.value(), sig); }

}  // namespace txmath
