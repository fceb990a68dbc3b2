#pragma once
// Constexpr maths on double: sqrt, exp, log, log2, log10, pow, sin, cos and the small helpers
// (abs, floor, ceil, round, trunc, ldexp, frexp, isnan...). std:: maths is not constexpr on
// Clang, so txmath writes its own, to within a few ulp of <cmath>:
//   sqrt  correctly rounded (exact integer square root of the significand);
//   exp, log, log2, log10  within 1 ulp (log is computed in double-double);
//   pow   within 1-2 ulp even when |y log x| is large: y * log(x) is formed in double-double
//         and fed to an exp that takes a double-double argument;
//   sin, cos  within 1 ulp for every finite x (Cody-Waite reduction below 2^27, Payne-Hanek
//         above).
// Special values follow C99 Annex F (NaN in, NaN out; log(0) = -inf; pow(x, 0) = 1...).
//
// Constant evaluation is stricter than the FPU: GCC rejects an operation that overflows to
// infinity and Clang rejects one that yields (or is given) a NaN. So these functions return
// infinities and NaNs as constants and never compute with them.
//
// Only round-to-nearest is supported. Dekker's exact product (two_prod) breaks if the
// compiler fuses a*b+c behind our back, so where the target has FMA (and the compiler may
// contract) it uses the FMA itself at run time: the same exact result. Contraction
// elsewhere (polynomials) may still change a last bit between run time and compile time on
// such targets; on plain x86-64 the two agree bit for bit.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <txmath/config.hpp>

namespace txmath::detail::fp {

inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();
inline constexpr std::uint64_t sign_mask = std::uint64_t{1} << 63;

constexpr std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }
constexpr double from_bits(std::uint64_t b) { return std::bit_cast<double>(b); }

// 2^n for n in [-1022, 1023], exactly.
constexpr double pow2(int n) { return from_bits(static_cast<std::uint64_t>(n + 1023) << 52); }

// |x| = m * 2^e with m in [1, 2), for finite nonzero x (subnormals included).
struct decomposed {
  double m;
  int e;
};
constexpr decomposed decompose(double x) {
  int bias = 0;
  if ((bits(x) & ~sign_mask) < (std::uint64_t{1} << 52)) {  // subnormal: scale up first
    x *= 0x1p64;
    bias = 64;
  }
  const std::uint64_t b = bits(x);
  const int e = static_cast<int>((b >> 52) & 0x7ff) - 1023 - bias;
  const double m = from_bits((b & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1023} << 52));
  return {m, e};
}

// ---- double-double arithmetic: a value hi + lo with |lo| <= ulp(hi) / 2 ---------------
struct dd {
  double hi;
  double lo = 0;
};

