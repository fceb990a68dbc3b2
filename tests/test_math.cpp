// txmath::math against exact values (at compile time and at run time) and against <cmath>
// over many inputs, measuring the largest error in ulp.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <txmath/core/math.hpp>

namespace math = txmath::math;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double qnan = std::numeric_limits<double>::quiet_NaN();
constexpr double denorm_min = std::numeric_limits<double>::denorm_min();

// Values known exactly (or correctly rounded), checked in static_assert and at run time.
constexpr bool known_values() {
  bool ok = true;
  ok &= math::sqrt(2) == 0x1.6a09e667f3bcdp+0;  // correctly rounded sqrt(2)
  ok &= math::sqrt(4) == 2 && math::sqrt(0.25) == 0.5 && math::sqrt(1e300 * 1e-300) == 1;
  ok &= math::sqrt(0x1p-1074) == 0x1p-537;  // smallest subnormal
  ok &= math::sqrt(0x1.fffffffffffffp+1023) == 0x1.fffffffffffffp+511;
  ok &= math::exp(0) == 1 && math::exp(-0.0) == 1;
  ok &= math::exp(1) == 0x1.5bf0a8b145769p+1;  // e, correctly rounded
  ok &= math::log(1) == 0 && math::log(0x1.5bf0a8b145769p+1) == 1;
  ok &= math::log2(1024) == 10 && math::log2(0.125) == -3 && math::log2(0x1p-1074) == -1074;
  ok &= math::log10(1000) == 3 && math::log10(1e22) == 22 && math::log10(0.001) == -3;
  ok &= math::pow(2, 10) == 1024 && math::pow(2, -1) == 0.5 && math::pow(-2, 3) == -8;
  ok &= math::pow(10, 3) == 1000 && math::pow(4, 0.5) == 2 && math::pow(0x1p-100, 1.5) == 0x1p-150;
  ok &= math::cos(0) == 1 && math::sin(0) == 0 && math::sin(1e-300) == 1e-300;
  ok &= math::floor(-1.5) == -2 && math::ceil(-1.5) == -1 && math::round(-1.5) == -2;
  ok &= math::round(2.5) == 3 && math::round(0.49999999999999994) == 0 && math::trunc(-2.7) == -2;
  ok &= math::floor(0x1p60) == 0x1p60 && math::ceil(1e-300) == 1;
  ok &= math::abs(-3.5) == 3.5 && math::ldexp(1, -1074) == denorm_min;
  ok &= math::ldexp(1, 1024) == inf && math::ldexp(0x1p-1074, 2097) == 0x1p1023;
  ok &= math::floor(inf) == inf && math::ceil(-inf) == -inf && math::round(-inf) == -inf;
  ok &= math::isnan(math::round(qnan)) && math::isnan(math::floor(qnan));
  ok &= math::isnan(math::trunc(qnan)) && math::isnan(math::ceil(qnan));
  ok &= math::isnan(qnan) && !math::isnan(inf) && math::isinf(-inf) && !math::isfinite(inf);
  ok &= math::isfinite(1e308) && !math::isfinite(qnan);
  return ok;
}
static_assert(known_values());
TEST_CASE("known values, at compile time and at run time") { CHECK(known_values()); }

// Distance in units in the last place: the number of doubles between a and b.
std::uint64_t ulp_distance(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : ~std::uint64_t{0};
  auto ordered = [](double x) {
    const auto i = std::bit_cast<std::int64_t>(x);
    return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;  // -0 and +0 both 0
  };
  const std::int64_t d = ordered(a) - ordered(b);
  return d < 0 ? static_cast<std::uint64_t>(-d) : static_cast<std::uint64_t>(d);
}

std::mt19937_64& rng() {
  static std::mt19937_64 g(20240917);
  return g;
}
// n values spread log-uniformly over [lo, hi] (lo > 0).
std::vector<double> log_uniform(double lo, double hi, int n) {
  std::uniform_real_distribution<double> u(std::log(lo), std::log(hi));
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(std::exp(u(rng())));
  return v;
}
std::vector<double> uniform(double lo, double hi, int n) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(u(rng()));
  return v;
}
std::vector<double> negated(std::vector<double> v) {
  for (double& x : v) x = -x;
  return v;
}
// (Separate statements, not arguments of one call: the order in which arguments are
// evaluated differs between compilers, and so would the inputs.)
void append(std::vector<double>& a, const std::vector<double>& b) {
  a.insert(a.end(), b.begin(), b.end());
}

