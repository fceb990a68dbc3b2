#pragma once
// optimal: dynamic programming over all subsets of the operands.
#include <txmath/einsum_path/problem.hpp>
#include <txmath/einsum_path/tree.hpp>

namespace txmath {
namespace detail {

// ---- optimal: dynamic programming over all subsets ---------------------------------------------
template <class Cost, std::size_t W>
constexpr ssa_path optimal_ssa(const path_problem<Cost, W>& p, const std::optional<Cost>& limit, bool pre_reduce) {
  const std::size_t n = p.in.size();
  if (n > 20 || (std::size_t{1} << n) * W > (std::size_t{1} << 22))
    TXMATH_FAIL(txmath_error_einsum_too_many_operands_for_optimal_use_dp_or_greedy, invalid_argument,
                "txmath: the optimal contraction order of " + std::to_string(n) +
                    " operands is too costly to search (3^n work; at most 20 operands, fewer with "
                    "many indices): use path_optimizer::dp or path_optimizer::greedy");
  const std::uint32_t full = static_cast<std::uint32_t>((std::uint64_t{1} << n) - 1);
  const std::size_t N = std::size_t{full} + 1;
  std::vector<label_set<W>> uni(N), keep(N);
  for (std::uint32_t s = 1; s <= full; ++s) uni[s] = uni[s & (s - 1)] | p.in[static_cast<std::size_t>(std::countr_zero(s))];
  for (std::uint32_t s = 1; s <= full; ++s) keep[s] = uni[s] & (p.out | uni[full ^ s]);

  std::vector<Cost> cost(N);
  std::vector<unsigned char> ok(N, 0), flags(N, 0);
  std::vector<std::uint32_t> split(N, 0);
  // A leaf may be pre-reduced over indices only it carries (a one-operand step).
  std::vector<Cost> reduce_cost(n);
  std::vector<unsigned char> reducible(n, 0);
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint32_t s = std::uint32_t{1} << j;
    ok[s] = 1;
    reducible[j] = pre_reduce && !(keep[s] == p.in[j]);
    if (reducible[j]) reduce_cost[j] = flop_count(p.size_of(p.in[j]), 1, true);
  }
  for (std::uint32_t s = 1; s <= full; ++s) {
    if (std::popcount(s) < 2) continue;
    if (limit && *limit < p.size_of(keep[s])) continue;  // this intermediate is too big
    const std::uint32_t low = s & (~s + 1), rest = s ^ low;
    bool found = false;
    Cost best{};
    for (std::uint32_t sub = (rest - 1) & rest;; sub = (sub - 1) & rest) {
      const std::uint32_t a = low | sub, b = rest ^ sub;
      if (ok[a] && ok[b]) {
        const Cost base = cost[a] + cost[b];
        if (!found || base < best) {
          const bool la = std::popcount(a) == 1, lb = std::popcount(b) == 1;
          const std::size_t ja = static_cast<std::size_t>(std::countr_zero(a)), jb = static_cast<std::size_t>(std::countr_zero(b));
          for (unsigned f = 0; f < 4; ++f) {
            const bool ra = f & 1u, rb = f & 2u;
            if ((ra && !(la && reducible[ja])) || (rb && !(lb && reducible[jb]))) continue;
            const label_set<W> sa = la && !ra ? p.in[ja] : keep[a];
            const label_set<W> sb = lb && !rb ? p.in[jb] : keep[b];
            const label_set<W> u = sa | sb;
            Cost c = base + flop_count(p.size_of(u), 2, !u.subset_of(keep[s]));
            if (ra) c = c + reduce_cost[ja];
            if (rb) c = c + reduce_cost[jb];
            if (!found || c < best) {
              found = true;
              best = c;
              split[s] = a;
              flags[s] = static_cast<unsigned char>(f);
            }
          }
        }
      }
      if (sub == 0) break;
    }
    if (found) {
      ok[s] = 1;
      cost[s] = best;
    }
  }

  // With a memory limit, the last step may contract several groups at once (opt_einsum's
  // 'optimal' falls back to that when a pairwise result is too big).
  std::vector<std::uint32_t> groups;
  if (limit) {
    const Cost P = p.size_of(uni[full]);
    const bool inner = (uni[full] - p.out).any();
    std::vector<Cost> h(N);
    std::vector<std::uint32_t> pick(N, 0);
    for (std::uint32_t s = 1; s <= full; ++s) {
      const std::uint32_t low = s & (~s + 1), rest = s ^ low;
      bool found = false;
      for (std::uint32_t sub = rest;; sub = (sub - 1) & rest) {
        const std::uint32_t g = low | sub;
        if (ok[g] && !(s == full && g == full)) {
          const Cost c = cost[g] + P + h[s ^ g];
          if (!found || c < h[s]) {
            found = true;
            h[s] = c;
            pick[s] = g;
          }
        }
        if (sub == 0) break;
      }
    }
    if (n >= 2) {
      const Cost nary = h[full] - P + (inner ? P : Cost(0u));
      if (!ok[full] || nary < cost[full])
        for (std::uint32_t s = full; s; s ^= pick[s]) groups.push_back(pick[s]);
    }
  }

  // The tree: each subset splits as split[s]; flags[s] says which of its parts, when a single
  // input, is reduced first.
  contraction_tree tree;
  std::vector<unsigned char> reduced(n, 0);
  auto first_part = [&](std::uint64_t s) {
    const auto a = static_cast<std::uint32_t>(split[s]), b = static_cast<std::uint32_t>(s) ^ a;
    if (flags[s] & 1u) reduced[static_cast<std::size_t>(std::countr_zero(a))] = 1;
    if (flags[s] & 2u) reduced[static_cast<std::size_t>(std::countr_zero(b))] = 1;
    return std::uint64_t{a};
  };
  auto leaf_of = [&](std::size_t j) { return tree.leaf(static_cast<std::uint32_t>(j), reduced[j] != 0); };
  ssa_path path;
  path.reserve(2 * n);
  auto next = static_cast<std::uint32_t>(n);
  if (groups.empty()) {
    if (n >= 2) (void)tree.emit(tree.add_split(full, first_part, leaf_of), path, next);
    else path.push_back({0});
  } else {
    std::vector<std::uint32_t> ids;
    for (auto g : groups) ids.push_back(tree.emit(tree.add_split(g, first_part, leaf_of), path, next));
    std::sort(ids.begin(), ids.end());
    path.push_back(ids);
  }
  return path;
}

}  // namespace detail
}  // namespace txmath
