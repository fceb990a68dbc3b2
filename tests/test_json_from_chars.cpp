// core/decimal.hpp (txmath::decimal_to_double): json::value::as_double()'s portable
// replacement for the floating-point std::from_chars (absent from libc++ 19), constexpr too.
// The oracle is the C library's strtod in the "C" locale (glibc's and musl's are correctly
// rounded) and, where the standard library has it, std::from_chars; halfway cases come from
// exact decimal expansions printed by printf (glibc prints every digit of a long double
// exactly).
#include <doctest/doctest.h>

#include <bit>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include <txmath/core/decimal.hpp>
#include <txmath/json.hpp>

#if !defined(_LIBCPP_VERSION)
#include <charconv>
#endif

namespace {

using txmath::decimal_to_double;
using txmath::decimal_to_double_result;

std::uint64_t bits_of(double d) {
  std::uint64_t b = 0;
  std::memcpy(&b, &d, sizeof b);
  return b;
}
double from_bits(std::uint64_t b) {
  double d = 0;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

// strtod's answer, as a decimal_to_double_result: HUGE_VAL means overflow.
decimal_to_double_result oracle(const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  REQUIRE(end == text.c_str() + text.size());
  if (std::isinf(d)) return {0, decimal_to_double_result::overflow};
  return {d, decimal_to_double_result::ok};
}

// Same status and the same bits (so -0.0 differs from 0.0) as strtod and from_chars.
bool agrees(const std::string& text) {
  const auto want = oracle(text);
  const auto got = decimal_to_double(text);
  const bool ok = got.status == decimal_to_double_result::ok;
  if (got.status != want.status || (ok && bits_of(got.value) != bits_of(want.value))) {
    MESSAGE("decimal_to_double(" << text << ") = " << got.value << " (status " << int(got.status)
                                 << "), strtod gives " << want.value);
    return false;
  }
#if !defined(_LIBCPP_VERSION)
  if (ok) {
    double d = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec == std::errc{} && bits_of(d) != bits_of(got.value)) {
      MESSAGE("from_chars(" << text << ") = " << d << ", decimal_to_double gives " << got.value);
      return false;
    }
  }
#endif
  return true;
}

std::string printed(const char* format, double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, d);
  return buf;
}

}  // namespace