// The largest ulp distances of ours(x, y) from ref(x, y), for `ref` a generic lambda over
// <cmath>: once from its double result, and once from its long double result rounded to
// double, a far better reference where long double has 64 bits (x86-64), since glibc's
// double log10 and its sin/cos near their zeros are themselves a few ulp off.
struct errors {
  std::uint64_t vs_cmath = 0, vs_long_double = 0;
};
constexpr bool long_double_is_wider = std::numeric_limits<long double>::digits >= 64;

template <class Ours, class Ref>
errors measure(const char* name, const std::vector<double>& xs, const std::vector<double>& ys,
               Ours ours, Ref ref) {
  errors worst;
  double wx = 0, wy = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double x = xs[i], y = ys.empty() ? 0 : ys[i];
    const double got = ours(x, y);
    const std::uint64_t d = ulp_distance(got, ref(x, y));
    const std::uint64_t dl = ulp_distance(
        got, static_cast<double>(ref(static_cast<long double>(x), static_cast<long double>(y))));
    if (dl > worst.vs_long_double || (dl == worst.vs_long_double && d > worst.vs_cmath))
      wx = x, wy = y;
    worst.vs_cmath = std::max(worst.vs_cmath, d);
    worst.vs_long_double = std::max(worst.vs_long_double, dl);
  }
  char text[200];
  std::snprintf(text, sizeof text,
                "%-28s max %llu ulp from <cmath>, %llu from long double, over %zu inputs "
                "(worst at %a, %a)",
                name, static_cast<unsigned long long>(worst.vs_cmath),
                static_cast<unsigned long long>(worst.vs_long_double), xs.size(), wx, wy);
  MESSAGE(std::string(text));
  return worst;
}

// Checks the bound against <cmath>, and 1 ulp against the long double reference.
#define CHECK_ERRORS(measured, bound)                                     \
  do {                                                                    \
    const errors e_ = (measured);                                         \
    CHECK(e_.vs_cmath <= (bound));                                        \
    if (long_double_is_wider) CHECK(e_.vs_long_double <= 1);              \
  } while (false)

constexpr int n = 40000;

}  // namespace

TEST_CASE("sqrt is correctly rounded") {
  // Random bit patterns cover every exponent, subnormals included.
  std::uniform_int_distribution<std::uint64_t> bits(1, 0x7fefffffffffffff);
  std::vector<double> xs;
  for (int i = 0; i < n; ++i) xs.push_back(std::bit_cast<double>(bits(rng())));
  append(xs, log_uniform(denorm_min, 0x1p-1022, n / 4));
  const errors e = measure("sqrt", xs, {}, [](double x, double) { return math::sqrt(x); },
                           [](auto x, auto) { return std::sqrt(x); });
  CHECK(e.vs_cmath == 0);
}

TEST_CASE("exp") {
  auto xs = uniform(-745.1, 709.78, n);
  append(xs, log_uniform(1e-20, 2, n / 2));
  append(xs, negated(log_uniform(1e-20, 2, n / 2)));
  append(xs, uniform(-745.14, -708, n / 4));  // subnormal results
  CHECK_ERRORS(measure("exp", xs, {}, [](double x, double) { return math::exp(x); },
                       [](auto x, auto) { return std::exp(x); }),
               2);
}

TEST_CASE("log, log2, log10") {
  auto xs = log_uniform(1e-300, 1e300, n);
  append(xs, log_uniform(denorm_min, 0x1p-1022, n / 4));
  append(xs, uniform(0.5, 2, n / 2));
  for (double d : log_uniform(1e-16, 0.3, n / 4)) xs.push_back(1 + d), xs.push_back(1 - d);
  CHECK_ERRORS(measure("log", xs, {}, [](double x, double) { return math::log(x); },
                       [](auto x, auto) { return std::log(x); }),
               2);
  CHECK_ERRORS(measure("log2", xs, {}, [](double x, double) { return math::log2(x); },
                       [](auto x, auto) { return std::log2(x); }),
               2);
  // glibc's double log10 is itself up to 2 ulp off.
  CHECK_ERRORS(measure("log10", xs, {}, [](double x, double) { return math::log10(x); },
                       [](auto x, auto) { return std::log10(x); }),
               3);
}

