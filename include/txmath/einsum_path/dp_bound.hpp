#pragma once
// An upper bound of the optimum of one group of dp's search under the exact FLOPs: the exact
// cost of a greedy tree over the group's tensors. Any tree's cost bounds the optimum from
// above, and a cost cap at or over the optimum finds it in one round (every subtree of the
// optimal tree costs at most the whole), so dp starts its caps near this bound instead of
// raising them round by round from the group's output (dp_search).
#include <limits>
#include <optional>

#include <txmath/einsum_path/dp_objective.hpp>

namespace txmath {
namespace detail {

// How the greedy tree picks its next pair among those sharing a summed index: the least FLOPs
// of the step, or opt_einsum's greedy rank (the result's size less the parts' sizes).
enum class dp_greedy_rule { least_flops, least_growth };

template <class Cost, std::size_t W>
class dp_greedy_bound {
 public:
  struct part {
    std::uint64_t s = 0;  // the group's tensors in it
    label_set<W> legs;
    Cost cost{};
    double mem_d = 1;  // the size of legs, as a double
  };

  // Up to this many parts the search's scratch stays in place (dp_small_group's groups).
  static constexpr std::size_t in_place = 10;
  using part_list = small_vector<part, in_place>;

  // `holders`: which tensors of the group hold each index; `size_d`: the sizes as doubles.
  constexpr dp_greedy_bound(const path_problem<Cost, W>& p, std::span<const std::uint64_t> holders,
                            std::span<const double> size_d, std::uint64_t all)
      : p_(p), holders_(holders), size_d_(size_d), all_(all) {}

  // The exact cost of the greedy tree over `parts` (the group's tensors) under `rule`, or none
  // when it is no bound: an intermediate over the memory limit (a tree over the limit bounds
  // nothing under it), or a cost near what a count holds (the search may then leave count).
  [[nodiscard]] constexpr std::optional<Cost> cost(part_list parts, dp_greedy_rule rule,
                                                   const std::optional<Cost>& limit) const {
    const std::size_t n = parts.size();
    constexpr double none = std::numeric_limits<double>::infinity();
    small_vector<double, in_place * in_place> rank(n * n, none);  // rank[i * n + j], i < j: the pair's rank
    small_vector<std::size_t, in_place> arg(n, n);  // the j > i of row i's least rank (the first of ties; n: none)
    small_vector<unsigned char, in_place> alive(n, 1);
    auto at = [&](std::size_t i, std::size_t j) -> double& { return rank[i < j ? i * n + j : j * n + i]; };
    auto least = [&](std::size_t i) { return arg[i] == n ? none : rank[i * n + arg[i]]; };
    auto row_min = [&](std::size_t i) {
      arg[i] = n;
      for (std::size_t j = i + 1; j < n; ++j)
        if (rank[i * n + j] < least(i)) arg[i] = j;
    };
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) rank[i * n + j] = rank_of(parts[i], parts[j], rule);
    for (std::size_t i = 0; i < n; ++i) row_min(i);
    for (std::size_t step = 1; step < n; ++step) {
      std::size_t bi = n;  // the first row of least rank: the first pair in row order, as a full scan
      for (std::size_t i = 0; i < n; ++i)
        if (alive[i] && least(i) < (bi == n ? none : least(bi))) bi = i;
      if (bi == n) return std::nullopt;  // (a group is connected: not reached)
      const std::size_t bj = arg[bi];
      if (!join(parts[bi], parts[bj], limit)) return std::nullopt;
      alive[bj] = 0;
      arg[bj] = n;
      for (std::size_t k = 0; k < n; ++k)
        if (k != bj) at(k, bj) = none;
      for (std::size_t k = 0; k < n; ++k)
        if (k != bi && alive[k]) at(k, bi) = k < bi ? rank_of(parts[k], parts[bi], rule) : rank_of(parts[bi], parts[k], rule);
      for (std::size_t k = 0; k < bj; ++k) {  // (rows after bj hold neither bi nor bj)
        if (!alive[k] || k == bi) continue;
        if (arg[k] == bi || arg[k] == bj) row_min(k);
        else if (k < bi && (at(k, bi) < least(k) || (at(k, bi) == least(k) && bi < arg[k]))) arg[k] = bi;
      }
      row_min(bi);
    }
    return parts[0].cost;
  }
  // The cheaper of the two rules' trees (none where neither is a bound).
  [[nodiscard]] constexpr std::optional<Cost> least_cost(const part_list& parts, const std::optional<Cost>& limit) const {
    std::optional<Cost> best = cost(parts, dp_greedy_rule::least_flops, limit);
    if (const auto other = cost(parts, dp_greedy_rule::least_growth, limit); other && (!best || *other < *best))
      best = other;
    return best;
  }

 private:
  const path_problem<Cost, W>& p_;
  std::span<const std::uint64_t> holders_;
  std::span<const double> size_d_;
  std::uint64_t all_;

  // The indices a step of a and b sums away: shared, summed, on no other tensor.
  [[nodiscard]] constexpr label_set<W> gone(const part& a, const part& b) const {
    return dp_summed_away(a.legs & b.legs, p_.out, holders_, all_ & ~(a.s | b.s));
  }
  [[nodiscard]] constexpr double product_d(const label_set<W>& set) const { return dp_product_d(set, size_d_); }
  [[nodiscard]] constexpr double rank_of(const part& a, const part& b, dp_greedy_rule rule) const {
    if (!((a.legs & b.legs) - p_.out).any()) return std::numeric_limits<double>::infinity();
    const label_set<W> g = gone(a, b);
    const double all = a.mem_d * b.mem_d / product_d(a.legs & b.legs);
    if (rule == dp_greedy_rule::least_flops) return flop_count(all, 2, g.any());
    return all / product_d(g) - a.mem_d - b.mem_d;
  }
  // a := the join of a and b, at its exact cost; false when it is no bound (see cost()).
  constexpr bool join(part& a, const part& b, const std::optional<Cost>& limit) const {
    const label_set<W> g = gone(a, b), uni = a.legs | b.legs;
    const double all = a.mem_d * b.mem_d / product_d(a.legs & b.legs);
    constexpr double most = std::is_same_v<Cost, count> ? 1e30 : 1e300;  // (count holds ~3.4e38)
    if (!(cost_traits<Cost>::to_double(a.cost) + cost_traits<Cost>::to_double(b.cost) + 2 * all < most)) return false;
    const label_set<W> legs = uni - g;
    const Cost mem = p_.size_of(legs);
    if (limit && *limit < mem) return false;
    a.cost = dp_exact_flops::cost(a.cost, b.cost, dp_step<Cost>{p_.size_of(uni), mem, g.any()}, Cost(0u));
    a.s |= b.s;
    a.legs = legs;
    a.mem_d = cost_traits<Cost>::to_double(mem);
    return true;
  }
};

}  // namespace detail
}  // namespace txmath