// a + b exactly (Knuth).
constexpr dd two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
// a + b exactly when |a| >= |b| (Dekker).
constexpr dd fast_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}
// a * b exactly: Dekker's product with Veltkamp's split into 26-bit halves. Needs |a|, |b|
// below about 2^995 (the split multiplies by 2^27 + 1).
constexpr dd two_prod(double a, double b) {
  const double p = a * b;
#if defined(__FMA__) || defined(__FP_FAST_FMA) || defined(__ARM_FEATURE_FMA)
  // The compiler may contract the split below into FMAs, which breaks it; use the FMA.
  if (!std::is_constant_evaluated()) return {p, __builtin_fma(a, b, -p)};
#endif
  constexpr double splitter = 0x1p27 + 1;
  const double ta = splitter * a, tb = splitter * b;
  const double ah = ta - (ta - a), al = a - ah;
  const double bh = tb - (tb - b), bl = b - bh;
  return {p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
}

constexpr dd add(dd a, dd b) {
  dd s = two_sum(a.hi, b.hi);
  const dd t = two_sum(a.lo, b.lo);
  s = fast_two_sum(s.hi, s.lo + t.hi);
  return fast_two_sum(s.hi, s.lo + t.lo);
}
constexpr dd mul(dd a, dd b) {
  const dd p = two_prod(a.hi, b.hi);
  return fast_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}
constexpr dd div(dd a, dd b) {
  const double q1 = a.hi / b.hi;
  const dd r = add(a, mul({-q1}, b));  // a - q1 * b, nearly exact
  return fast_two_sum(q1, r.hi / b.hi);
}

// Constants as double-doubles (printed from 400-bit mpmath values).
inline constexpr dd ln2{0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56};
inline constexpr dd inv_ln2{0x1.71547652b82fep+0, 0x1.777d0ffda0d24p-56};
inline constexpr dd inv_ln10{0x1.bcb7b1526e50ep-2, 0x1.95355baaafad3p-57};
inline constexpr dd third{0x1.5555555555555p-2, 0x1.5555555555555p-56};

// p(z) = c[0] + c[1] z + c[2] z^2 + ...
template <std::size_t N>
constexpr double horner(double z, const double (&c)[N]) {
  double r = c[N - 1];
  for (std::size_t i = N - 1; i-- > 0;) r = r * z + c[i];
  return r;
}

// 1/n!, rounded once (n! is exact in double up to n = 22).
constexpr double inv_factorial(int n) {
  double f = 1;
  for (int i = 2; i <= n; ++i) f *= i;
  return 1 / f;
}

// floor(sqrt(v)), digit by digit, for 2^106 <= v < 2^108.
constexpr u128 isqrt_106_108(u128 v) {
  u128 root = 0;
  for (u128 bit = u128{1} << 106; bit != 0; bit >>= 2) {
    if (v >= root + bit) {
      v -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
  }
  return root;
}

}  // namespace txmath::detail::fp

namespace txmath::math {

// ---- classification and the exact helpers ----------------------------------------------
constexpr bool isnan(double x) { return x != x; }
constexpr bool isinf(double x) { return x == detail::fp::inf || x == -detail::fp::inf; }
constexpr bool isfinite(double x) { return !isnan(x) && !isinf(x); }
constexpr bool signbit(double x) { return (detail::fp::bits(x) & detail::fp::sign_mask) != 0; }

constexpr double abs(double x) {
  return detail::fp::from_bits(detail::fp::bits(x) & ~detail::fp::sign_mask);
}
constexpr double copysign(double mag, double sgn) {
  using namespace detail::fp;
  return from_bits((bits(mag) & ~sign_mask) | (bits(sgn) & sign_mask));
}

// Rounding to integers. Every double of magnitude >= 2^52 is already an integer; below
// that the value fits an int64_t. The sign is kept: trunc(-0.5) = -0.
constexpr double trunc(double x) {
  if (!(abs(x) < 0x1p52)) return x;  // large, infinite or NaN
  return copysign(static_cast<double>(static_cast<std::int64_t>(x)), x);
}
constexpr double floor(double x) {
  const double t = trunc(x);
  return t > x ? t - 1 : t;
}
constexpr double ceil(double x) {
  const double t = trunc(x);
  return t < x ? t + 1 : t;
}
// Halfway cases away from zero, like std::round. (x - t is exact, so 0.49999999999999994
// does not round to 1.)
constexpr double round(double x) {
  if (!(abs(x) < 0x1p52)) return x;  // large, infinite or NaN (no arithmetic on NaN)
  const double t = trunc(x);
  return abs(x - t) >= 0.5 ? t + copysign(1.0, x) : t;
}

// x * 2^n, rounded once (like std::ldexp): correct for subnormal results and overflow.
constexpr double ldexp(double x, int n) {
  using namespace detail::fp;
  if (x == 0 || !isfinite(x)) return x;
  const auto [m, e0] = decompose(abs(x));
  // Clamp first so that e0 + n cannot overflow an int; the result is decided anyway.
  const int e = e0 + (n > 4000 ? 4000 : n < -4000 ? -4000 : n);
  if (e > 1023) return copysign(inf, x);
  if (e >= -1022) return copysign(m * pow2(e), x);  // normal: exact
  if (e < -1076) return copysign(0.0, x);           // below half the smallest subnormal
  // Subnormal: an exact scaling into [2^-54, 1), then one rounding multiply.
  return copysign(m * pow2(e + 1022) * pow2(-1022), x);
}

// Like std::frexp: x = result * 2^*exp with |result| in [0.5, 1); 0, inf, NaN unchanged.
constexpr double frexp(double x, int* exp) {
  *exp = 0;
  if (x == 0 || !isfinite(x)) return x;
  const auto [m, e] = detail::fp::decompose(x);  // m > 0
  *exp = e + 1;
  return copysign(m * 0.5, x);
}

// ---- sqrt -------------------------------------------------------------------------------
// Correctly rounded: x = mant * 2^e with a 53-bit integer mant and e even; then
// sqrt(x) = sqrt(mant * 2^54) * 2^((e - 54) / 2), and the integer square root of
// mant * 2^54 holds the 53 result bits plus one rounding bit. (A tie would need an odd
// root whose square is divisible by 2^54, so there is none, and no sticky bit is needed.)
constexpr double sqrt(double x) {
  using namespace detail::fp;
  if (isnan(x) || x == 0 || x == inf) return x;  // sqrt(-0) = -0
  if (x < 0) return nan;
  auto [m, e] = decompose(x);  // x = m * 2^e
  auto mant = static_cast<std::uint64_t>(m * 0x1p52);
  e -= 52;
  if (e % 2 != 0) {
    mant <<= 1;
    e -= 1;
  }
  // root is in [2^53, 2^54).
  const detail::u128 root = isqrt_106_108(static_cast<detail::u128>(mant) << 54);
  const auto q = static_cast<std::uint64_t>((root >> 1) + (root & 1));  // <= 2^53, exact
  return ldexp(static_cast<double>(q), (e - 54) / 2 + 1);
}

}  // namespace txmath::math

// The kernels below need the helpers above.
namespace txmath::detail::fp {

// ---- exp --------------------------------------------------------------------------------

// 1/2!, 1/3!, ..., 1/14!: Taylor coefficients of (e^r - 1 - r) / r^2. On |r| <= ln2/2 the
// first omitted term, r^15/15!, is below 1e-19.
inline constexpr double exp_coeffs[] = {
    inv_factorial(2),  inv_factorial(3),  inv_factorial(4),  inv_factorial(5),
    inv_factorial(6),  inv_factorial(7),  inv_factorial(8),  inv_factorial(9),
    inv_factorial(10), inv_factorial(11), inv_factorial(12), inv_factorial(13),
    inv_factorial(14)};

// e^(rh + rl) for |rh| <= ~0.35, |rl| tiny, as one rounded double in [0.7, 1.42]. 1 + rh is
// kept exact and everything small is added to its low part, so that nearly all the error
// is the final rounding.
constexpr double exp_small(dd r) {
  const double p = r.hi * r.hi * horner(r.hi, exp_coeffs);  // e^rh - 1 - rh
  // e^(rh + rl) ~= (1 + rh + p)(1 + rl)
  const double tail = p + (r.lo + r.lo * (r.hi + p));
  const dd one_plus = two_sum(1.0, r.hi);
  return one_plus.hi + (one_plus.lo + tail);
}

// e^(x.hi + x.lo). Reduction: x = k ln2 + r with |r| <= ln2/2; e^x = 2^k e^r. ln2 is split
// Cody-Waite style into a 40-bit head (k * head is exact for |k| < 2^13, and x.hi - k * head
// is exact) and a tail, and r is carried as a double-double.
constexpr double exp_dd(dd x) {
  constexpr double overflow = 0x1.62e42fefa39efp+9;  // ~709.78: above, e^x > DBL_MAX
  constexpr double underflow = -746;                 // below, e^x < 2^-1075: rounds to 0
  if (x.hi > overflow) return inf;
  if (x.hi < underflow) return 0;
  constexpr double ln2_head = 0x1.62e42fefa4000p-1;
  constexpr double ln2_tail = -0x1.8432a1b0e2634p-43;
  const double k = math::round(x.hi * inv_ln2.hi);
  const dd r = two_sum(x.hi - k * ln2_head, x.lo - k * ln2_tail);
  return math::ldexp(exp_small(r), static_cast<int>(k));
}

// ---- log --------------------------------------------------------------------------------

// 1/5, 1/7, ..., 1/29: the series 2 atanh(s) = 2s (1 + s^2/3 + s^4/5 + ...) from the s^4 term
// on, in w = s^2. With |s| <= 0.172 (w <= 0.0295) the first omitted term is below 2^-70.
inline constexpr double log_coeffs[] = {1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13,
                                        1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23,
                                        1.0 / 25, 1.0 / 27, 1.0 / 29};

// x = 2^e m with m in [sqrt(1/2), sqrt(2)), so that |ln m| <= ln(2)/2, for finite x > 0.
constexpr decomposed split_for_log(double x) {
  auto [m, e] = decompose(x);
  if (m > 0x1.6a09e667f3bcdp+0) return {m * 0.5, e + 1};  // sqrt(2)
  return {m, e};
}

// ln m for m in [sqrt(1/2), sqrt(2)], as a double-double with relative error below ~2^-64:
// ln m = 2 atanh(s), s = (m - 1)/(m + 1), |s| <= 0.172.
constexpr dd log_reduced(double m) {
  const dd s = div({m - 1}, two_sum(m, 1.0));  // m - 1 is exact (Sterbenz)
  const dd w = mul(s, s);
  // 1/3 + w/5 + w^2/7 + ...: the head in double-double, the small rest in double.
  const dd series = add(third, {w.hi * horner(w.hi, log_coeffs)});
  const dd atanh_s = add(s, mul(mul(s, w), series));
  return {2 * atanh_s.hi, 2 * atanh_s.lo};
}

// ln x = e ln2 + ln m, as a double-double, for finite x > 0 (subnormals included).
constexpr dd log_dd(double x) {
  const auto [m, e] = split_for_log(x);
  const dd e_ln2 = add(two_prod(e, ln2.hi), {e * ln2.lo});
  return add(e_ln2, log_reduced(m));
}

// ---- sin, cos ---------------------------------------------------------------------------

// Taylor coefficients in z = r^2: sin r = r (1 + z (-1/3! + z/5! - ...)), up to r^17;
// cos r = 1 - z/2 + z^2 (1/4! - z/6! + ...), up to r^18. On |r| <= pi/4 the first omitted
// terms are below 2^-62 relative.
inline constexpr double sin_coeffs[] = {
    -inv_factorial(3),  inv_factorial(5),  -inv_factorial(7), inv_factorial(9),
    -inv_factorial(11), inv_factorial(13), -inv_factorial(15), inv_factorial(17)};
inline constexpr double cos_coeffs[] = {
    inv_factorial(4),  -inv_factorial(6),  inv_factorial(8),  -inv_factorial(10),
    inv_factorial(12), -inv_factorial(14), inv_factorial(16), -inv_factorial(18)};

// sin(rh + rl) ~= sin rh + rl cos rh, |rh| <= ~pi/4.
constexpr double sin_small(dd r) {
  const double z = r.hi * r.hi;
  const double p = r.hi * z * horner(z, sin_coeffs);  // sin rh - rh
  return r.hi + (p + r.lo * (1 - 0.5 * z));
}
// cos(rh + rl) ~= cos rh - rl sin rh. 1 - z/2 is formed exactly (z = rh^2 as a
// double-double, and the rounding of 1 - hz recovered), so that cos is accurate near pi/4.
constexpr double cos_small(dd r) {
  const dd z = two_prod(r.hi, r.hi);
  const double hz = 0.5 * z.hi;
  const double w = 1 - hz;
  const double q = z.hi * z.hi * horner(z.hi, cos_coeffs);
  return w + ((((1 - w) - hz) - 0.5 * z.lo) + (q - r.hi * r.lo));
}

struct reduced_angle {
  dd r;          // x - k pi/2, |r| <= ~pi/4
  int quadrant;  // k mod 4
};

// Cody-Waite, for |x| < 2^27: x - k pi/2 with pi/2 split into 26-bit pieces (k * piece is
// exact for |k| < 2^27) plus a last full double, about 157 bits of pi/2 in all.
// x - k * piece[0] is exact; the other pieces are subtracted in double-double.
constexpr reduced_angle reduce_half_pi_medium(double x) {
  constexpr double piece[] = {0x1.921fb58p+0, -0x1.dde974p-27, 0x1.1a6263p-54,
                              0x1.8a2e038p-81, -0x1.f1976b7ed8fbcp-110};
  constexpr double two_over_pi = 0x1.45f306dc9c883p-1;
  const double k = math::round(x * two_over_pi);
  dd r{x - k * piece[0]};
  for (int i = 1; i < 5; ++i) {
    const dd s = two_sum(r.hi, -(k * piece[i]));
    r = fast_two_sum(s.hi, s.lo + r.lo);
  }
  return {r, static_cast<int>(static_cast<std::int64_t>(k) & 3)};  // |k| < 2^27
}

// The binary digits of 2/pi after the point, 64 a word, after one word of zeros (the digits
// before the point, so that a window may start left of the point). 1280 bits: enough for
// the largest double. (Printed from a 1600-bit mpmath value.)
inline constexpr std::uint64_t two_over_pi_bits[] = {
    0,
    0xA2F9836E4E441529, 0xFC2757D1F534DDC0, 0xDB6295993C439041, 0xFE5163ABDEBBC561,
    0xB7246E3A424DD2E0, 0x06492EEA09D1921C, 0xFE1DEB1CB129A73E, 0xE88235F52EBB4484,
    0xE99C7026B45F7E41, 0x3991D639835339F4, 0x9C845F8BBDF9283B, 0x1FF897FFDE05980F,
    0xEF2F118B5A0A6D1F, 0x6D367ECF27CB09B7, 0x4F463F669E5FEA2D, 0x7527BAC7EBE5F17B,
    0x3D0739F78A5292EA, 0x6BFB5FB11F8D5D08, 0x56033046FC7B6BAB, 0xF0CFBC209AF4361D};
inline constexpr dd half_pi{0x1.921fb54442d18p+0, 0x1.1a62633145c07p-54};

// Payne-Hanek, for 2^27 <= |x| < inf. x = M 2^E with a 53-bit integer M. The digits of
// 2/pi of weight 2^-i with i <= E - 2 add multiples of 4 to x * 2/pi, which do not change
// sin or cos; so only a 192-bit window W of them, from weight 2^-(E-1) on, is needed:
// x * 2/pi = M * W * 2^-190 (mod 4), up to less than 2^-137. The product's top two bits
// are k mod 4, the other 190 bits the fraction.
constexpr reduced_angle reduce_half_pi_large(double x) {
  const auto [m, e] = decompose(math::abs(x));
  const auto mant = static_cast<std::uint64_t>(m * 0x1p52);
  const int first = e - 52 - 2 + 64;  // index of the window's first bit in two_over_pi_bits
  const int word = first / 64, shift = first % 64;
  std::uint64_t w[3];
  for (int j = 0; j < 3; ++j) {
    w[j] = two_over_pi_bits[word + j] << shift;
    if (shift != 0) w[j] |= two_over_pi_bits[word + j + 1] >> (64 - shift);
  }
  // (r2 r1 r0) = mant * (w0 w1 w2) mod 2^192; r0 is the low word.
  u128 t = static_cast<u128>(mant) * w[2];
  const auto r0 = static_cast<std::uint64_t>(t);
  t = static_cast<u128>(mant) * w[1] + (t >> 64);
  const auto r1 = static_cast<std::uint64_t>(t);
  t = static_cast<u128>(mant) * w[0] + (t >> 64);
  const auto r2 = static_cast<std::uint64_t>(t);
  int quadrant = static_cast<int>(r2 >> 62);
  // The fraction, as a 192-bit fixed-point number (f2 f1 f0) * 2^-192.
  std::uint64_t f[3] = {r0 << 2, (r1 << 2) | (r0 >> 62), (r2 << 2) | (r1 >> 62)};
  const bool negative = (f[2] >> 63) != 0;  // fraction >= 1/2: round k up, take f - 1
  if (negative) {
    ++quadrant;
    bool carry = true;  // two's complement: ~f + 1
    for (std::uint64_t& word_ : f) {
      word_ = ~word_ + (carry ? 1 : 0);
      carry = carry && word_ == 0;
    }
  }
  // Sum the 32-bit pieces, small first; each is exact in a double.
  dd frac{0};
  for (int i = 0; i < 6; ++i) {
    const auto piece = static_cast<double>((f[i / 2] >> (32 * (i % 2))) & 0xffffffff);
    frac = add(frac, {math::ldexp(piece, 32 * i - 192)});
  }
  dd r = mul(frac, half_pi);
  if (negative != (x < 0)) r = {-r.hi, -r.lo};
  if (x < 0) quadrant = -quadrant;
  return {r, quadrant & 3};
}

// x = k pi/2 + r, |r| <= ~pi/4, for finite x.
constexpr reduced_angle reduce_half_pi(double x) {
  return math::abs(x) < 0x1p27 ? reduce_half_pi_medium(x) : reduce_half_pi_large(x);
}

// ---- pow --------------------------------------------------------------------------------
constexpr bool is_integer(double y) { return math::trunc(y) == y; }  // y finite
// An odd integer: below 2^53 in magnitude (all larger doubles are even).
constexpr bool is_odd_integer(double y) {
  return is_integer(y) && math::abs(y) < 0x1p53 && (static_cast<std::int64_t>(y) & 1) != 0;
}

}  // namespace txmath::detail::fp

namespace txmath::math {

// e^x, within 1 ulp; overflows to +inf above ~709.78, underflows through the subnormals to
// 0 below ~-745.13.
constexpr double exp(double x) {
  if (isnan(x)) return x;
  return detail::fp::exp_dd({x});
}

// Natural logarithm, within 1 ulp (nearly always correctly rounded).
constexpr double log(double x) {
  using namespace detail::fp;
  if (isnan(x) || x == inf) return x;
  if (x == 0) return -inf;
  if (x < 0) return nan;
  return log_dd(x).hi;
}

// Base-2 logarithm; exact for powers of two.
constexpr double log2(double x) {
  using namespace detail::fp;
  if (isnan(x) || x == inf) return x;
  if (x == 0) return -inf;
  if (x < 0) return nan;
  const auto [m, e] = split_for_log(x);  // log2 x = e + ln(m) / ln 2
  return add({static_cast<double>(e)}, mul(log_reduced(m), inv_ln2)).hi;
}

// Base-10 logarithm; exact for the powers of ten a double holds exactly (1, 10, ..., 1e22).
constexpr double log10(double x) {
  using namespace detail::fp;
  if (isnan(x) || x == inf) return x;
  if (x == 0) return -inf;
  if (x < 0) return nan;
  return mul(log_dd(x), inv_ln10).hi;
}

// Sine and cosine, within 1 ulp.
constexpr double sin(double x) {
  using namespace detail::fp;
  if (isnan(x)) return x;
  if (isinf(x)) return nan;
  if (abs(x) < 0x1p-27) return x;  // sin x = x - x^3/6 rounds to x; keeps -0
  const auto [r, quadrant] = reduce_half_pi(x);
  switch (quadrant) {
    case 0: return sin_small(r);
    case 1: return cos_small(r);
    case 2: return -sin_small(r);
    default: return -cos_small(r);
  }
}
constexpr double cos(double x) {
  using namespace detail::fp;
  if (isnan(x)) return x;
  if (isinf(x)) return nan;
  if (abs(x) < 0x1p-27) return 1;  // cos x = 1 - x^2/2 rounds to 1
  const auto [r, quadrant] = reduce_half_pi(x);
  switch (quadrant) {
    case 0: return cos_small(r);
    case 1: return -sin_small(r);
    case 2: return -cos_small(r);
    default: return sin_small(r);
  }
}

// x^y, within 1-2 ulp. e^(y ln|x|) with ln|x| as a double-double and y ln|x| formed exactly
// enough that a product of several hundred keeps full precision. Special cases as C99 F.9.4.
constexpr double pow(double x, double y) {
  using namespace detail::fp;
  if (y == 0 || x == 1) return 1;  // even for NaN
  if (isnan(x)) return x;
  if (isnan(y)) return y;
  const bool y_odd = is_odd_integer(y);
  if (isinf(y)) {
    const double ax = abs(x);
    if (ax == 1) return 1;  // pow(-1, +-inf)
    return (ax > 1) == (y > 0) ? inf : 0.0;
  }
  if (x == 0) {  // +-0: the sign survives odd y
    if (y < 0) return y_odd ? copysign(inf, x) : inf;
    return y_odd ? x : 0.0;
  }
  if (isinf(x)) {
    const double mag = y < 0 ? 0.0 : inf;
    return x < 0 && y_odd ? -mag : mag;
  }
  if (x < 0 && !is_integer(y)) return nan;
  const double sign = x < 0 && y_odd ? -1.0 : 1.0;

  const dd ln_x = log_dd(abs(x));
  if (ln_x.hi == 0) return sign;  // x == -1
  // |y| >= 2^64 makes |y ln|x|| > 2000 (|ln|x|| >= 2^-53 when |x| != 1): the result
  // overflows or underflows. (Such y are even, so the sign is +.) This also keeps the
  // product below the range where two_prod's split overflows.
  if (abs(y) >= 0x1p64) return (y > 0) == (ln_x.hi > 0) ? inf : 0.0;
  const dd t = two_prod(y, ln_x.hi);
  const dd y_ln_x = fast_two_sum(t.hi, t.lo + y * ln_x.lo);
  return sign * exp_dd(y_ln_x);
}

}  // namespace txmath::math
