#pragma once
// Figures in a fixed-capacity string, for messages built in constant evaluation (budgets).
//
// Where format.hpp prints each figure alone with three significant digits ("15.0 GiB"),
// a budget prints several figures of one kind side by side, so they share one unit and two
// decimals, and the printed terms add up as the reader checks them by eye:
//   "KV cache 8.00 GiB + weights 14.96 GiB = 22.96 GiB"
// Units: bytes in IEC units (GiB = 2^30); parameters, tokens and plain counts on the short
// scale (K, M, B, T); FLOPs in scientific notation ("3.14e23 FLOP"); durations from ns to
// years; US dollars ("$1.20M"). Whole numbers below the first unit print exactly ("512 B",
// "6"). A figure that is not finite prints as "not finite".
#include <cstddef>
#include <string_view>

#include <txmath/core/format.hpp>

namespace txmath {

// A string of at most Capacity - 1 characters held by value. Every member is public, so the
// type is structural: a fixed_text can be a template argument, which is how a budget's
// message reaches the compiler's diagnostic in C++20. A string too long for it ends in "...".
template <std::size_t Capacity>
struct fixed_text {
  char chars[Capacity]{};
  std::size_t length = 0;

  static constexpr std::size_t capacity = Capacity - 1;

  [[nodiscard]] constexpr std::size_t size() const { return length; }
  [[nodiscard]] constexpr const char* data() const { return chars; }
  [[nodiscard]] constexpr std::string_view view() const { return {chars, length}; }
  constexpr operator std::string_view() const { return view(); }

  constexpr fixed_text& append(std::string_view s) {
    for (char c : s) {
      if (length == capacity) return mark_truncated();
      chars[length++] = c;
    }
    return *this;
  }
  constexpr fixed_text& append(char c) { return append(std::string_view(&c, 1)); }

  friend constexpr bool operator==(const fixed_text& a, std::string_view b) { return a.view() == b; }

