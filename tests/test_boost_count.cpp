// txmath::count and txmath::scount against Boost.Multiprecision's unbounded cpp_int: for
// random operands, an operation either gives the exact result, or throws
// txmath::overflow_error exactly when the exact result is out of range.
#include <doctest/doctest.h>

#include <boost/multiprecision/cpp_int.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <txmath/core/count.hpp>

using boost::multiprecision::cpp_int;
using txmath::count;
using txmath::scount;
using txmath::detail::i128;
using txmath::detail::u128;

namespace {

cpp_int big(u128 v) {
  return (cpp_int(static_cast<std::uint64_t>(v >> 64)) << 64) | static_cast<std::uint64_t>(v);
}
cpp_int big(i128 v) {
  return v < 0 ? -big(u128{0} - static_cast<u128>(v)) : big(static_cast<u128>(v));
}
cpp_int big(count c) { return big(c.rep_value()); }
cpp_int big(scount c) { return big(c.rep_value()); }

template <class C>
const cpp_int min_of = big(C::min_rep);
template <class C>
const cpp_int max_of = big(C::max_rep);

std::mt19937_64 rng(0x7478'6d61'7468);  // "txmath"

// Operands of every size: a random bit length, then random bits below it, so that small
// values, values near 2^64 and values near the top are all common; plus the edges.
u128 random_magnitude() {
  const int len = std::uniform_int_distribution<int>(0, 128)(rng);
  const u128 v = (static_cast<u128>(rng()) << 64) | rng();
  return len == 0 ? 0 : len == 128 ? v : v & ((u128{1} << len) - 1);
}
template <class C>
std::vector<C> operands(int n) {
  std::vector<C> v;
  for (const u128 m : {u128{0}, u128{1}, u128{2}, u128{1} << 63, u128{1} << 64,
                       (u128{1} << 64) - 1, (u128{1} << 64) + 1, static_cast<u128>(C::max_rep),
                       static_cast<u128>(C::max_rep) - 1, static_cast<u128>(C::max_rep) / 2,
                       static_cast<u128>(C::max_rep) / 3})
    v.push_back(C::from_rep(static_cast<typename C::rep>(m)));
  if constexpr (std::is_same_v<C, scount>) {
    v.push_back(scount::from_rep(scount::min_rep));
    v.push_back(scount::from_rep(scount::min_rep + 1));
    v.push_back(scount::from_rep(-1));
    v.push_back(scount::from_rep(scount::min_rep / 2));
  }
  while (static_cast<int>(v.size()) < n) {
    u128 m = random_magnitude();
    if constexpr (std::is_same_v<C, scount>) {
      m >>= 1;  // below 2^127
      const bool negative = (rng() & 1) != 0;
      v.push_back(scount::from_rep(negative ? -static_cast<i128>(m) - static_cast<i128>(rng() & 1)
                                            : static_cast<i128>(m)));
    } else {
      v.push_back(count::from_rep(m));
    }
  }
  return v;
}

struct tally {
  long exact = 0, overflowed = 0;
};

// Runs `op` on our type; `exact` is the true result, or nothing for division by zero.
// (Assertions are made only on failure: doctest's per-assertion cost dominates otherwise.)
template <class C, class Op>
void check_op(const char* name, C a, C b, Op op, const cpp_int* exact, tally& t) {
  const bool in_range = exact && *exact >= min_of<C> && *exact <= max_of<C>;
  try {
    const C r = op(a, b);
    ++t.exact;
    if (!in_range)
      FAIL_CHECK(name << " " << a << " " << b << " gave " << r << ", should have thrown");
    else if (big(r) != *exact)
      FAIL_CHECK(name << " " << a << " " << b << " gave " << r << ", not " << *exact);
  } catch (const txmath::overflow_error& e) {
    ++t.overflowed;
    if (in_range)
      FAIL_CHECK(name << " " << a << " " << b << " threw " << e.what() << ", should give "
                      << *exact);
    if (std::string_view(e.what()).substr(0, 7) != "txmath:")
      FAIL_CHECK("message does not start with txmath: " << e.what());
  }
}

template <class C>
void check_arithmetic(int n) {
  const std::vector<C> xs = operands<C>(n);
  tally t;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    for (std::size_t j : {i, (i * 7919 + 13) % xs.size(), (i + 1) % xs.size(),
                          static_cast<std::size_t>(rng() % xs.size())}) {
      const C a = xs[i], b = xs[j];
      const cpp_int A = big(a), B = big(b);
      cpp_int r = A + B;
      check_op("+", a, b, [](C x, C y) { return x + y; }, &r, t);
      check_op("+=", a, b, [](C x, C y) { return x += y; }, &r, t);
      r = A - B;
      check_op("-", a, b, [](C x, C y) { return x - y; }, &r, t);
      check_op("-=", a, b, [](C x, C y) { return x -= y; }, &r, t);
      r = B - A;
      check_op("- (swapped)", b, a, [](C x, C y) { return x - y; }, &r, t);
      r = A * B;
      check_op("*", a, b, [](C x, C y) { return x * y; }, &r, t);
      check_op("*=", a, b, [](C x, C y) { return x *= y; }, &r, t);
      // cpp_int's / truncates toward zero and % takes the dividend's sign, as in C++.
      const cpp_int* none = nullptr;
      r = B == 0 ? cpp_int(0) : A / B;
      check_op("/", a, b, [](C x, C y) { return x / y; }, B == 0 ? none : &r, t);
      check_op("/=", a, b, [](C x, C y) { return x /= y; }, B == 0 ? none : &r, t);
      r = B == 0 ? cpp_int(0) : A % B;
      check_op("%", a, b, [](C x, C y) { return x % y; }, B == 0 ? none : &r, t);
      check_op("%=", a, b, [](C x, C y) { return x %= y; }, B == 0 ? none : &r, t);
      if constexpr (std::is_same_v<C, scount>) {
        r = -A;
        check_op("unary -", a, b, [](C x, C) { return -x; }, &r, t);
      }
      // Comparisons never throw.
      const bool compares = (a == b) == (A == B) && (a != b) == (A != B) && (a < b) == (A < B) &&
                            (a <= b) == (A <= B) && (a > b) == (A > B) &&
                            (a >= b) == (A >= B) && ((a <=> b) < 0) == (A < B);
      if (!compares) FAIL_CHECK("comparison of " << a << " and " << b);
    }
  }
  MESSAGE(t.exact << " exact results, " << t.overflowed << " overflows detected");
  // Both outcomes must be common, or the test proves little.
  CHECK(t.exact > n);
  CHECK(t.overflowed > n / 4);
}

}  // namespace

