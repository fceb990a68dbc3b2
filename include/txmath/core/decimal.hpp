#pragma once
// txmath::decimal_to_double: decimal text to the nearest double, in portable constexpr code.
//
// What it guarantees:
// - Accepts exactly a JSON-style number, [-]digits[.digits][(e|E)[+-]digits] (leading zeros
//   allowed, no '+' sign, no spaces, no NaN/Infinity); anything else is status `invalid`.
// - The result is the double nearest to the exact decimal value (IEEE 754 binary64, ties to
//   even): correctly rounded for every input, of any length, whatever the locale.
// - A magnitude that rounds past the largest double is status `overflow` (never inf); one
//   below half the smallest subnormal gives a zero of the text's sign. Never NaN.
// - Bounded work for any input length, and usable in constant evaluation
//   (static_assert(txmath::decimal_to_double("0.1").value == 0.1)).
//
// Why not std::from_chars: libc++ 19 (Clang's standard library, and the one of wasm32-wasi)
// has no floating-point from_chars; std::strtod reads the decimal point of the C locale in
// force, so "1.5" fails under a German locale. This reader depends on neither.
//
// How: the text is an exact rational x = D x 10^E (D the significant digits as a big
// integer). A binary search over the bit patterns of the positive doubles (ordered as
// integers) finds the largest double <= x with exact big-integer comparisons, then x is
// compared with the halfway point to the next double. Every step is exact, so the result is
// the correctly rounded one by construction; the tests compare it with strtod and
// from_chars on many values anyway. The decimal exponent brackets the search to a few
// binades: ~55 comparisons of big integers, ~10 microseconds for a config file's numbers
// (0.02, 1e-05), ~0.1 ms for 800 significant digits near the ends of the range.
//
// Digits beyond the 800th significant one only matter through whether any is nonzero (a
// halfway point between doubles has at most 767 significant digits), so they are replaced
// by one sticky digit, which bounds the work for any input length.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <string_view>
#include <vector>

namespace txmath {

// decimal_to_double's answer: `value` is meaningful only when `status` is ok.
struct decimal_to_double_result {
  enum status_kind : unsigned char { ok, overflow, invalid };
  double value = 0;  // +-0 when the magnitude is below half the smallest subnormal
  status_kind status = invalid;
};

}  // namespace txmath

namespace txmath::detail::decimal_reader {

// An unsigned big integer, little-endian base 2^32; only what the comparisons need.
class big {
 public:
  constexpr explicit big(std::uint64_t v = 0) {
    for (; v != 0; v >>= 32) limbs_.push_back(static_cast<std::uint32_t>(v));
  }
  constexpr void mul_add(std::uint32_t m, std::uint32_t addend = 0) {
    std::uint64_t carry = addend;
    for (auto& l : limbs_) {
      const std::uint64_t t = std::uint64_t{l} * m + carry;
      l = static_cast<std::uint32_t>(t);
      carry = t >> 32;
    }
    if (carry != 0) limbs_.push_back(static_cast<std::uint32_t>(carry));
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();  // m = 0
  }
  constexpr void mul_pow5(std::int64_t n) {
    for (; n >= 13; n -= 13) mul_add(1220703125u);  // 5^13 fits 32 bits
    std::uint32_t rest = 1;
    for (; n > 0; --n) rest *= 5;
    mul_add(rest);
  }
  constexpr void shift_left(std::int64_t bits) {
    if (limbs_.empty() || bits == 0) return;
    const auto whole = static_cast<std::size_t>(bits / 32);
    const auto part = static_cast<unsigned>(bits % 32);
    if (part != 0) {
      std::uint32_t carry = 0;
      for (auto& l : limbs_) {
        const std::uint32_t next = l >> (32 - part);
        l = (l << part) | carry;
        carry = next;
      }
      if (carry != 0) limbs_.push_back(carry);
    }
    limbs_.insert(limbs_.begin(), whole, 0u);
  }
  constexpr void add(const big& o) {
    if (limbs_.size() < o.limbs_.size()) limbs_.resize(o.limbs_.size(), 0u);
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i < limbs_.size(); ++i) {
      const std::uint64_t t = std::uint64_t{limbs_[i]} + (i < o.limbs_.size() ? o.limbs_[i] : 0u) + carry;
      limbs_[i] = static_cast<std::uint32_t>(t);
      carry = t >> 32;
    }
    if (carry != 0) limbs_.push_back(static_cast<std::uint32_t>(carry));
  }
  // -1, 0 or 1 as a <, == or > b.
  constexpr friend int compare(const big& a, const big& b) {
    if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() < b.limbs_.size() ? -1 : 1;
    for (std::size_t i = a.limbs_.size(); i-- > 0;)
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    return 0;
  }
  [[nodiscard]] constexpr bool is_zero() const { return limbs_.empty(); }