TEST_CASE("sin, cos") {
  auto xs = uniform(-1e5, 1e5, n);
  append(xs, log_uniform(1e-10, 1e5, n / 2));
  append(xs, negated(log_uniform(1e-10, 1e5, n / 2)));
  append(xs, uniform(0, 3.141592653589793, n / 4));  // cosine schedules: cos(pi t / T)
  for (int k = 1; k < 100000; k += 7) xs.push_back(k * 1.5707963267948966);  // near k pi/2
  CHECK_ERRORS(measure("sin", xs, {}, [](double x, double) { return math::sin(x); },
                       [](auto x, auto) { return std::sin(x); }),
               2);
  CHECK_ERRORS(measure("cos", xs, {}, [](double x, double) { return math::cos(x); },
                       [](auto x, auto) { return std::cos(x); }),
               2);
  // Beyond 2^27 the reduction switches to Payne-Hanek; check both sides and the top. Near
  // its zeros glibc's double cos is several ulp off, so only the long double bound holds.
  auto far = log_uniform(1e5, 1e308, n / 4);
  append(far, negated(log_uniform(1e5, 1e308, n / 4)));
  append(far, uniform(0x1p27 - 1e3, 0x1p27 + 1e3, n / 8));
  append(far, {0x1.fffffffffffffp+1023, 0x1p1023, 0x1p27, 6381956970095103.0 * 0x1p797,
                   5491554888601145.0 * 0x1p-52 * 0x1p3});  // hard cases for reduction
  CHECK_ERRORS(measure("sin, large |x|", far, {}, [](double x, double) { return math::sin(x); },
                       [](auto x, auto) { return std::sin(x); }),
               16);
  CHECK_ERRORS(measure("cos, large |x|", far, {}, [](double x, double) { return math::cos(x); },
                       [](auto x, auto) { return std::cos(x); }),
               16);
}

TEST_CASE("pow") {
  auto ours = [](double x, double y) { return math::pow(x, y); };
  auto ref = [](auto x, auto y) { return std::pow(x, y); };
  // The ranges of scaling laws: x in [1e-10, 1e30], y in [-5, 5].
  {
    const auto xs = log_uniform(1e-10, 1e30, n);
    const auto ys = uniform(-5, 5, n);
    CHECK_ERRORS(measure("pow", xs, ys, ours, ref), 4);
  }
  // |y ln x| up to the overflow and underflow limits, where an uncompensated pow loses
  // ~|y ln x| ulp.
  {
    auto xs = log_uniform(1e-300, 1e300, n / 2);
    append(xs, log_uniform(0.5, 2, n / 2));
    std::vector<double> ys;
    for (double t : uniform(-745, 709.7, n)) ys.push_back(t / std::log(xs[ys.size()]));
    CHECK_ERRORS(measure("pow, large |y ln x|", xs, ys, ours, ref), 4);
  }
  // Integer exponents, negative bases.
  {
    std::vector<double> xs = negated(log_uniform(1e-5, 1e5, n / 2)), ys;
    for (double y : uniform(-60, 60, n / 2)) ys.push_back(std::round(y));
    CHECK_ERRORS(measure("pow, negative x", xs, ys, ours, ref), 4);
  }
  // The exponents of compute-optimal scaling fits, on FLOP and token counts.
  {
    std::vector<double> xs, ys;
    for (double x : log_uniform(1e15, 1e27, n / 4))
      for (double y : {0.34, 0.076, 0.095, 0.050, 0.28, 0.49, 0.51, -0.076, -0.34})
        xs.push_back(x), ys.push_back(y);
    CHECK_ERRORS(measure("pow, scaling-law exponents", xs, ys, ours, ref), 4);
  }
  CHECK(ulp_distance(math::pow(1e25, 0.34), std::pow(1e25, 0.34)) <= 1);
}

TEST_CASE("compile time and run time agree") {
  constexpr double a = math::pow(1e25, 0.34), b = math::exp(-12.5), c = math::log(3e-7),
                   d = math::cos(2.5), e = math::sin(-1e4), f = math::log10(7e21);
  volatile double one = 1;  // keeps the run-time calls at run time
  CHECK(a == math::pow(1e25 * one, 0.34));
  CHECK(b == math::exp(-12.5 * one));
  CHECK(c == math::log(3e-7 * one));
  CHECK(d == math::cos(2.5 * one));
  CHECK(e == math::sin(-1e4 * one));
  CHECK(f == math::log10(7e21 * one));
}