TEST_CASE("count arithmetic matches cpp_int") { check_arithmetic<count>(1200); }
TEST_CASE("scount arithmetic matches cpp_int") { check_arithmetic<scount>(1200); }

// The 128-bit built-ins convert only through from_rep, in -std=c++20 and -std=gnu++20 alike
// (gnu++20 once let `scount s = u128{1} << 127;` wrap silently to a negative value).
static_assert(!std::is_convertible_v<u128, scount> && !std::is_convertible_v<i128, count>);
static_assert(!std::is_convertible_v<u128, count> && !std::is_convertible_v<i128, scount>);
static_assert(std::is_convertible_v<std::uint64_t, scount> && std::is_convertible_v<int, scount>);

TEST_CASE("conversions between count, scount and built-in integers") {
  for (const count c : operands<count>(2000)) {
    const cpp_int exact = big(c);
    CHECK(c.to_string() == exact.str());
    const bool fits_scount = exact <= max_of<scount>;
    try {
      const cpp_int got = big(scount(c));  // (outside CHECK, which would catch the throw)
      CHECK(fits_scount);
      CHECK(got == exact);
    } catch (const txmath::overflow_error&) {
      CHECK(!fits_scount);
    }
    const bool fits64 = exact <= std::numeric_limits<std::uint64_t>::max();
    try {
      const cpp_int got = c.to_u64();
      CHECK(fits64);
      CHECK(got == exact);
    } catch (const txmath::overflow_error&) {
      CHECK(!fits64);
    }
  }
  for (const scount s : operands<scount>(2000)) {
    const cpp_int exact = big(s);
    CHECK(s.to_string() == exact.str());
    const bool fits_count = exact >= 0;
    try {
      const cpp_int got = big(count(s));
      CHECK(fits_count);
      CHECK(got == exact);
    } catch (const txmath::overflow_error&) {
      CHECK(!fits_count);
    }
    const bool fits32 = exact >= std::numeric_limits<std::int32_t>::min() &&
                        exact <= std::numeric_limits<std::int32_t>::max();
    try {
      const cpp_int got = s.to<std::int32_t>();
      CHECK(fits32);
      CHECK(got == exact);
    } catch (const txmath::overflow_error&) {
      CHECK(!fits32);
    }
  }
  // Grouped digits.
  CHECK(count(4513336524800ULL).to_string(true) == "4,513,336,524,800");
  CHECK(scount(-1234567).to_string(true) == "-1,234,567");
}

TEST_CASE("pow matches cpp_int") {
  tally t;
  for (int i = 0; i < 3000; ++i) {
    // |base| below 2^63, of any size; separate statements keep the draws in order.
    const int shift = std::uniform_int_distribution<int>(1, 63)(rng);
    auto base = static_cast<std::int64_t>(rng() >> shift);
    if ((rng() & 1) != 0) base = -base;
    const unsigned e = std::uniform_int_distribution<unsigned>(0, 130)(rng);
    const cpp_int exact = boost::multiprecision::pow(cpp_int(base), e);
    check_op("pow", scount(base), scount(0), [e](scount b, scount) { return txmath::pow(b, e); },
             &exact, t);
    if (base >= 0) {
      check_op("pow", count(base), count(0), [e](count b, count) { return txmath::pow(b, e); },
               &exact, t);
    }
  }
  CHECK(t.overflowed > 100);
}

TEST_CASE("exact_div and ceil_div match cpp_int") {
  const std::vector<count> xs = operands<count>(2000);
  for (std::size_t i = 1; i < xs.size(); ++i) {
    const count a = xs[i], b = xs[i - 1];
    if (b == 0) continue;
    const cpp_int A = big(a), B = big(b);
    CHECK(big(txmath::ceil_div(a, b)) == (A + B - 1) / B);
    if (b <= count::from_rep(count::max_rep / 3)) CHECK(txmath::exact_div(b * 3, b) == 3);
    if (A % B != 0) CHECK_THROWS_AS(txmath::exact_div(a, b), txmath::invalid_argument);
  }
}