 private:
  constexpr fixed_text& mark_truncated() {
    for (std::size_t i = length >= 3 ? length - 3 : 0; i < length; ++i) chars[i] = '.';
    return *this;
  }
};

namespace detail {

// How one kind of figure prints: a prefix ("$"), its units in ascending order, whether the
// first unit holds whole numbers (bytes, counts), and whether it is scientific (FLOPs).
struct figure_style {
  std::string_view prefix;
  const unit_step* units;
  std::size_t n_units;
  bool whole_base;
  bool scientific;
  std::string_view scientific_suffix;  // after "e23": " FLOP"
};

// The unit a group of figures shares: a scale and the text after the number.
struct figure_unit {
  double scale = 1.0;
  std::string_view suffix;
  int exponent = 0;  // scientific: the power of ten of `scale`
  bool whole = false;
};

inline constexpr unit_step iec_byte_units[] = {{1.0, " B"}, {1024.0, " KiB"}, {1048576.0, " MiB"},
                                               {1073741824.0, " GiB"}, {1099511627776.0, " TiB"},
                                               {1125899906842624.0, " PiB"}};
inline constexpr unit_step count_units[] = {{1.0, ""}, {1e3, " K"}, {1e6, " M"}, {1e9, " B"}, {1e12, " T"}};
inline constexpr unit_step param_units[] = {{1.0, " params"}, {1e3, " K params"}, {1e6, " M params"},
                                            {1e9, " B params"}, {1e12, " T params"}};
inline constexpr unit_step token_units[] = {{1.0, " tokens"}, {1e3, " K tokens"}, {1e6, " M tokens"},
                                            {1e9, " B tokens"}, {1e12, " T tokens"}};
inline constexpr unit_step second_units[] = {{1e-9, " ns"}, {1e-6, " us"}, {1e-3, " ms"}, {1.0, " s"},
                                             {60.0, " min"}, {3600.0, " h"}, {86400.0, " days"},
                                             {31557600.0, " years"}};
inline constexpr unit_step dollar_units[] = {{1.0, ""}, {1e3, "K"}, {1e6, "M"}, {1e9, "B"}, {1e12, "T"}};
inline constexpr unit_step flop_units[] = {{1.0, " FLOP"}};

inline constexpr figure_style byte_style{"", iec_byte_units, 6, true, false, ""};
inline constexpr figure_style count_style{"", count_units, 5, true, false, ""};
inline constexpr figure_style param_style{"", param_units, 5, true, false, ""};
inline constexpr figure_style token_style{"", token_units, 5, true, false, ""};
inline constexpr figure_style second_style{"", second_units, 8, false, false, ""};
inline constexpr figure_style dollar_style{"$", dollar_units, 5, false, false, ""};
inline constexpr figure_style flop_style{"", flop_units, 1, true, true, " FLOP"};

constexpr bool is_finite(double x) { return x == x && x <= 1.7976931348623157e308 && x >= -1.7976931348623157e308; }
constexpr double magnitude(double x) { return x < 0 ? -x : x; }

// Hundredths of x rounded to nearest (x >= 0, x < 1e15).
constexpr unsigned long long hundredths(double x) { return static_cast<unsigned long long>(x * 100.0 + 0.5); }

// Scientific unit for `ref`: 10^e with the mantissa in [1, 10) after rounding to hundredths.
constexpr figure_unit scientific_unit(double ref, const figure_style& s) {
  if (ref < 1000.0) return {1.0, s.units[0].name, 0, s.whole_base};
  int e = 0;
  double scale = 1.0;
  while (ref / scale >= 10.0) { scale *= 10.0; ++e; }
  if (hundredths(ref / scale) >= 1000) { scale *= 10.0; ++e; }  // 9.999e22 prints 1.00e23
  return {scale, s.scientific_suffix, e, false};
}

// The unit a group of figures whose largest magnitude is `ref` prints in: the largest unit
// not above it (so the largest figure reads 1.00 to 999.99 of it where the table allows).
constexpr figure_unit pick_unit(double ref, const figure_style& s) {
  if (!is_finite(ref)) ref = 0;
  if (s.scientific) return scientific_unit(ref, s);
  std::size_t u = 0;
  if (ref == 0.0) {
    while (u + 1 < s.n_units && s.units[u].scale < 1.0) ++u;  // zero seconds: "0.00 s"
  } else {
    while (u + 1 < s.n_units && ref / s.units[u + 1].scale >= 0.995) ++u;  // 0.995 prints 1.00
  }
  return {s.units[u].scale, s.units[u].name, 0, s.whole_base && u == 0};
}

template <std::size_t Cap>
constexpr void append_hundredths(fixed_text<Cap>& t, unsigned long long h) {
  text digits;
  append_uint(digits, h / 100);
  t.append(digits.view()).append('.');
  t.append(static_cast<char>('0' + h / 10 % 10)).append(static_cast<char>('0' + h % 10));
}

// Appends x in unit u: "14.96 GiB", "512 B", "$1.20M", "3.14e23 FLOP".
template <std::size_t Cap>
constexpr void append_figure(fixed_text<Cap>& t, double x, const figure_unit& u, const figure_style& s) {
  if (!is_finite(x)) {
    t.append("not finite");
    return;
  }
  if (x < 0) t.append('-');
  t.append(s.prefix);
  const double v = magnitude(x) / u.scale;
  if (v >= 1e15) {  // beyond any unit's sensible range: scientific in the unit
    t.append(format_sci(v).view()).append(u.suffix);
    return;
  }
  if (u.whole) {
    text digits;
    append_uint(digits, static_cast<unsigned long long>(v + 0.5));
    t.append(digits.view());
  } else {
    append_hundredths(t, hundredths(v));
  }
  if (s.scientific && u.exponent != 0) {
    text e;
    append_int(e, u.exponent);
    t.append('e').append(e.view());
  }
  t.append(u.suffix);
}

}  // namespace detail
}  // namespace txmath