TEST_CASE("rounding helpers match <cmath>") {
  auto xs = uniform(-10, 10, n / 4);
  append(xs, log_uniform(1e-5, 1e20, n / 4));
  append(xs, negated(log_uniform(1e-5, 1e20, n / 4)));
  for (double x : {0.5, -0.5, 1.5, -1.5, 2.5, -2.5, -0.0, 0.0, 0x1p52 + 1, -0x1p52 - 1,
                   0.49999999999999994, -0.49999999999999994, 0x1p-1074, inf, -inf})
    xs.push_back(x);
  // Bit for bit (signed zeros included); assertions only on failure, to stay fast.
  auto identical = [](double a, double b) {
    return std::isnan(a) ? std::isnan(b)
                         : std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
  };
  xs.push_back(qnan);
  for (double x : xs) {
    if (!identical(math::floor(x), std::floor(x))) FAIL_CHECK("floor " << x);
    if (!identical(math::ceil(x), std::ceil(x))) FAIL_CHECK("ceil " << x);
    if (!identical(math::round(x), std::round(x))) FAIL_CHECK("round " << x);
    if (!identical(math::trunc(x), std::trunc(x))) FAIL_CHECK("trunc " << x);
    if (!identical(math::abs(x), std::fabs(x))) FAIL_CHECK("abs " << x);
    int e1 = 0, e2 = 0;
    if (!identical(math::frexp(x, &e1), std::frexp(x, &e2)) || (std::isfinite(x) && e1 != e2))
      FAIL_CHECK("frexp " << x);
    for (int k : {-2000, -1100, -1074, -1060, -100, -1, 0, 1, 100, 1023, 2000})
      if (!identical(math::ldexp(x, k), std::ldexp(x, k))) FAIL_CHECK("ldexp " << x << " " << k);
  }
}

TEST_CASE("special values") {
  // NaN for NaN, the same infinity or signed zero, otherwise within `ulps`.
  auto same = [](double a, double b, std::uint64_t ulps = 1) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (!std::isfinite(a) || a == 0 || !std::isfinite(b) || b == 0)
      return a == b && std::signbit(a) == std::signbit(b);
    return std::signbit(a) == std::signbit(b) && ulp_distance(a, b) <= ulps;
  };
  const double specials[] = {qnan, inf, -inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0,
                             3.0, -3.0, 2.5, -2.5, denorm_min, -denorm_min, 1e308, -1e308,
                             0x1p53, -0x1p53, 0x1p53 + 2, 1e-10, 710.0, -746.0, 0x1p64};
  for (double x : specials) {
    CAPTURE(x);
    CHECK(same(math::sqrt(x), std::sqrt(x), 0));
    CHECK(same(math::exp(x), std::exp(x)));
    CHECK(same(math::log(x), std::log(x)));
    CHECK(same(math::log2(x), std::log2(x)));
    CHECK(same(math::log10(x), std::log10(x)));
    CHECK(same(math::sin(x), std::sin(x)));
    CHECK(same(math::cos(x), std::cos(x)));
    CHECK(math::isnan(x) == std::isnan(x));
    CHECK(math::isinf(x) == std::isinf(x));
    CHECK(math::isfinite(x) == std::isfinite(x));
    for (double y : specials) {
      CAPTURE(y);
      CHECK(same(math::pow(x, y), std::pow(x, y), 2));
    }
  }
  // The same specials hold in constant evaluation.
  static_assert(math::log(0) == -inf && math::isnan(math::log(-1)) && math::isnan(math::sqrt(-1)));
  static_assert(math::exp(710) == inf && math::exp(-746) == 0 && math::exp(-inf) == 0);
  static_assert(math::exp(-745) == denorm_min && math::exp(-708.5) < 0x1p-1022);
  static_assert(math::pow(0.0, -1) == inf && math::pow(-0.0, -3) == -inf);
  static_assert(math::pow(-1, inf) == 1 && math::pow(qnan, 0) == 1 && math::pow(1, qnan) == 1);
  static_assert(math::isnan(math::pow(-2, 0.5)) && math::isnan(math::pow(qnan, 2)));
  static_assert(math::pow(-8, 1.0 / 3) != math::pow(-8, 1.0 / 3));  // NaN: not an integer
  static_assert(math::pow(10, 400) == inf && math::pow(10, -400) == 0);
  static_assert(math::pow(-10, 401) == -inf && math::signbit(math::pow(-10, -401)));
  static_assert(math::isnan(math::sin(inf)) && math::isnan(math::cos(-inf)));
}
