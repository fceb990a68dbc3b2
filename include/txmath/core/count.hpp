#pragma once
// Exact counts: checked 128-bit integers. Parameters, FLOPs and bytes of real models fit
// easily (GPT-3's training run is ~3e23 FLOPs; 2^128 is ~3.4e38), so overflow means a bug
// or absurd input, and it is never silent: a compile error in constant evaluation, an
// txmath::overflow_error at run time.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include <txmath/config.hpp>
#include <txmath/core/error.hpp>

TXMATH_DEFINE_ERROR(txmath_error_count_overflow_in_addition, overflow_error)
TXMATH_DEFINE_ERROR(txmath_error_count_overflow_in_subtraction, overflow_error)
TXMATH_DEFINE_ERROR(txmath_error_count_overflow_in_multiplication, overflow_error)
TXMATH_DEFINE_ERROR(txmath_error_count_division_by_zero, overflow_error)
TXMATH_DEFINE_ERROR(txmath_error_count_from_negative_value, overflow_error)
TXMATH_DEFINE_ERROR(txmath_error_count_does_not_fit_the_target_type, overflow_error)
TXMATH_DEFINE_ERROR(txmath_error_count_from_non_integral_or_out_of_range_double, overflow_error)
TXMATH_DEFINE_ERROR(txmath_error_count_exact_division_has_a_remainder, invalid_argument)

namespace txmath {

namespace detail {
template <class T>
inline constexpr bool is_int128 = std::is_same_v<T, u128> || std::is_same_v<T, i128>;

// Standard integer types, not bool or char types. (Under -std=c++20 the standard traits do
// not see __int128 as integral, which is why the 128-bit types are handled apart; under
// -std=gnu++20 they do, so they are excluded by name: the same code in both modes.)
template <class T>
concept builtin_integer = std::is_integral_v<T> && !is_int128<T> && !std::is_same_v<T, bool> &&
                          !std::is_same_v<T, char> && !std::is_same_v<T, char8_t> &&
                          !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t> &&
                          !std::is_same_v<T, wchar_t>;

// Decimal digits of a 128-bit value, written from the back of `buf`; returns the first.
constexpr char* to_decimal(char* end, u128 v) {
  do {
    *--end = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return end;
}
}  // namespace detail

template <class Int>
class basic_count;

using count = basic_count<detail::u128>;   // unsigned: sizes, parameters, FLOPs, bytes
using scount = basic_count<detail::i128>;  // signed: differences

// A checked 128-bit integer. Converts implicitly from the built-in integers (a negative
// value into `count` is an error), explicitly to double.
template <class Int>
class basic_count {
  static_assert(detail::is_int128<Int>);
  static constexpr bool is_signed = std::is_same_v<Int, detail::i128>;
  Int v_ = 0;

 public:
  using rep = Int;
  static constexpr Int max_rep =
      is_signed ? static_cast<Int>(~detail::u128{0} >> 1) : static_cast<Int>(~detail::u128{0});
  static constexpr Int min_rep = is_signed ? -max_rep - 1 : 0;

  constexpr basic_count() = default;

  template <detail::builtin_integer I>
  constexpr basic_count(I i) {  // NOLINT: implicit on purpose, `count c = 12;` reads well
    if constexpr (!is_signed && std::is_signed_v<I>) {
      if (i < 0)
        TXMATH_FAIL(txmath_error_count_from_negative_value, overflow_error,
                    "txmath: a count cannot be negative, got " + std::to_string(i));
    }
    v_ = static_cast<Int>(i);
  }

  // From the raw 128-bit value of the same signedness.
  static constexpr basic_count from_rep(Int v) {
    basic_count c;
    c.v_ = v;
    return c;
  }

  // Checked conversion between count and scount.
  template <class Other>
  explicit constexpr basic_count(basic_count<Other> o) {
    const auto r = o.rep_value();
    if constexpr (is_signed) {  // from unsigned
      if (r > static_cast<detail::u128>(max_rep))
        TXMATH_FAIL(txmath_error_count_does_not_fit_the_target_type, overflow_error,
                    "txmath: count " + o.to_string() + " does not fit a signed 128-bit count");
    } else if constexpr (!std::is_same_v<Other, Int>) {  // from signed
      if (r < 0)
        TXMATH_FAIL(txmath_error_count_from_negative_value, overflow_error,
                    "txmath: a count cannot be negative, got " + o.to_string());
    }
    v_ = static_cast<Int>(r);
  }

