// The checked 128-bit count: exact arithmetic, overflow never silent.
#include <doctest/doctest.h>

#include "support.hpp"

#include <limits>
#include <string>

#include <txmath/core/count.hpp>

using txmath::count;
using txmath::scount;
using namespace txmath::literals;
using txmath_test::runtime;

namespace {
constexpr count two_pow(unsigned n) { return txmath::pow(count(2), n); }
}  // namespace

// Compile time.
static_assert(count(3) * 4 + 5 == 17);
static_assert(count(17) / 5 == 3 && count(17) % 5 == 2);
static_assert(two_pow(64) == count(18446744073709551615ULL) + 1);
static_assert(two_pow(127) + (two_pow(127) - 1) == count::from_rep(count::max_rep));
static_assert(scount(-7) / 2 == -3 && scount(-7) % 2 == -1);
static_assert(-scount(5) == scount(-5));
static_assert(txmath::exact_div(count(12), count(4)) == 3);
static_assert(txmath::ceil_div(count(9), count(4)) == 3 && txmath::ceil_div(count(8), count(4)) == 2);
static_assert(15_T == 15'000'000'000'000ULL && 7_G == 7'000'000'000ULL && 4_K == 4000);
static_assert(1.5_K == 1500 && 2.5_M == 2'500'000);
static_assert(count(5).to<int>() == 5);
static_assert(count::from_floating(1e25L) == txmath::pow(count(10), 25));
static_assert(scount(count(12)) == 12 && count(scount(12)) == 12);
static_assert(count(2) < count(3) && count(3) >= count(3));
static_assert(static_cast<double>(two_pow(100)) == 1267650600228229401496703205376.0);

TEST_CASE("arithmetic at run time matches the compile-time results") {
  const count a = runtime(count(123456789)), b = runtime(count(987654321));
  CHECK(a * b == count(121932631112635269ULL));
  CHECK(a + b == 1111111110);
  CHECK(b - a == 864197532);
  CHECK(b / a == 8);
  CHECK(b % a == 9);
  CHECK(txmath::pow(runtime(count(10)), 38).to_string() == "1" + std::string(38, '0'));
  CHECK(txmath::pow(runtime(count(2)), 128 - 1).to_string() == "170141183460469231731687303715884105728");
  CHECK(count(4513336524800ULL).to_string(true) == "4,513,336,524,800");
  CHECK(scount(-1234567).to_string(true) == "-1,234,567");
  CHECK(runtime(count(0)).to_string() == "0");
}

TEST_CASE("overflow throws overflow_error naming the operation") {
  const count max = count::from_rep(count::max_rep);
  CHECK_THROWS_WITH_AS(runtime(max) + 1, doctest::Contains("overflow in"), txmath::overflow_error);
  CHECK_THROWS_WITH_AS(runtime(two_pow(64)) * two_pow(64), doctest::Contains("18446744073709551616 * 18446744073709551616"),
                       txmath::overflow_error);
  CHECK_THROWS_WITH_AS(runtime(count(3)) - 4, "txmath: overflow in 3 - 4 (an unsigned count cannot go below zero)",
                       txmath::overflow_error);
  CHECK_THROWS_AS(runtime(count(3)) / 0, txmath::overflow_error);
  CHECK_THROWS_AS(runtime(count(3)) % 0, txmath::overflow_error);
  CHECK_THROWS_WITH_AS((void)count(runtime(-1)), "txmath: a count cannot be negative, got -1", txmath::overflow_error);
  CHECK_THROWS_AS(runtime(scount::from_rep(scount::min_rep)) * -1, txmath::overflow_error);
  CHECK_THROWS_AS(runtime(scount::from_rep(scount::min_rep)) / -1, txmath::overflow_error);
  CHECK_THROWS_AS(runtime(scount::from_rep(scount::max_rep)) + 1, txmath::overflow_error);
  CHECK_THROWS_AS((void)count(runtime(scount(-2))), txmath::overflow_error);
  CHECK_THROWS_AS((void)runtime(two_pow(40)).to<int>(), txmath::overflow_error);
  CHECK_THROWS_AS((void)runtime(count(300)).to<unsigned char>(), txmath::overflow_error);
  CHECK_THROWS_AS((void)count::from_floating(runtime(0.5L)), txmath::overflow_error);
  CHECK_THROWS_AS((void)count::from_floating(runtime(-1.0L)), txmath::overflow_error);
  CHECK_THROWS_AS((void)count::from_floating(runtime(3.5e38L)), txmath::overflow_error);
  CHECK_THROWS_WITH_AS((void)txmath::exact_div(runtime(count(10)), count(4)), "txmath: 10 is not divisible by 4",
                       txmath::invalid_argument);
}

TEST_CASE("signed counts handle the edges") {
  const scount min = scount::from_rep(scount::min_rep);
  CHECK(runtime(min) + scount::from_rep(scount::max_rep) == -1);
  CHECK((runtime(min) % -1) == 0);
  CHECK(runtime(scount(-3)) * scount(-4) == 12);
  CHECK((runtime(min) / 2 * 2) == min);
  CHECK(runtime(min).to_string() == "-170141183460469231731687303715884105728");
}

TEST_CASE("conversion to double is explicit and correctly rounded") {
  // 2^64 + 1 is not a double: it rounds to 2^64.
  CHECK(runtime(two_pow(64) + 1).to_double() == 18446744073709551616.0);
  CHECK(static_cast<double>(runtime(count(3))) == 3.0);
  static_assert(!std::is_convertible_v<count, double>);
  static_assert(std::is_constructible_v<double, count>);
}
