// core/real_text.hpp: real_text_by_printf (the form of the wasm module, from snprintf and the
// library's exact reader) against std::to_chars, the standard's shortest round trip (Ryu in
// libstdc++ and libc++), on the doubles where the two could part: random bit patterns of
// every exponent, powers of two and their neighbours (the lopsided intervals), integers at
// and beyond 2^53 (written exactly in fixed notation), short decimals, the lengths where fixed
// and scientific notation trade places, subnormals and the ends of the range.
#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include <txmath/core/real_text.hpp>

namespace {

double from_bits(std::uint64_t b) {
  double d = 0;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

std::string by_to_chars(double v) {
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Counts the doubles where the two texts differ (each checked with CHECK for the message).
int differences(double v) {
  const std::string want = by_to_chars(v);
  const std::string got = txmath::detail::real_text_by_printf(v);
  CHECK_MESSAGE(got == want, "v = ", want);
  return got == want ? 0 : 1;
}

}  // namespace

TEST_CASE("real_text_by_printf: the ends of the range, zeros and the sign") {
  for (double v : {0.0, -0.0, 1.0, -1.0, 0.4, -0.4, 5e-324, -5e-324, std::numeric_limits<double>::min(),
                   std::numeric_limits<double>::max(), -std::numeric_limits<double>::max(), 1e22, 1e23, 9007199254740993.0,
                   123400000.0, 1.234e-5, 0.001, 1e-4, 1e4, 1e5, 1152921504606846976.0})
    differences(v);
  CHECK(txmath::detail::real_text_by_printf(0.4) == "0.4");
  CHECK(txmath::detail::real_text_by_printf(5e-324) == "5e-324");
  CHECK(txmath::detail::real_text_by_printf(-0.0) == "-0");
  CHECK(txmath::detail::real_text_by_printf(1152921504606846976.0) == "1152921504606846976");  // 2^60, exact
  CHECK(txmath::detail::real_text_by_printf(1e22) == "1e+22");
}

TEST_CASE("real_text_by_printf: powers of two and their neighbours, every exponent") {
  int bad = 0;
  for (int e = -1074; e <= 1023; ++e) {
    const double p = std::ldexp(1.0, e);
    for (double v : {p, std::nextafter(p, 0.0), std::nextafter(p, 2 * p), std::nextafter(std::nextafter(p, 2 * p), 2 * p)})
      bad += differences(v);
  }
  CHECK(bad == 0);
}

TEST_CASE("real_text_by_printf: random bit patterns of every exponent") {
  std::mt19937_64 rng(20261204);
  int bad = 0;
  for (int i = 0; i < 200000; ++i) {
    const double v = from_bits(rng() & 0x7FEF'FFFF'FFFF'FFFFull);  // (exponent below 2047: finite)
    bad += differences(rng() & 1 ? v : -v);
  }
  CHECK(bad == 0);
}

TEST_CASE("real_text_by_printf: integers, exact beyond 2^53, and short decimals") {
  std::mt19937_64 rng(7);
  int bad = 0;
  for (int i = 0; i < 20000; ++i) {
    bad += differences(static_cast<double>(rng()));                // up to 2^64
    bad += differences(static_cast<double>(rng() >> (rng() % 64)));  // every magnitude
    bad += differences(9007199254740992.0 + static_cast<double>(rng() % 4096) * 2);
  }
  for (int e = -30; e <= 30; ++e)
    for (int k = 1; k < 2000; ++k) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%de%d", k, e);
      bad += differences(std::strtod(buf, nullptr));  // (the test runs in the "C" locale)
    }
  CHECK(bad == 0);
}

TEST_CASE("real_text_by_printf: where fixed and scientific notation trade places") {
  int bad = 0;
  for (int e = -12; e <= 25; ++e)
    for (double m : {1.0, 1.5, 1.25, 9.875, 1.234567, 3.14159265358979, 9.999999999999999}) {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17ge%d", m, e);
      bad += differences(std::strtod(buf, nullptr));
    }
  CHECK(bad == 0);
}
