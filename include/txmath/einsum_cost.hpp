#pragma once
// Cost types for contraction-path search. The path code needs + * < == and a way to make
// a cost from an index size; cost_traits<C> adapts a type. Three are supported:
//   txmath::count       exact, checked 128-bit (default; overflow is an error, never silent)
//   txmath::log2_cost   a double holding log2 of the cost: any size, ~15 significant digits
//                       (greedy's near-ties may then fall differently than in exact arithmetic)
//   boost cpp_int       exact, unbounded: #include <txmath/boost.hpp>
// Networks of hundreds of tensors easily cost more than 2^128 FLOPs, hence the choice.
#include <bit>
#include <cmath>
#include <compare>
#include <limits>
#include <string>

#include <txmath/core/count.hpp>

namespace txmath {

// log2 of a non-negative cost. Products add, sums use log-sum-exp. Run time only (std::log2).
class log2_cost {
  double l_ = -std::numeric_limits<double>::infinity();  // log2(0)

  // (A power of two, as a bond dimension often is, without std::log2: the same exact value.
  // x & (x - 1) tests it: std::has_single_bit is a popcount, a library call on baseline x86-64.)
  static constexpr bool single_bit(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }
  static double log2_of(detail::u128 v) {
    const auto hi = static_cast<std::uint64_t>(v >> 64), lo = static_cast<std::uint64_t>(v);
    if (hi == 0 && single_bit(lo)) return static_cast<double>(std::countr_zero(lo));
    return std::log2(count::from_rep(v).to_double());
  }

 public:
  log2_cost() = default;
  // (Powers of two, such as the 1 and 2 of the FLOP rule, without calling std::log2: the same
  // exact value, found faster.)
  explicit log2_cost(unsigned v)
      : l_(v == 0                 ? -std::numeric_limits<double>::infinity()
           : single_bit(v)          ? static_cast<double>(std::countr_zero(v))
                                    : std::log2(static_cast<double>(v))) {}
  explicit log2_cost(count c) : l_(c == 0 ? -std::numeric_limits<double>::infinity() : log2_of(c.rep_value())) {}
  static log2_cost from_log2(double l) {
    log2_cost c;
    c.l_ = l;
    return c;
  }
  double log2() const { return l_; }
  double to_double() const { return std::exp2(l_); }
  bool is_zero() const { return std::isinf(l_) && l_ < 0; }

  friend log2_cost operator*(log2_cost a, log2_cost b) {
    if (a.is_zero() || b.is_zero()) return log2_cost{};
    return from_log2(a.l_ + b.l_);
  }
  friend log2_cost operator+(log2_cost a, log2_cost b) {
    if (a.is_zero()) return b;
    if (b.is_zero()) return a;
    const double hi = a.l_ > b.l_ ? a.l_ : b.l_, lo = a.l_ > b.l_ ? b.l_ : a.l_;
    return from_log2(hi + std::log2(1.0 + std::exp2(lo - hi)));
  }
  // a - b for a >= b (used for the greedy heuristic's size differences).
  friend log2_cost operator-(log2_cost a, log2_cost b) {
    if (b.is_zero()) return a;
    if (!(a.l_ > b.l_)) return log2_cost{};
    return from_log2(a.l_ + std::log2(1.0 - std::exp2(b.l_ - a.l_)));
  }
  friend bool operator==(log2_cost a, log2_cost b) { return a.l_ == b.l_; }
  friend std::partial_ordering operator<=>(log2_cost a, log2_cost b) { return a.l_ <=> b.l_; }
};

// A running sum of log2_costs kept as 2^m * s (m the largest log so far, 1 <= s <= terms): one
// exp2 a term and one log2 at the end, where adding with log2_cost's + takes an exp2 and a log2
// a term (a replay's total: 6% of a greedy call on a 40-site MPS ladder, perf in
// benchmarks/results/greedy_large_2026-12-04.md), and rounds the log at each (log2(1 + x)
// loses x's low digits).
class log2_sum {
  double m_ = -std::numeric_limits<double>::infinity(), s_ = 0;

 public:
  void add(log2_cost c) {
    if (c.is_zero()) return;
    const double l = c.log2();
    if (l <= m_) {
      s_ += std::exp2(l - m_);
    } else {
      s_ = s_ * std::exp2(m_ - l) + 1.0;  // (the first term: s_ is 0, exp2(-inf) 0)
      m_ = l;
    }
  }
  log2_cost value() const { return s_ == 0 ? log2_cost{} : log2_cost::from_log2(m_ + std::log2(s_)); }
};

// How the path code makes and prints a cost type.
template <class C>
struct cost_traits;

template <>
struct cost_traits<count> {
  static constexpr count from_count(count c) { return c; }
  static std::string to_string(const count& c) { return c.to_string(); }
  static constexpr double to_double(const count& c) { return c.to_double(); }
};

template <>
struct cost_traits<log2_cost> {
  static log2_cost from_count(count c) { return log2_cost(c); }
  static std::string to_string(const log2_cost& c) { return "2^" + std::to_string(c.log2()); }
  static double to_double(const log2_cost& c) { return c.to_double(); }
};

}  // namespace txmath
