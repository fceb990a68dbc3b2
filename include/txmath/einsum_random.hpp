#pragma once
// A reproducible random tensor network, for tests and benchmarks: n tensors, each index
// shared by exactly two tensors (n * regularity / 2 indices), `n_out` of them left open in
// the output, sizes 2..9. The generator is a 64-bit LCG that scripts/time_opt_einsum.py
// repeats bit for bit, so both programs time the very same expressions.
#include <cstdint>
#include <vector>

#include <txmath/einsum_network.hpp>

namespace txmath {

namespace detail {
struct lcg {
  std::uint64_t state;
  constexpr std::uint64_t next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  }
  constexpr std::uint64_t below(std::uint64_t n) { return next() % n; }
};
}  // namespace detail

// The label of index i, as opt_einsum's get_symbol(i): a-z, A-Z, then code points from U+00C0.
[[nodiscard]] constexpr char32_t einsum_symbol(std::uint32_t i) {
  if (i < 26) return U'a' + i;
  if (i < 52) return U'A' + (i - 26);
  return static_cast<char32_t>(0xC0 + (i - 52));
}

[[nodiscard]] constexpr einsum_network random_network(std::uint32_t n, std::uint32_t regularity, std::uint32_t n_out,
                                        std::uint64_t seed) {
  detail::lcg g{seed};
  einsum_network net;
  net.inputs.resize(n);
  const std::uint32_t n_idx = n * regularity / 2;
  for (std::uint32_t i = 0; i < n_idx; ++i) {
    const auto id = net.add_label(einsum_symbol(i), count(2 + g.below(8)));
    const auto a = static_cast<std::uint32_t>(g.below(n));
    auto b = static_cast<std::uint32_t>(g.below(n - 1));
    if (b >= a) ++b;
    net.inputs[a].push_back(id);
    net.inputs[b].push_back(id);
  }
  // Open indices: each on one tensor and the output.
  for (std::uint32_t i = 0; i < n_out; ++i) {
    const auto id = net.add_label(einsum_symbol(n_idx + i), count(2 + g.below(8)));
    net.inputs[g.below(n)].push_back(id);
    net.output.push_back(id);
  }
  net.explicit_output = true;
  return net;
}

}  // namespace txmath
