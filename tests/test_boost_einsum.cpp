// Boost cpp_int as the cost type: identical to count where count fits, exact beyond 2^128,
// and in agreement with the log2 cost there.
#include <doctest/doctest.h>

#include <cmath>

#include <txmath/boost.hpp>
#include <txmath/einsum_random.hpp>

using namespace txmath;
using boost::multiprecision::cpp_int;

TEST_CASE("cpp_int costs equal count costs on small networks") {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const auto net = random_network(9, 3, 2, seed);
    for (auto o : {path_optimizer::optimal, path_optimizer::dp, path_optimizer::greedy}) {
      const auto a = contract_path<count>(net, {.optimize = o});
      const auto b = contract_path<cpp_int>(net, {.optimize = o});
      CHECK(b.opt_flops.str() == a.opt_flops.to_string());
      CHECK(b.naive_flops.str() == a.naive_flops.to_string());
      CHECK(b.largest_intermediate.str() == a.largest_intermediate.to_string());
    }
  }
}

// dp prunes with doubles for count costs only: cpp_int runs the plain search, so agreement in
// every objective shows the pruning loses nothing.
TEST_CASE("dp with count equals dp with cpp_int in every objective") {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const auto net = random_network(10 + static_cast<std::uint32_t>(seed % 3), 3, 2, seed);
    for (auto mz : {dp_minimize::exact_flops, dp_minimize::opt_einsum_flops, dp_minimize::size, dp_minimize::write,
                    dp_minimize::combo, dp_minimize::limit}) {
      path_options o{.optimize = path_optimizer::dp};
      o.minimize = mz;
      const auto a = contract_path<count>(net, o);
      const auto b = contract_path<cpp_int>(net, o);
      CAPTURE(seed);
      CAPTURE(static_cast<int>(mz));
      CHECK(b.opt_flops.str() == a.opt_flops.to_string());
      CHECK(b.largest_intermediate.str() == a.largest_intermediate.to_string());
    }
  }
}

TEST_CASE("500 operands: exact costs past 2^128, consistent with log2_cost") {
  const auto net = random_network(500, 3, 4, 11);
  const auto exact = contract_path<cpp_int>(net, {.optimize = path_optimizer::greedy});
  // The same path costed in log2: greedy itself may choose differently in floating point,
  // where near-ties of its heuristic (differences of huge sizes) fall either way.
  const auto approx = contract_path<log2_cost>(net, exact.path);
  CHECK(exact.naive_flops > (cpp_int(1) << 128));
  CHECK(approx.naive_flops.log2() == doctest::Approx(boost::multiprecision::msb(exact.naive_flops)).epsilon(0.01));
  CHECK(std::log2(cost_traits<cpp_int>::to_double(exact.opt_flops)) == doctest::Approx(approx.opt_flops.log2()));
  // The naive cost is the product of all sizes times (operands - 1 + 1): check it directly.
  cpp_int all = 1;
  for (const auto& s : net.sizes) all *= cost_traits<cpp_int>::from_count(s);
  CHECK(exact.naive_flops == all * 500);
}