TEST_CASE("decimal_to_double: every double printed with 17 digits reads back to itself") {
  std::mt19937_64 rng(19);
  int mismatches = 0;
  for (int i = 0; i < 8000; ++i) {
    // Uniform over the bit patterns of the finite doubles: every binade, subnormals too.
    const double d = from_bits(rng() % 0x7FF0000000000000u);
    const std::string s = printed("%.17g", d);
    const auto r = decimal_to_double(s);
    if (r.status != decimal_to_double_result::ok || bits_of(r.value) != bits_of(d)) ++mismatches;
    if (!agrees(printed("%.15g", -d)) || !agrees(printed("%.6e", d))) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("decimal_to_double: random decimal strings agree with strtod") {
  std::mt19937_64 rng(1908);
  int mismatches = 0;
  for (int i = 0; i < 8000; ++i) {
    std::string s = rng() % 2 ? "-" : "";
    const int int_digits = static_cast<int>(rng() % 22);
    const int frac_digits = int_digits == 0 ? 1 + static_cast<int>(rng() % 22) : static_cast<int>(rng() % 22);
    for (int k = 0; k < int_digits; ++k) s += static_cast<char>('0' + rng() % 10);
    if (int_digits == 0) s += '0';
    if (frac_digits > 0) {
      s += '.';
      for (int k = 0; k < frac_digits; ++k) s += static_cast<char>('0' + rng() % 10);
    }
    // Exponents across the whole range and past both ends (overflow, underflow to zero).
    if (rng() % 4 != 0) {  // (appended piecewise: GCC 12 -O3 warns -Wrestrict on "e" + std::string)
      s += 'e';
      s += std::to_string(static_cast<int>(rng() % 700) - 350);
    }
    if (!agrees(s)) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("decimal_to_double: exact halfway points round to even, a hair off them does not") {
  // A halfway point between two doubles has 54 significant bits: a long double (64 bits on
  // x86) holds it exactly, and printf("%.*Le") writes its decimal expansion exactly.
  if (std::numeric_limits<long double>::digits < 64) return;
  std::mt19937_64 rng(3);
  int mismatches = 0, checked = 0;
  for (int i = 0; i < 300; ++i) {
    const double d = from_bits(rng() % 0x7FEFFFFFFFFFFFFFu);
    const long double half = (static_cast<long double>(d) + std::nextafter(d, INFINITY)) / 2;
    std::vector<char> buf(1200);
    std::snprintf(buf.data(), buf.size(), "%.800Le", half);
    const std::string exact = buf.data();
    const std::size_t e = exact.find('e');
    const std::string mantissa = exact.substr(0, e), exponent = exact.substr(e);
    // The exact expansion ends in zeros: the same digits with a final 1 are a hair above.
    std::string above = mantissa;
    above.back() = '1';
    const auto r = decimal_to_double(exact);
    const double even = (bits_of(d) & 1) == 0 ? d : std::nextafter(d, INFINITY);
    if (r.status != decimal_to_double_result::ok || r.value != even) ++mismatches;
    if (!agrees(exact) || !agrees(above + exponent)) ++mismatches;
    ++checked;
  }
  CHECK(checked == 300);
  CHECK(mismatches == 0);
}

TEST_CASE("decimal_to_double: the ends of the range") {
  // Half the smallest subnormal, 2^-1075 = 2.4703282292062327208...e-324, rounds to zero
  // (ties to even); anything above it to the smallest subnormal 4.9406564584124654e-324.
  CHECK(decimal_to_double("2.4703282292062327e-324").value == 0.0);
  CHECK(decimal_to_double("2.4703282292062328e-324").value == from_bits(1));
  CHECK(decimal_to_double("4.9406564584124654e-324").value == from_bits(1));
  CHECK(decimal_to_double("2.2250738585072014e-308").value == DBL_MIN);
  CHECK(decimal_to_double("2.2250738585072011e-308").value == std::nextafter(DBL_MIN, 0.0));
  CHECK(decimal_to_double("1.7976931348623157e308").value == DBL_MAX);
  // DBL_MAX + half an ulp (2^970) = 1.797693134862315807937...e308 rounds to infinity.
  CHECK(decimal_to_double("1.7976931348623158e308").value == DBL_MAX);
  CHECK(decimal_to_double("1.7976931348623159e308").status == decimal_to_double_result::overflow);
  CHECK(decimal_to_double("-1e309").status == decimal_to_double_result::overflow);
  CHECK(decimal_to_double("1e999999999999999999").status == decimal_to_double_result::overflow);
  CHECK(decimal_to_double("1e-999999999999999999").value == 0.0);
  CHECK(std::signbit(decimal_to_double("-1e-400").value));
  CHECK(std::signbit(decimal_to_double("-0").value));
  CHECK(decimal_to_double("0e999999").value == 0.0);
  for (const char* s : {"2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623158e308",
                        "1.7976931348623159e308", "0.1", "0.3", "9007199254740993", "9007199254740995",
                        "123456789012345678901234567890", "1e23", "8.98846567431158e307", "-5e-324",
                        "2.2250738585072012e-308", "7.2057594037927933e16", "00000.000001000"})
    CHECK(agrees(s));
}

TEST_CASE("decimal_to_double: every power of ten and every binade edge") {
  // The search is bracketed by the decimal exponent: check each end of each bracket.
  int mismatches = 0;
  for (int e = -345; e <= 320; ++e) {
    const std::string p = "1e" + std::to_string(e);
    if (!agrees(p) || !agrees("9.999999999999999999e" + std::to_string(e))) ++mismatches;
  }
  for (int e = -1074; e <= 1023; ++e) {
    const double d = std::ldexp(1.0, e);
    for (const double v : {d, std::nextafter(d, 0.0), std::nextafter(d, INFINITY)})
      if (std::isfinite(v) && (!agrees(printed("%.17g", v)) || decimal_to_double(printed("%.17g", v)).value != v))
        ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("decimal_to_double: long inputs keep only a sticky digit past the 800th") {
  // 1 + 2^-53 is halfway between 1 and its successor: ties to even gives 1; a 1 in the
  // 1,000th decimal place puts it above, so it rounds up. Both far past 800 digits.
  std::string half = "1.00000000000000011102230246251565404236316680908203125";
  CHECK(decimal_to_double(half).value == 1.0);
  CHECK(decimal_to_double(half + std::string(950, '0')).value == 1.0);
  CHECK(decimal_to_double(half + std::string(950, '0') + "1").value == std::nextafter(1.0, 2.0));
  CHECK(agrees(half + std::string(950, '0') + "1"));
  // 1,500 integer digits, then a negative exponent that brings it back to 1.5.
  CHECK(decimal_to_double("15" + std::string(1498, '0') + "e-1499").value == 1.5);
  CHECK(decimal_to_double("0." + std::string(1200, '0') + "15e1201").value == 1.5);
}

// The compiler's own reading of a floating literal (correctly rounded by GCC and Clang) is
// the oracle; the halfway points are the ones derived in the run-time cases above.
TEST_CASE("decimal_to_double: constant evaluation gives the same answers as run time") {
  static_assert(decimal_to_double("0.1").value == 0.1);
  static_assert(decimal_to_double("1e-05").value == 1e-05);
  static_assert(decimal_to_double("6.02214076e23").value == 6.02214076e23);
  static_assert(decimal_to_double("2.2250738585072011e-308").value == 2.2250738585072011e-308);
  static_assert(decimal_to_double("4.9406564584124654e-324").value == 4.9406564584124654e-324);
  static_assert(decimal_to_double("1.7976931348623157e308").value == 1.7976931348623157e308);
  // Half the smallest subnormal and 1 + 2^-53: both ties, both to even.
  static_assert(decimal_to_double("2.4703282292062327e-324").value == 0.0);
  static_assert(decimal_to_double("1.00000000000000011102230246251565404236316680908203125").value == 1.0);
  static_assert(std::bit_cast<std::uint64_t>(decimal_to_double("-1e-400").value) == 0x8000000000000000u);
  static_assert(decimal_to_double("1.7976931348623159e308").status == decimal_to_double_result::overflow);
  static_assert(decimal_to_double("1.5.2").status == decimal_to_double_result::invalid);
  // The same texts at run time (not constant: the strings are built here).
  const auto run = [](const char* s) { return decimal_to_double(std::string(s)); };
  CHECK(run("0.1").value == 0.1);
  CHECK(run("1e-05").value == 1e-05);
  CHECK(run("6.02214076e23").value == 6.02214076e23);
  CHECK(run("2.2250738585072011e-308").value == 2.2250738585072011e-308);
  CHECK(run("4.9406564584124654e-324").value == 4.9406564584124654e-324);
  CHECK(run("1.7976931348623157e308").value == 1.7976931348623157e308);
  CHECK(run("2.4703282292062327e-324").value == 0.0);
  CHECK(run("1.00000000000000011102230246251565404236316680908203125").value == 1.0);
  CHECK(bits_of(run("-1e-400").value) == 0x8000000000000000u);
  CHECK(run("1.7976931348623159e308").status == decimal_to_double_result::overflow);
  CHECK(run("1.5.2").status == decimal_to_double_result::invalid);
}

TEST_CASE("decimal_to_double: malformed text is reported, not guessed") {
  for (const char* s : {"", "-", "1.", ".5", "1e", "1e+", "1e-", "abc", "1x", "1.5.2", "--1", "+1", "1e5e5", " 1"})
    CHECK_MESSAGE(decimal_to_double(s).status == decimal_to_double_result::invalid, s);
}

TEST_CASE("json as_double reads through decimal_to_double") {
  const auto v = txmath::json::parse("[0.1, 1e-5, 3.0e38, 2.5e-324, 6.02214076e23]");
  CHECK(v[0].as_double() == 0.1);
  CHECK(v[1].as_double() == 1e-5);
  CHECK(v[2].as_double() == 3.0e38);
  CHECK(v[3].as_double() == from_bits(1));  // just above half the smallest subnormal
  CHECK(v[4].as_double() == 6.02214076e23);
}
