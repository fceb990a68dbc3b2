#pragma once
// Strong quantity types. A quantity is a value with a dimension: powers of FLOP, byte,
// parameter, token and second. The dimension makes `flops + bytes` a compile error and
// `flops / flop_rate` a time. Exact quantities hold a txmath::count, measured or derived
// ones (time, rates, ratios) a double.
#include <type_traits>

#include <txmath/core/count.hpp>

namespace txmath {

// Exponents of the base units.
template <int Flop, int Byte, int Param, int Token, int Second>
struct dim {
  static constexpr int flop = Flop, byte = Byte, param = Param, token = Token, second = Second;
};

namespace detail {
template <class A, class B>
using dim_product = dim<A::flop + B::flop, A::byte + B::byte, A::param + B::param,
                        A::token + B::token, A::second + B::second>;
template <class A, class B>
using dim_quotient = dim<A::flop - B::flop, A::byte - B::byte, A::param - B::param,
                         A::token - B::token, A::second - B::second>;
using dimensionless = dim<0, 0, 0, 0, 0>;

template <class R>
concept quantity_rep = std::is_same_v<R, count> || std::is_same_v<R, double>;

// count op count stays exact; anything with a double is a double.
template <class A, class B>
using common_rep = std::conditional_t<std::is_same_v<A, count> && std::is_same_v<B, count>, count, double>;

template <class R>
constexpr double as_double(R r) {
  return static_cast<double>(r);
}
}  // namespace detail

template <class Dim, detail::quantity_rep Rep = count>
class quantity {
  Rep v_{};

 public:
  using dimension = Dim;
  using rep = Rep;

  constexpr quantity() = default;
  constexpr explicit quantity(Rep v) : v_(v) {}
  // From any built-in integer (exact) when Rep is count.
  template <detail::builtin_integer I>
  constexpr explicit quantity(I v) requires std::is_same_v<Rep, count> : v_(v) {}
  // count -> double is explicit, like count's own conversion.
  template <class R>
  constexpr explicit quantity(quantity<Dim, R> q) requires(!std::is_same_v<R, Rep>)
      : v_(static_cast<Rep>(q.value())) {}

  constexpr Rep value() const { return v_; }
  constexpr double to_double() const { return detail::as_double(v_); }
  constexpr quantity<Dim, double> approx() const { return quantity<Dim, double>(to_double()); }

  template <class R>
  friend constexpr auto operator+(quantity a, quantity<Dim, R> b) {
    using C = detail::common_rep<Rep, R>;
    return quantity<Dim, C>(static_cast<C>(a.value()) + static_cast<C>(b.value()));
  }
  template <class R>
  friend constexpr auto operator-(quantity a, quantity<Dim, R> b) {
    using C = detail::common_rep<Rep, R>;
    return quantity<Dim, C>(static_cast<C>(a.value()) - static_cast<C>(b.value()));
  }
  constexpr quantity& operator+=(quantity o) { return *this = quantity(v_ + o.v_); }
  constexpr quantity& operator-=(quantity o) { return *this = quantity(v_ - o.v_); }

  // Scaling by a plain number keeps the dimension.
  friend constexpr quantity operator*(quantity a, Rep s) { return quantity(a.v_ * s); }
  friend constexpr quantity operator*(Rep s, quantity a) { return quantity(s * a.v_); }
  template <detail::builtin_integer I>
  friend constexpr quantity operator*(quantity a, I s) { return quantity(a.v_ * Rep(s)); }
  template <detail::builtin_integer I>
  friend constexpr quantity operator*(I s, quantity a) { return quantity(Rep(s) * a.v_); }
  friend constexpr quantity<Dim, double> operator*(quantity a, double s)
    requires std::is_same_v<Rep, count> { return quantity<Dim, double>(a.to_double() * s); }
  friend constexpr quantity<Dim, double> operator*(double s, quantity a)
    requires std::is_same_v<Rep, count> { return quantity<Dim, double>(s * a.to_double()); }
  // Division by a number is approximate (a double); use exact_div on value() for exact.
  friend constexpr quantity<Dim, double> operator/(quantity a, double s) {
    return quantity<Dim, double>(a.to_double() / s);
  }

