#pragma once
// dp on a group of at most 8 tensors under the exact-FLOP objective, on arrays indexed by
// subset (no allocation).
#include <txmath/einsum_path/dp_caps.hpp>
#include <txmath/einsum_path/dp_objective.hpp>

namespace txmath {
namespace detail {

// dp over one group of at most 8 tensors under the exact-FLOP objective: dp_search's search
// (same caps, outer products when asked) on arrays of S entries indexed by subset, with no
// allocation. Returns how each subset of the best tree splits.
template <std::size_t W, std::size_t S>
struct small_group {
  std::uint64_t split[S]{};  // the first part of each subset
  label_set<W> legs;         // the indices of the result
};
template <class Cost, std::size_t W, std::size_t S>
constexpr small_group<W, S> dp_small_group(const path_problem<Cost, W>& p, const std::vector<label_set<W>>& inputs,
                                           const std::vector<std::uint32_t>& g, const std::optional<Cost>& limit,
                                           bool capped, bool search_outer, const Cost& naive) {
  const std::size_t m_g = g.size();
  label_set<W> uni_of[S]{}, legs[S]{};  // uni_of[s]: the indices of the inputs in s
  Cost cost[S]{};
  // The subsets of each size nn as found, at order[first[nn]], room for C(m_g, nn).
  std::uint64_t order[S]{};
  constexpr std::uint8_t binomial[9][9] = {{1},
                                          {1, 1},
                                          {1, 2, 1},
                                          {1, 3, 3, 1},
                                          {1, 4, 6, 4, 1},
                                          {1, 5, 10, 10, 5, 1},
                                          {1, 6, 15, 20, 15, 6, 1},
                                          {1, 7, 21, 35, 35, 21, 7, 1},
                                          {1, 8, 28, 56, 70, 56, 28, 8, 1}};
  std::size_t first[10]{}, n_of[9]{};
  for (std::size_t nn = 1; nn <= m_g; ++nn) first[nn] = first[nn - 1] + binomial[m_g][nn - 1];
  std::uint16_t made[S]{};  // the round that found each subset, from 1 (0: not found)
  // Most pairs fail the cost cap, which doubles decide first (as in dp_ssa): the cost and the
  // result size of each subset found (set when found, read only then).
  constexpr bool prefilter = std::is_same_v<Cost, count>;
  double cost_d[S], mem_d[S];
  small_group<W, S> r;
  const std::uint64_t all = (std::uint64_t{1} << m_g) - 1;
  for (std::uint64_t s = 1; s <= all; ++s) uni_of[s] = uni_of[s & (s - 1)] | inputs[g[static_cast<std::size_t>(std::countr_zero(s))]];
  for (std::size_t k = 0; k < m_g; ++k) {
    legs[std::uint64_t{1} << k] = inputs[g[k]];
    cost[std::uint64_t{1} << k] = Cost(0u);
    cost_d[std::uint64_t{1} << k] = 0;
    mem_d[std::uint64_t{1} << k] = prefilter && capped ? cost_traits<Cost>::to_double(p.size_of(inputs[g[k]])) : 0.0;
    order[first[1] + n_of[1]++] = std::uint64_t{1} << k;
  }
  dp_caps<Cost> caps{};  // (read only when capped)
  if (capped) {
    caps = dp_caps<Cost>::of(p, uni_of[all]);
    caps.skip_below_largest_input(p, inputs, g);
  }
  for (std::size_t round = 1;; ++round) {
    const Cost cap = caps.cap;  // (this round's, a local)
    const double cap_d = prefilter && capped ? cost_traits<Cost>::to_double(cap) * (1 + 1e-9) : 0.0;
    for (std::size_t nn = 2; nn <= m_g; ++nn)
      for (std::size_t m = 1; m <= nn / 2; ++m)
        for (std::size_t i = first[m], i_end = i + n_of[m], j_begin = first[nn - m], j_end = j_begin + n_of[nn - m];
             i < i_end; ++i)
          for (std::size_t j = j_begin; j < j_end; ++j) {
            const std::uint64_t s1 = order[i], s2 = order[j], s = s1 | s2;
            if ((s1 & s2) || (m == nn - m && !(s1 < s2))) continue;
            // A subset found in an earlier round is final: that round found it at its least
            // cost within a smaller cap, and the cost of a tree bounds those of its subtrees.
            if (std::size_t{made[s]} - 1 < round - 1) continue;  // (made in 1 .. round - 1)
            const label_set<W> cut = (legs[s1] & legs[s2]) - p.out;
            if (!search_outer && !cut.any()) continue;
            const label_set<W> uni = legs[s1] | legs[s2];
            const label_set<W> kept = uni - (cut - uni_of[all ^ s]);
            if constexpr (prefilter) if (capped) {  // (doubles err by far less than the margin)
              double shared = 1;
              (legs[s1] & legs[s2]).for_each([&](std::uint32_t d) { shared *= p.size[d].to_double(); });
              const dp_step<double> lb{mem_d[s1] * mem_d[s2] / shared, 0.0, !(uni == kept)};
              if (dp_exact_flops::cost(cost_d[s1], cost_d[s2], lb, 0.0) > cap_d) continue;
            }
            const Cost c = dp_exact_flops::cost(cost[s1], cost[s2], {p.size_of(uni), Cost{}, !(uni == kept)}, Cost{});
            if (capped && cap < c) continue;
            if (made[s] && !(c < cost[s])) continue;
            Cost mem{};
            if (limit || (prefilter && capped)) mem = p.size_of(kept);
            if (limit && *limit < mem) continue;
            if (!made[s]) order[first[nn] + n_of[nn]++] = s;
            made[s] = static_cast<std::uint16_t>(round);
            cost[s] = c;
            legs[s] = kept;
            if constexpr (prefilter) if (capped) {
              cost_d[s] = c.to_double();
              mem_d[s] = mem.to_double();
            }
            r.split[s] = s1;
          }
    if (m_g == 1 || made[all]) break;
    caps.raise(capped, naive, limit);
  }
  r.legs = legs[all];
  return r;
}

}  // namespace detail
}  // namespace txmath
