#pragma once
// Opt-in: Boost.Multiprecision's cpp_int as an exact, unbounded cost type for contraction
// paths (tensor networks of hundreds of operands cost far more than 2^128 FLOPs).
//
//   #include <txmath/boost.hpp>
//   auto info = txmath::contract_path<boost::multiprecision::cpp_int>(net, opts);
//
// Kept out of <txmath/txmath.hpp>: including Boost.Multiprecision costs over a second per
// translation unit.
#include <cstdint>
#include <string>

#include <boost/multiprecision/cpp_int.hpp>

#include <txmath/einsum_cost.hpp>
#include <txmath/einsum_path.hpp>

namespace txmath {

template <class Backend, boost::multiprecision::expression_template_option ET>
struct cost_traits<boost::multiprecision::number<Backend, ET>> {
  using type = boost::multiprecision::number<Backend, ET>;
  static type from_count(count c) {
    const detail::u128 v = c.rep_value();
    type r = static_cast<std::uint64_t>(v >> 64);
    r <<= 64;
    r += static_cast<std::uint64_t>(v);
    return r;
  }
  static std::string to_string(const type& c) { return c.str(); }
  static double to_double(const type& c) { return c.template convert_to<double>(); }
};

}  // namespace txmath