  // From a floating value that holds an integer in range. Used by literals such as
  // 1e25_flop: write values that binary floating point holds exactly, or integers.
  static constexpr basic_count from_floating(long double d) {
    // (long double)max_rep rounds up to 2^127 or 2^128, hence the strict upper bound.
    const long double hi = static_cast<long double>(max_rep);
    const long double lo = static_cast<long double>(min_rep);
    if (!(d >= lo && d < hi) || static_cast<long double>(static_cast<Int>(d)) != d)
      TXMATH_FAIL(txmath_error_count_from_non_integral_or_out_of_range_double, overflow_error,
                  "txmath: " + std::to_string(static_cast<double>(d)) +
                      " is not an integer in the range of a 128-bit count");
    return from_rep(static_cast<Int>(d));
  }

  constexpr Int rep_value() const { return v_; }
  constexpr double to_double() const { return static_cast<double>(v_); }
  explicit constexpr operator double() const { return to_double(); }

  // Checked narrowing to a built-in integer type.
  template <detail::builtin_integer I>
  constexpr I to() const {
    bool fits = true;
    if constexpr (is_signed) fits = v_ >= static_cast<Int>(std::numeric_limits<I>::min());
    if (v_ > 0 && static_cast<detail::u128>(v_) > static_cast<detail::u128>(std::numeric_limits<I>::max()))
      fits = false;
    if (!fits)
      TXMATH_FAIL(txmath_error_count_does_not_fit_the_target_type, overflow_error,
                  "txmath: count " + to_string() + " does not fit the target integer type");
    return static_cast<I>(v_);
  }
  constexpr std::uint64_t to_u64() const { return to<std::uint64_t>(); }

  // Decimal text; `grouped` inserts thousands separators: 4,513,336,524,800.
  std::string to_string(bool grouped = false) const {
    char buf[64];
    char* end = buf + sizeof buf;
    const bool neg = v_ < 0;
    const detail::u128 mag = neg ? detail::u128{0} - static_cast<detail::u128>(v_) : static_cast<detail::u128>(v_);
    char* first = detail::to_decimal(end, mag);
    std::string digits(first, end);
    if (grouped)
      for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<std::size_t>(i), 1, ',');
    return neg ? "-" + digits : digits;
  }

  friend constexpr bool operator==(basic_count, basic_count) = default;
  friend constexpr std::strong_ordering operator<=>(basic_count a, basic_count b) {
    return a.v_ < b.v_ ? std::strong_ordering::less
                       : (a.v_ > b.v_ ? std::strong_ordering::greater : std::strong_ordering::equal);
  }

  friend constexpr basic_count operator+(basic_count a, basic_count b) {
    Int r{};
    if (__builtin_add_overflow(a.v_, b.v_, &r))
      TXMATH_FAIL(txmath_error_count_overflow_in_addition, overflow_error,
                  "txmath: overflow in " + a.to_string() + " + " + b.to_string());
    return from_rep(r);
  }
  friend constexpr basic_count operator-(basic_count a, basic_count b) {
    Int r{};
    if (__builtin_sub_overflow(a.v_, b.v_, &r))
      TXMATH_FAIL(txmath_error_count_overflow_in_subtraction, overflow_error,
                  "txmath: overflow in " + a.to_string() + " - " + b.to_string() +
                      (is_signed ? "" : " (an unsigned count cannot go below zero)"));
    return from_rep(r);
  }
  // Checked product of two raw unsigned values (for loops that keep a product in registers).
  static constexpr Int mul_rep(Int a, Int b)
    requires(!is_signed)
  {
    if (((a | b) >> 64) == 0) return a * b;  // two factors below 2^64 cannot overflow
    Int r{};
    if (__builtin_mul_overflow(a, b, &r))
      TXMATH_FAIL(txmath_error_count_overflow_in_multiplication, overflow_error,
                  "txmath: overflow in " + from_rep(a).to_string() + " * " + from_rep(b).to_string());
    return r;
  }
  friend constexpr basic_count operator*(basic_count a, basic_count b) {
    if constexpr (!is_signed) {
      return from_rep(mul_rep(a.v_, b.v_));
    } else {
      // Signed 128-bit __builtin_mul_overflow needs compiler-rt on Clang; multiply magnitudes.
      const bool neg = (a.v_ < 0) != (b.v_ < 0);
      const detail::u128 ma = a.v_ < 0 ? detail::u128{0} - static_cast<detail::u128>(a.v_) : static_cast<detail::u128>(a.v_);
      const detail::u128 mb = b.v_ < 0 ? detail::u128{0} - static_cast<detail::u128>(b.v_) : static_cast<detail::u128>(b.v_);
      detail::u128 m{};
      const bool wrapped = __builtin_mul_overflow(ma, mb, &m);
      const detail::u128 limit = static_cast<detail::u128>(max_rep) + (neg ? 1 : 0);
      if (wrapped || m > limit)
        TXMATH_FAIL(txmath_error_count_overflow_in_multiplication, overflow_error,
                    "txmath: overflow in " + a.to_string() + " * " + b.to_string());
      return from_rep(neg ? static_cast<Int>(detail::u128{0} - m) : static_cast<Int>(m));
    }
  }
  friend constexpr basic_count operator/(basic_count a, basic_count b) {
    if (b.v_ == 0)
      TXMATH_FAIL(txmath_error_count_division_by_zero, overflow_error,
                  "txmath: division by zero: " + a.to_string() + " / 0");
    if constexpr (is_signed) {
      if (a.v_ == min_rep && b.v_ == -1)
        TXMATH_FAIL(txmath_error_count_overflow_in_multiplication, overflow_error,
                    "txmath: overflow in " + a.to_string() + " / -1");
    }
    return from_rep(a.v_ / b.v_);
  }
  friend constexpr basic_count operator%(basic_count a, basic_count b) {
    if (b.v_ == 0)
      TXMATH_FAIL(txmath_error_count_division_by_zero, overflow_error,
                  "txmath: division by zero: " + a.to_string() + " % 0");
    if constexpr (is_signed) {
      if (b.v_ == -1) return basic_count{};
    }
    return from_rep(a.v_ % b.v_);
  }
  constexpr basic_count operator-() const requires is_signed { return basic_count{} - *this; }

