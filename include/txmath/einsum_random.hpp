#pragma once
// Tensor networks for tests and benchmarks: reproducible random networks, square lattices and
// matrix-product-state overlaps (scripts/einsum_networks.py builds the same ones).
#include <cstdint>
#include <vector>

#include <txmath/core/count.hpp>
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

// n tensors, each index shared by exactly two tensors (n * regularity / 2 indices), `n_out` of
// them left open in the output, sizes 2..9. The generator is a 64-bit LCG that
// scripts/einsum_networks.py repeats bit for bit, so both sides time the same expressions.
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

// A rows x cols square lattice: one tensor a site, one index of size `bond` an edge between
// neighbours, no open index (a scalar, as a 2-D tensor-network contraction). Sites are
// numbered row by row; edge labels are numbered horizontal edges first, then vertical.
[[nodiscard]] constexpr einsum_network lattice_network(std::uint32_t rows, std::uint32_t cols, count bond) {
  einsum_network net;
  net.inputs.resize(std::size_t{rows} * cols);
  std::uint32_t next = 0;
  auto join = [&](std::uint32_t a, std::uint32_t b) {
    const auto id = net.add_label(einsum_symbol(next++), bond);
    net.inputs[a].push_back(id);
    net.inputs[b].push_back(id);
  };
  for (std::uint32_t r = 0; r < rows; ++r)
    for (std::uint32_t c = 0; c + 1 < cols; ++c) join(r * cols + c, r * cols + c + 1);
  for (std::uint32_t r = 0; r + 1 < rows; ++r)
    for (std::uint32_t c = 0; c < cols; ++c) join(r * cols + c, (r + 1) * cols + c);
  net.explicit_output = true;
  return net;
}

// The overlap <psi|psi> of a matrix-product state of `sites` sites (physical size d, bond D),
// a ladder of 2 x sites tensors: the ket's A_i(b_{i-1}, p_i, b_i), then the bra's
// B_i(c_{i-1}, p_i, c_i).
[[nodiscard]] constexpr einsum_network mps_overlap(std::uint32_t sites, count d, count bond) {
  einsum_network net;
  std::vector<std::uint32_t> p, b, c;
  std::uint32_t next = 0;
  for (std::uint32_t i = 0; i < sites; ++i) p.push_back(net.add_label(einsum_symbol(next++), d));
  for (std::uint32_t i = 0; i + 1 < sites; ++i) b.push_back(net.add_label(einsum_symbol(next++), bond));
  for (std::uint32_t i = 0; i + 1 < sites; ++i) c.push_back(net.add_label(einsum_symbol(next++), bond));
  for (const auto* bond_ids : {&b, &c})
    for (std::uint32_t i = 0; i < sites; ++i) {
      std::vector<std::uint32_t> t;
      if (i > 0) t.push_back((*bond_ids)[i - 1]);
      t.push_back(p[i]);
      if (i + 1 < sites) t.push_back((*bond_ids)[i]);
      net.inputs.push_back(t);
    }
  net.explicit_output = true;
  return net;
}

}  // namespace txmath