  // Products and quotients of quantities combine dimensions. Quotients are doubles.
  template <class D2, class R2>
  friend constexpr auto operator*(quantity a, quantity<D2, R2> b) {
    using D = detail::dim_product<Dim, D2>;
    using C = detail::common_rep<Rep, R2>;
    const C v = static_cast<C>(a.value()) * static_cast<C>(b.value());
    if constexpr (std::is_same_v<D, detail::dimensionless>) return v;
    else return quantity<D, C>(v);
  }
  template <class D2, class R2>
  friend constexpr auto operator/(quantity a, quantity<D2, R2> b) {
    using D = detail::dim_quotient<Dim, D2>;
    const double v = a.to_double() / b.to_double();
    if constexpr (std::is_same_v<D, detail::dimensionless>) return v;
    else return quantity<D, double>(v);
  }

  friend constexpr bool operator==(quantity, quantity) = default;
  friend constexpr auto operator<=>(quantity a, quantity b) { return a.v_ <=> b.v_; }

  template <class Ostream>
  friend auto operator<<(Ostream& os, quantity q) -> decltype(os << q.value()) {
    return os << q.value();
  }
};

// The dimensions txmath uses.
namespace dims {
using flop = dim<1, 0, 0, 0, 0>;
using byte = dim<0, 1, 0, 0, 0>;
using param = dim<0, 0, 1, 0, 0>;
using token = dim<0, 0, 0, 1, 0>;
using second = dim<0, 0, 0, 0, 1>;
using flop_rate = dim<1, 0, 0, 0, -1>;
using byte_rate = dim<0, 1, 0, 0, -1>;
using intensity = dim<1, -1, 0, 0, 0>;  // FLOPs per byte
}  // namespace dims

using flops = quantity<dims::flop>;
using bytes = quantity<dims::byte>;
using params = quantity<dims::param>;
using tokens = quantity<dims::token>;
using seconds = quantity<dims::second, double>;
using flop_rate = quantity<dims::flop_rate, double>;    // FLOP/s
using byte_rate = quantity<dims::byte_rate, double>;    // bytes/s
using intensity = quantity<dims::intensity, double>;    // FLOPs per byte

namespace literals {
// Bytes: binary (KiB = 2^10) and decimal (KB = 10^3) units.
#define TXMATH_BYTES_LITERAL(suffix, factor)                                               \
  consteval bytes operator""_##suffix(unsigned long long v) { return bytes(count(v) * count(factor)); } \
  consteval bytes operator""_##suffix(long double v) {                                     \
    return bytes(count::from_floating(v * static_cast<long double>(factor)));              \
  }
TXMATH_BYTES_LITERAL(KiB, 1ULL << 10)
TXMATH_BYTES_LITERAL(MiB, 1ULL << 20)
TXMATH_BYTES_LITERAL(GiB, 1ULL << 30)
TXMATH_BYTES_LITERAL(TiB, 1ULL << 40)
TXMATH_BYTES_LITERAL(KB, 1000ULL)
TXMATH_BYTES_LITERAL(MB, 1000000ULL)
TXMATH_BYTES_LITERAL(GB, 1000000000ULL)
TXMATH_BYTES_LITERAL(TB, 1000000000000ULL)
#undef TXMATH_BYTES_LITERAL

// FLOPs: 4'513'336'524'800_flop, or 1e25_flop (must be an exact integer).
consteval flops operator""_flop(unsigned long long v) { return flops(count(v)); }
consteval flops operator""_flop(long double v) { return flops(count::from_floating(v)); }
}  // namespace literals

}  // namespace txmath
