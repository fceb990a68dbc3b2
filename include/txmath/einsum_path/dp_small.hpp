#pragma once
// dp on a group of at most 10 tensors under the exact-FLOP objective, on arrays indexed by
// subset (no allocation).
#include <array>

#include <txmath/einsum_path/dp_bound.hpp>
#include <txmath/einsum_path/dp_caps.hpp>
#include <txmath/einsum_path/dp_objective.hpp>

namespace txmath {
namespace detail {

// C(a, b) for a, b <= 10 (Pascal's triangle).
inline constexpr auto binomial_to_10 = [] {
  std::array<std::array<std::size_t, 11>, 11> c{};
  for (std::size_t a = 0; a <= 10; ++a) {
    c[a][0] = 1;
    for (std::size_t b = 1; b <= a; ++b) c[a][b] = c[a - 1][b - 1] + (b < a ? c[a - 1][b] : 0);
  }
  return c;
}();

// The subsets of a group of at most 10 tensors that dp has found, by size, in the order found
// (the order dp's scan meets them, which decides its ties). With each list, for each tensor, the
// positions of the subsets holding it, as bits (a list holds at most C(10, 5) = 252), so that the
// subsets disjoint from a given one are visited in order without visiting the others: at 7-10
// tensors most pairs of subsets overlap. (S: room for every subset, 2^m_g.)
template <std::size_t S>
class subset_lists {
 public:
  // (Only the rows of m_g tensors are cleared: clearing every array was a third of a dp call
  // on 4 tensors.)
  constexpr explicit subset_lists(std::size_t m_g) {
    for (std::size_t nn = 1; nn <= m_g; ++nn) first_[nn] = first_[nn - 1] + binomial_to_10[m_g][nn - 1];
    for (std::size_t nn = 0; nn <= m_g; ++nn)
      for (std::size_t t = 0; t < m_g; ++t)
        for (std::size_t w = 0; w < words; ++w) holding_[nn][t][w] = 0;
  }
  [[nodiscard]] constexpr std::size_t size(std::size_t nn) const { return n_of_[nn]; }
  [[nodiscard]] constexpr std::uint64_t at(std::size_t nn, std::size_t i) const { return subsets_[first_[nn] + i]; }
  constexpr void add(std::size_t nn, std::uint64_t s) {
    const std::size_t pos = n_of_[nn]++;
    subsets_[first_[nn] + pos] = s;
    for (std::uint64_t x = s; x; x &= x - 1)
      holding_[nn][std::countr_zero(x)][pos >> 6] |= std::uint64_t{1} << (pos & 63);
  }
  // f(s2) for each subset s2 of list nn disjoint from s1, in the list's order.
  template <class F>
  constexpr void for_each_disjoint(std::size_t nn, std::uint64_t s1, F&& f) const {
    std::uint64_t free[words];
    for (std::size_t w = 0; w < words; ++w) free[w] = ~std::uint64_t{0};
    for (std::uint64_t x = s1; x; x &= x - 1)
      for (std::size_t w = 0; w < words; ++w) free[w] &= ~holding_[nn][std::countr_zero(x)][w];
    for (std::size_t w = 0; w * 64 < n_of_[nn]; ++w) {
      const std::size_t left = n_of_[nn] - w * 64;
      const std::uint64_t valid = left >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << left) - 1;
      for (std::uint64_t x = free[w] & valid; x; x &= x - 1)
        f(subsets_[first_[nn] + w * 64 + static_cast<std::size_t>(std::countr_zero(x))]);
    }
  }

