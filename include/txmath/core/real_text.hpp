#pragma once
// The shortest text that reads back as the same double, as std::to_chars(first, last, v)
// writes it: 0.4, 5e-324, 1e+22, 123400000, 1.234e-05, 1152921504606846976.
//
// real_text is std::to_chars, unless TXMATH_REAL_TEXT_BY_PRINTF is defined: then it is
// real_text_by_printf, the same text from snprintf and strtod. Why: in a wasm32-wasi module
// libc++'s floating to_chars brings about 115 KB of Ryu's tables (those of its exact fixed
// notation too), where printf is there already; tools/web/build.sh defines it to keep
// txmath.wasm under 1 MB. The tests compare the two on 390,000 doubles. (snprintf and strtod
// use the decimal point of the C locale in force: the printf form assumes "C", the only one
// a wasm32-wasi module has.)
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace txmath::detail {

// A positive decimal digits x 10^exp10.
struct decimal_digits {
  std::uint64_t digits = 0;
  int exp10 = 0;
};

// The decimal of p significant digits nearest to a positive v (printf rounds exactly).
inline decimal_digits nearest_of_precision(double v, int p) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*e", p - 1, v);  // d.ddde+XX
  decimal_digits d;
  int i = 0;
  for (; buf[i] != 'e'; ++i)
    if (buf[i] != '.') d.digits = d.digits * 10 + static_cast<std::uint64_t>(buf[i] - '0');
  d.exp10 = std::atoi(buf + i + 1) - (p - 1);
  return d;
}

// (strtod: glibc's and musl's are correctly rounded, and 40 times faster than the library's
// exact reader, core/decimal.hpp, which the first account of the web page felt.)
inline bool reads_back_as(decimal_digits d, double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%llue%d", static_cast<unsigned long long>(d.digits), d.exp10);
  return std::strtod(buf, nullptr) == v;
}

// Of p significant digits, the decimal that reads back as a positive v and is nearest to it,
// if one does. The nearest decimal of p digits reads back whenever one of p digits does, except
// just above a power of two, where the interval that reads back as v is narrower below v than
// above it: there the decimal one unit above the nearest (below v) may read back alone.
inline std::optional<decimal_digits> reading_back_of_precision(double v, int p) {
  const decimal_digits nearest = nearest_of_precision(v, p);
  if (reads_back_as(nearest, v)) return nearest;
  if (const decimal_digits up{nearest.digits + 1, nearest.exp10}; reads_back_as(up, v)) return up;
  return std::nullopt;
}

// Ryu's digits for a positive finite v: the fewest that read back as v, of those the nearest
// to v. Where a decimal of p digits reads back, one of p + 1 does (the same value), so the
// fewest are found by bisection on 1 .. 17 (17 always read back). (The decimal found never
// ends in 0 nor reaches 10^p: it would then be one of fewer digits.)
inline decimal_digits shortest_digits_of(double v) {
  int lo = 1, hi = 17;  // hi reads back
  decimal_digits best = *reading_back_of_precision(v, hi);
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (const auto d = reading_back_of_precision(v, mid)) {
      best = *d;
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return best;
}

// std::to_chars's plain form: fixed or scientific notation, whichever is shorter, fixed on a
// tie; in fixed notation an integer is written exactly (%.0f), not as the digits and zeros.
inline std::string real_text_by_printf(double v) {
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  std::string sign = v < 0 ? "-" : "";
  v = std::fabs(v);
  const decimal_digits d = shortest_digits_of(v);
  const std::string digits = std::to_string(d.digits);
  const std::size_t n = digits.size();
  const int e = d.exp10 + static_cast<int>(n) - 1;  // the scientific exponent
  char buf[400];  // (%.0f: at most 309 digits)
  std::snprintf(buf, sizeof buf, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
  std::string sci = digits.substr(0, 1);
  if (n > 1) sci.append(".").append(digits, 1);
  sci.append(buf);
  std::string fixed;
  if (d.exp10 >= 0) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    fixed = buf;
  } else if (e >= 0) {
    const auto point = static_cast<std::size_t>(e + 1);
    fixed.append(digits, 0, point).append(".").append(digits, point);
  } else {
    fixed.append("0.").append(static_cast<std::size_t>(-e - 1), '0').append(digits);
  }
  return sign.append(fixed.size() <= sci.size() ? fixed : sci);
}

inline std::string real_text_by_to_chars(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Shortest text that reads back as the same finite double (inf and NaN: as to_chars writes
// them, or "inf"/"nan" in the printf form; callers refuse them before).
inline std::string real_text(double v) {
#ifdef TXMATH_REAL_TEXT_BY_PRINTF
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
  return real_text_by_printf(v);
#else
  return real_text_by_to_chars(v);
#endif
}

}  // namespace txmath::detail