 private:
  std::vector<std::uint32_t> limbs_;  // no leading zero limbs
};

// x = digits x 10^exp10, digits a big integer; `lead` = exp10 + number of digits, so that
// 10^(lead-1) <= x < 10^lead when x != 0.
struct exact_decimal {
  big digits;
  std::int64_t exp10 = 0;
  std::int64_t lead = 0;
  bool negative = false;
};

inline constexpr std::size_t max_digits = 800;

// Parses [-]digits[.digits][(e|E)[+-]digits]; false on anything else.
constexpr bool read(std::string_view t, exact_decimal& x) {
  std::size_t i = 0;
  if (i < t.size() && t[i] == '-') x.negative = true, ++i;
  std::size_t kept = 0, seen_digits = 0;
  std::int64_t dropped_int_digits = 0, frac_digits_kept = 0;
  bool sticky = false;
  auto digit = [&](char c, bool fraction) {
    ++seen_digits;
    if (kept == 0 && c == '0') {  // leading zeros carry no digits
      if (fraction) ++frac_digits_kept;
      return;
    }
    if (kept < max_digits) {
      x.digits.mul_add(10, static_cast<std::uint32_t>(c - '0'));
      ++kept;
      if (fraction) ++frac_digits_kept;
    } else {
      sticky |= c != '0';
      if (!fraction) ++dropped_int_digits;
    }
  };
  for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) digit(t[i], false);
  if (seen_digits == 0) return false;
  if (i < t.size() && t[i] == '.') {
    const std::size_t before = seen_digits;
    for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) digit(t[i], true);
    if (seen_digits == before) return false;
  }
  std::int64_t e = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    bool neg = false;
    if (++i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    if (i == t.size()) return false;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i)
      if (e < 1000000000) e = e * 10 + (t[i] - '0');  // saturates far beyond any double
    if (neg) e = -e;
  }
  if (i != t.size()) return false;
  x.exp10 = e + dropped_int_digits - frac_digits_kept;
  if (sticky) {  // a nonzero digit past the kept ones: x lies strictly above the kept value
    x.digits.mul_add(10, 1);
    ++kept;
    --x.exp10;
  }
  x.lead = x.exp10 + static_cast<std::int64_t>(kept);
  return true;
}

// The double with bit pattern `bits` (positive, finite) is m x 2^q.
struct binary {
  std::uint64_t m;
  std::int64_t q;
};
constexpr binary decompose(std::uint64_t bits) {
  const auto biased = static_cast<std::int64_t>(bits >> 52);
  const std::uint64_t frac = bits & ((std::uint64_t{1} << 52) - 1);
  if (biased == 0) return {frac, -1074};
  return {frac | (std::uint64_t{1} << 52), biased - 1075};
}