 private:
  static constexpr std::size_t words = S > 256 ? 4 : S > 64 ? 2 : 1;  // (C(10, 5) = 252)
  std::uint64_t subsets_[S];  // list nn at first_[nn], room for C(m_g, nn) (set before read)
  std::size_t first_[12]{}, n_of_[11]{};
  std::uint64_t holding_[11][10][words];  // (rows 0 .. m_g, tensors 0 .. m_g - 1 cleared)
};

// What dp_small_group returns: how each subset of the best tree splits, and its result's indices.
template <std::size_t W, std::size_t S>
struct small_group {
  std::uint64_t split[S]{};  // the first part of each subset
  label_set<W> legs;         // the indices of the result
};
// Under the exact FLOPs in count, the one cap of dp_small_group: the cost of a greedy tree
// over the group, the least of dp_bound.hpp's two rules. Any tree's cost bounds the optimum
// from above, and a cap at or over the optimum finds it in one round (every subtree of the
// optimal tree costs at most the whole), where opt_einsum's caps rise from the largest input
// round by round, each round scanning again what the last one found. (bench_einsum_dp's
// BM_dp_small, 31 groups of 7-10 tensors, with the 64-bit figures below: 0.66 of the time of
// those rounds; a start a few rounds below the bound, as dp_search's, scanned more there.)
template <class Cost, std::size_t W>
constexpr void aim_at_greedy_tree(const path_problem<Cost, W>& p, std::span<const label_set<W>> inputs,
                                  std::span<const std::uint32_t> g, const std::optional<Cost>& limit,
                                  std::span<const double> size_d, const double* mem_d, dp_caps<Cost>& caps) {
  using bound = dp_greedy_bound<Cost, W>;
  std::uint64_t holders[64 * W]{};  // the tensors of the group holding each index
  typename bound::part_list leaves;
  for (std::size_t k = 0; k < g.size(); ++k) {
    const std::uint64_t s = std::uint64_t{1} << k;
    inputs[g[k]].for_each([&](std::uint32_t d) { holders[d] |= s; });
    leaves.push_back({s, inputs[g[k]], Cost(0u), mem_d[s]});
  }
  const bound b(p, std::span<const std::uint64_t>(holders, p.size.size()), size_d, (std::uint64_t{1} << g.size()) - 1);
  // (A tree costs at least its largest input, so best is never under the cap: at it, the cap
  // already admits a tree, and becomes the ceiling, which the 64-bit search requires.)
  const std::optional<Cost> best = b.least_cost(leaves, limit);
  if (best && !(*best < caps.cap)) {
    caps.cap = *best;
    caps.ceiling = best;
  }
}

// What one search of dp_small_group reads: the group, its settings, and what is computed once
// (the indices of each subset's inputs, the sizes in doubles, the caps).
template <class Cost, std::size_t W, std::size_t S>
struct dp_small_input {
  const path_problem<Cost, W>& p;
  std::span<const label_set<W>> inputs;
  std::span<const std::uint32_t> g;
  const std::optional<Cost>& limit;
  bool capped, search_outer;
  const Cost& naive;
  const label_set<W>* uni_of;  // uni_of[s]: the indices of the inputs in s
  const double* size_d;        // each index's size (converting a count to a double costs a call)
  const double* mem_d;         // each input's size, at its singleton subset
  std::uint64_t size64[64 * W];  // the sizes in 64 bits (set where N is std::uint64_t)
};

// The search of dp_small_group with exact figures in N: Cost, or std::uint64_t where no figure
// can reach 2^64 (each step's product is at most the group's, and a cost at most 2 x cap plus
// twice that product). Fills r. In 64 bits the cap is a greedy tree's cost and stays there, so
// the one round finds a tree (that one at least); should it not, false, and the caller searches
// again in Cost.
template <class N, class Cost, std::size_t W, std::size_t S>
constexpr bool dp_small_rounds(const dp_small_input<Cost, W, S>& in, dp_caps<Cost> caps, small_group<W, S>& r) {
  constexpr bool narrow = std::is_same_v<N, std::uint64_t>;
  constexpr bool prefilter = std::is_same_v<Cost, count>;
  const path_problem<Cost, W>& p = in.p;
  const std::size_t m_g = in.g.size();
  const std::uint64_t all = (std::uint64_t{1} << m_g) - 1;
  auto size_of = [&](const label_set<W>& set) {
    if constexpr (narrow) {
      std::uint64_t v = 1;
      set.for_each([&](std::uint32_t d) { v *= in.size64[d]; });
      return v;
    } else {
      return p.size_of(set);
    }
  };
  auto to_d = [](const N& c) {
    if constexpr (narrow) return static_cast<double>(c);
    else return cost_traits<N>::to_double(c);
  };
  auto to_n = [](const Cost& c) {  // (narrow: c fits, or is a limit beyond every figure)
    if constexpr (narrow) return c.rep_value() >> 64 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(c.rep_value());
    else return c;
  };
  label_set<W> legs[S]{};
  N cost[S]{};
  std::uint16_t made[S]{};  // the round that found each subset, from 1 (0: not found)
  subset_lists<S> lists(m_g);
  // Most pairs fail the cost cap, which doubles decide first: the cost and the result size of
  // each subset found (set when found, read only then).
  double cost_d[S], mem_d[S];
  for (std::size_t k = 0; k < m_g; ++k) {
    legs[std::uint64_t{1} << k] = in.inputs[in.g[k]];
    cost[std::uint64_t{1} << k] = N(0u);
    cost_d[std::uint64_t{1} << k] = 0;
    mem_d[std::uint64_t{1} << k] = in.mem_d[std::uint64_t{1} << k];
    lists.add(1, std::uint64_t{1} << k);
  }
  const std::optional<N> limit = in.limit ? std::optional<N>(to_n(*in.limit)) : std::nullopt;
  for (std::size_t round = 1;; ++round) {
    const N cap = to_n(caps.cap);  // (this round's, a local)
    const double cap_d = prefilter && in.capped ? cost_traits<Cost>::to_double(caps.cap) * (1 + 1e-9) : 0.0;
    // Joins s1 (of m tensors) and s2 (of nn - m, disjoint from s1) if that is s's best tree so far.
    auto try_pair = [&](std::uint64_t s1, std::uint64_t s2, std::size_t nn, std::size_t m) {
      const std::uint64_t s = s1 | s2;
      if (m == nn - m && !(s1 < s2)) return;
      // A subset found in an earlier round is final: that round found it at its least
      // cost within a smaller cap, and the cost of a tree bounds those of its subtrees.
      if (std::size_t{made[s]} - 1 < round - 1) return;  // (made in 1 .. round - 1)
      const label_set<W> cut = (legs[s1] & legs[s2]) - p.out;
      if (!in.search_outer && !cut.any()) return;
      const label_set<W> uni = legs[s1] | legs[s2];
      const label_set<W> kept = uni - (cut - in.uni_of[all ^ s]);
      if constexpr (prefilter) if (in.capped) {  // (doubles err by far less than the margin)
        double shared = 1;
        (legs[s1] & legs[s2]).for_each([&](std::uint32_t d) { shared *= in.size_d[d]; });
        const dp_step<double> lb{mem_d[s1] * mem_d[s2] / shared, 0.0, !(uni == kept)};
        if (dp_exact_flops::cost(cost_d[s1], cost_d[s2], lb, 0.0) > cap_d) return;
      }
      const N c = dp_exact_flops::cost(cost[s1], cost[s2], {size_of(uni), N{}, !(uni == kept)}, N{});
      if (in.capped && cap < c) return;
      if (made[s] && !(c < cost[s])) return;
      N mem{};
      if (limit || (prefilter && in.capped)) mem = size_of(kept);
      if (limit && *limit < mem) return;
      if (!made[s]) lists.add(nn, s);
      made[s] = static_cast<std::uint16_t>(round);
      cost[s] = c;
      legs[s] = kept;
      if constexpr (prefilter) if (in.capped) {
        cost_d[s] = to_d(c);
        mem_d[s] = to_d(mem);
      }
      r.split[s] = s1;
    };
    for (std::size_t nn = 2; nn <= m_g; ++nn)
      for (std::size_t m = 1; m <= nn / 2; ++m)
        for (std::size_t i = 0, i_end = lists.size(m); i < i_end; ++i) {
          const std::uint64_t s1 = lists.at(m, i);
          lists.for_each_disjoint(nn - m, s1, [&](std::uint64_t s2) { try_pair(s1, s2, nn, m); });
        }
    if (m_g == 1 || made[all]) break;
    if constexpr (narrow) return false;
    caps.raise(in.capped, in.naive, in.limit);
  }
  r.legs = legs[all];
  return true;
}

// dp over one group of at most 10 tensors under the exact-FLOP objective, on arrays of S
// entries indexed by subset, with no allocation: opt_einsum's enumeration order and its cost
// caps from the largest input's up (outer products when asked), except that in count the one
// cap is a greedy tree's cost (aim_at_greedy_tree) and the search runs in 64-bit integers
// where every figure fits. Returns how each subset of the best tree splits. (Up to 10 tensors
// it beat dp_search, whose waiting pairs pay off on larger groups: bench_einsum dp lattice 3x3
// 0.70, random n=10 0.75 of dp_search's time.)
template <class Cost, std::size_t W, std::size_t S>
constexpr small_group<W, S> dp_small_group(const path_problem<Cost, W>& p, std::span<const label_set<W>> inputs,
                                           std::span<const std::uint32_t> g, const std::optional<Cost>& limit,
                                           bool capped, bool search_outer, const Cost& naive) {
  const std::size_t m_g = g.size();
  constexpr bool prefilter = std::is_same_v<Cost, count>;
  label_set<W> uni_of[S];
  double size_d[64 * W], mem_d[S];
  dp_small_input<Cost, W, S> in{p, inputs, g, limit, capped, search_outer, naive, uni_of, size_d, mem_d, {}};
  const std::uint64_t all = (std::uint64_t{1} << m_g) - 1;
  uni_of[0] = label_set<W>{};
  for (std::uint64_t s = 1; s <= all; ++s) uni_of[s] = uni_of[s & (s - 1)] | inputs[g[static_cast<std::size_t>(std::countr_zero(s))]];
  if constexpr (prefilter)
    if (capped)
      for (std::size_t d = 0; d < p.size.size(); ++d) size_d[d] = p.size[d].to_double();
  for (std::size_t k = 0; k < m_g; ++k)
    mem_d[std::uint64_t{1} << k] = prefilter && capped ? cost_traits<Cost>::to_double(p.size_of(inputs[g[k]])) : 0.0;
  dp_caps<Cost> caps{};  // (read only when capped)
  small_group<W, S> r;
  if (capped) {
    caps = dp_caps<Cost>::of(p, uni_of[all]);
    caps.skip_below_largest_input(p, inputs, g);
    if constexpr (prefilter)
      if (!search_outer) {
        aim_at_greedy_tree(p, inputs, g, limit, std::span<const double>(size_d, p.size.size()), mem_d, caps);
        // 64 bits where the cap stays (at a greedy tree's cost) and 2 x cap + 2 x the group's
        // product of sizes fits: no cost or size of the search can then reach 2^64.
        u128 whole = 0;
        if (caps.ceiling && caps.cap.rep_value() < (u128{1} << 61) &&
            p.product_fits([&](auto&& f) { uni_of[all].for_each(f); }, whole) && whole < (u128{1} << 61)) {
          for (std::size_t d = 0; d < p.size.size(); ++d) in.size64[d] = static_cast<std::uint64_t>(p.size[d].rep_value());
          if (dp_small_rounds<std::uint64_t>(in, caps, r)) return r;
        }
      }
  }
  dp_small_rounds<Cost>(in, caps, r);
  return r;
}

}  // namespace detail
}  // namespace txmath
