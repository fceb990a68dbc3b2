// Strong quantity types: dimensions make nonsense fail to compile.
#include <doctest/doctest.h>

#include "support.hpp"

#include <type_traits>

#include <txmath/core/format.hpp>
#include <txmath/core/quantity.hpp>

using namespace txmath;
using namespace txmath::literals;
using txmath_test::runtime;

namespace {
template <class A, class B>
concept addable = requires(A a, B b) { a + b; };
template <class A, class B>
concept comparable = requires(A a, B b) { a == b; };
}  // namespace

// Units: binary and decimal bytes, FLOP literals.
static_assert(1_KiB == bytes(1024) && 1_MiB == bytes(1048576) && 80_GiB == bytes(85899345920ULL));
static_assert(1_TiB == bytes(1099511627776ULL) && 1_TB == bytes(1000000000000ULL));
static_assert(80_GB == bytes(80'000'000'000ULL) && 1.5_GiB == bytes(1610612736));
static_assert(1e25_flop == flops(pow(count(10), 25)));
static_assert(4'513'336'524'800_flop == flops(4513336524800ULL));

// Dimensions: what may be added, what a quotient means.
static_assert(!addable<flops, bytes> && !addable<params, tokens> && addable<flops, flops>);
static_assert(!comparable<flops, bytes>);
static_assert(std::is_same_v<decltype(1e15_flop / flop_rate(1e15)), seconds>);
static_assert(std::is_same_v<decltype(bytes(8) / byte_rate(2.0)), seconds>);
static_assert(std::is_same_v<decltype(flops(8) / bytes(2)), intensity>);
static_assert(std::is_same_v<decltype(flops(8) / flops(2)), double>);
static_assert(std::is_same_v<decltype(params(3) * tokens(2)), quantity<dim<0, 0, 1, 1, 0>>>);
static_assert(std::is_same_v<decltype(flop_rate(2.0) * seconds(3.0)), quantity<dims::flop, double>>);

// Arithmetic stays exact for counts.
static_assert(flops(6) * 2 + flops(1) == flops(13));
static_assert(3 * params(5) - params(1) == params(14));
static_assert((1e15_flop / flop_rate(5e14)).value() == 2.0);
static_assert((flops(12) / tokens(3) * tokens(3)).value() == 12.0);

TEST_CASE("quantities at run time") {
  const flops f = runtime(flops(6'000'000'000'000ULL));
  const seconds t = f / runtime(flop_rate(3e12));
  CHECK(t.value() == doctest::Approx(2.0));
  CHECK((runtime(80_GiB) / runtime(bytes(2))) == 42949672960.0);
  CHECK((runtime(params(7)) * 2).value() == 14);
  CHECK((runtime(params(7)) * 0.5).value() == doctest::Approx(3.5));
  CHECK_THROWS_AS(runtime(bytes(1)) - bytes(2), overflow_error);
}

TEST_CASE("formatting figures") {
  // The three forms the brief asks for, from seed 001 (a): GPT-2 XL-shaped, SwiGLU, untied:
  // 2,127,057,600 parameters, 4 bytes each = 7.92 GiB; forward 4,513,336,524,800 FLOPs.
  static_assert(format_sci(4513336524800.0) == "4.51e12");
  static_assert(format_bytes(bytes(count(2127057600) * 4)) == "7.92 GiB");
  static_assert(format_count(count(2127057600)) == "2.13 B");
  static_assert(format_bytes(bytes(count(2127057600) * 4), byte_units::si) == "8.51 GB");
  CHECK(format_count(runtime(count(124439808))).view() == "124 M");
  CHECK(format_bytes(runtime(bytes(1023))).view() == "1023 B");
  CHECK(format_bytes(runtime(1023.9 * 1024)).view() == "1.00 MiB");  // rounds into the next unit
  CHECK(format_sci(runtime(9.9996e5)).view() == "1.00e6");
  CHECK(format_sci(runtime(-2.5e-3)).view() == "-2.50e-3");
  CHECK(format_sci(runtime(0.0)).view() == "0");
  CHECK(format_seconds(runtime(3.2 * 3600)).view() == "3.20 h");
  CHECK(format_seconds(runtime(12.5 * 86400)).view() == "12.5 days");
  CHECK(format_seconds(runtime(0.95)).view() == "950 ms");
  CHECK(format_count(runtime(15e12)).view() == "15.0 T");
  CHECK(format_sci(runtime(1.0 / 0.0)).view() == "inf");
}

TEST_CASE("format_grouped: every digit in groups of three, up to the largest 128-bit count") {
  static_assert(format_grouped(count(0)) == "0");
  static_assert(format_grouped(count(999)) == "999");
  static_assert(format_grouped(count(1000)) == "1,000");
  static_assert(format_grouped(count(124439808)) == "124,439,808");
  // 2^128 - 1, as Python's f"{2**128-1:,}" prints it.
  static_assert(format_grouped(count::from_rep(~count::rep{0})) ==
                "340,282,366,920,938,463,463,374,607,431,768,211,455");
  CHECK(format_grouped(runtime(count(6742609920))).view() == "6,742,609,920");
  CHECK(format_grouped(runtime(count(100000))).view() == "100,000");
}