// Compares x = digits x 10^exp10 with k x 2^p exactly: -1, 0 or 1. Both sides become
// integers: the power of 5 of 10^exp10 multiplies the side where it is positive (computed once
// per number), and the powers of 2 are shifted to match.
class comparator {
 public:
  constexpr explicit comparator(const exact_decimal& x) : lhs_(x.digits), exp10_(x.exp10) {
    if (exp10_ >= 0) lhs_.mul_pow5(exp10_);
    else pow5_.mul_pow5(-exp10_);
  }
  [[nodiscard]] constexpr int operator()(std::uint64_t k, std::int64_t p) const {
    big lhs = lhs_, rhs = pow5_;
    rhs.mul_add(static_cast<std::uint32_t>(k >> 32));  // rhs = 5^-exp10 x k, in two 32-bit steps
    rhs.shift_left(32);
    big low = pow5_;
    low.mul_add(static_cast<std::uint32_t>(k));
    rhs.add(low);
    const std::int64_t common = std::min(exp10_, p);
    lhs.shift_left(exp10_ - common);
    rhs.shift_left(p - common);
    return compare(lhs, rhs);
  }

 private:
  big lhs_, pow5_{1};
  std::int64_t exp10_;
};

// Bit patterns of positive doubles bracketing x: value(lo) <= x < value(hi). From the decimal
// exponent, 10^(lead-1) <= x < 10^lead; a margin of two binades each side absorbs rounding.
constexpr void bracket(const exact_decimal& x, std::uint64_t& lo, std::uint64_t& hi) {
  constexpr double log2_10 = 3.321928094887362;
  const auto e_lo = static_cast<std::int64_t>(static_cast<double>(x.lead - 1) * log2_10) - 2;  // 2^e_lo <= x
  const auto e_hi = static_cast<std::int64_t>(static_cast<double>(x.lead) * log2_10) + 2;      // x < 2^e_hi
  const auto power_of_two = [](std::int64_t e) { return static_cast<std::uint64_t>(e + 1023) << 52; };
  lo = e_lo < -1022 ? 0 : power_of_two(std::min<std::int64_t>(e_lo, 1023));
  hi = e_hi > 1023 ? 0x7FF0000000000000u : power_of_two(e_hi);
}

// The nearest double to x (x > 0, 10^-330 <= x < 10^310), or overflow.
constexpr decimal_to_double_result round_positive(const exact_decimal& x) {
  constexpr std::uint64_t infinity_bits = 0x7FF0000000000000u;
  const comparator compare_with(x);
  std::uint64_t lo = 0, hi = infinity_bits;  // value(lo) <= x < value(hi)
  bracket(x, lo, hi);
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    const binary b = decompose(mid);
    (compare_with(b.m, b.q) >= 0 ? lo : hi) = mid;
  }
  const binary b = decompose(lo);  // halfway to the next double: (2m + 1) x 2^(q-1)
  const int c = compare_with(2 * b.m + 1, b.q - 1);
  std::uint64_t bits = lo;
  if (c > 0 || (c == 0 && (lo & 1) != 0)) ++bits;
  if (bits == infinity_bits) return {0, decimal_to_double_result::overflow};
  return {std::bit_cast<double>(bits), decimal_to_double_result::ok};
}

}  // namespace txmath::detail::decimal_reader

namespace txmath {

// A JSON-style number ([-]int[.frac][e[+-]exp], leading zeros allowed) to the nearest
// double. Overflow (the magnitude rounds past the largest double) is reported, not inf.
[[nodiscard]] constexpr decimal_to_double_result decimal_to_double(std::string_view text) {
  detail::decimal_reader::exact_decimal x;
  if (!detail::decimal_reader::read(text, x)) return {0, decimal_to_double_result::invalid};
  const double sign = x.negative ? -1.0 : 1.0;
  // Far below half the smallest subnormal (2.47e-324), or zero: a signed zero.
  if (x.digits.is_zero() || x.lead < -330) return {sign * 0.0, decimal_to_double_result::ok};
  if (x.lead > 310) return {0, decimal_to_double_result::overflow};  // >= 1e309
  auto r = detail::decimal_reader::round_positive(x);
  r.value *= sign;
  return r;
}

}  // namespace txmath