  constexpr basic_count& operator+=(basic_count o) { return *this = *this + o; }
  constexpr basic_count& operator-=(basic_count o) { return *this = *this - o; }
  constexpr basic_count& operator*=(basic_count o) { return *this = *this * o; }
  constexpr basic_count& operator/=(basic_count o) { return *this = *this / o; }
  constexpr basic_count& operator%=(basic_count o) { return *this = *this % o; }

  // Streams (doctest, iostreams) print the decimal value. A template on std::basic_ostream
  // (declared in <iosfwd>), so that this header does not need <ostream>; not on any
  // `Ostream`, which is ambiguous with doctest's MessageBuilder::operator<< (INFO, on Clang).
  template <class Char, class Traits>
  friend std::basic_ostream<Char, Traits>& operator<<(std::basic_ostream<Char, Traits>& os,
                                                      basic_count c) {
    return os << std::string_view(c.to_string());
  }
};

// a / b when b divides a; an error naming both otherwise (e.g. heads that do not divide).
template <class Int>
constexpr basic_count<Int> exact_div(basic_count<Int> a, basic_count<Int> b) {
  if (a % b != 0)
    TXMATH_FAIL(txmath_error_count_exact_division_has_a_remainder, invalid_argument,
                "txmath: " + a.to_string() + " is not divisible by " + b.to_string());
  return a / b;
}

// Smallest q with q * b >= a.
constexpr count ceil_div(count a, count b) { return a / b + (a % b != 0 ? 1 : 0); }

// base^exp, checked; square-and-multiply (the base is squared only while bits remain, so
// no intermediate overflows unless the result does).
template <class Int>
constexpr basic_count<Int> pow(basic_count<Int> base, unsigned exp) {
  basic_count<Int> r = 1;
  while (exp != 0) {
    if (exp & 1u) r *= base;
    exp >>= 1;
    if (exp != 0) base *= base;
  }
  return r;
}

inline std::string to_string(count c) { return c.to_string(); }
inline std::string to_string(scount c) { return c.to_string(); }

namespace literals {
// Counts: 15_T tokens, 7_G parameters, 4_K context; 1.5_K is fine, 1.0001_K is not.
#define TXMATH_COUNT_LITERAL(suffix, factor)                                          \
  consteval count operator""_##suffix(unsigned long long v) { return count(v) * count(factor); } \
  consteval count operator""_##suffix(long double v) {                                \
    return count::from_floating(v * static_cast<long double>(factor));                \
  }
TXMATH_COUNT_LITERAL(K, 1000ULL)
TXMATH_COUNT_LITERAL(M, 1000000ULL)
TXMATH_COUNT_LITERAL(G, 1000000000ULL)
TXMATH_COUNT_LITERAL(T, 1000000000000ULL)
#undef TXMATH_COUNT_LITERAL
}  // namespace literals

}  // namespace txmath
