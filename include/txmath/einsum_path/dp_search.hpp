#pragma once
// dp's search of one connected group of tensors (opt_einsum's DynamicProgramming): subsets by
// size, each the cheapest join of two smaller connected subsets, under cost caps raised until
// the whole group is found.
#include <txmath/einsum_path/dp_bound.hpp>
#include <txmath/einsum_path/dp_caps.hpp>
#include <txmath/einsum_path/dp_level.hpp>
#include <txmath/einsum_path/dp_objective.hpp>
#include <txmath/einsum_path/tree.hpp>

namespace txmath {
namespace detail {

// What a group search is given: the network, the inputs after their one-operand reductions,
// the group (input numbers, ascending) and the tree node of each input.
template <class Cost, std::size_t W>
struct dp_group {
  const path_problem<Cost, W>& p;
  std::span<const label_set<W>> inputs;
  std::span<const std::uint32_t> g;
  std::span<const int> node;  // tree node of each input
};

// How a group is searched.
template <class Cost>
struct dp_settings {
  std::optional<Cost> limit;  // memory limit in elements
  Cost factor{};              // combo_factor
  Cost naive{};               // a bound of every tree's cost (the caps stop there)
  bool capped = true;
  bool search_outer = false;
};

// Three scans find the pairs of subsets to join. In opt_einsum's order (every pair of the two
// levels, as its dp: under objectives other than the exact FLOPs, ties resolve as there) or,
// for the exact FLOPs, cost-ordered: each subset takes the entries whose key fits what the cap
// leaves it (a prefix of the level in ascending key) and, 64 a word in the level's bitmaps,
// keeps those that hold a neighbour (a pair must share a summed index) and none of its own
// tensors, so a round's work follows the pairs that can fit rather than all pairs; that scan
// reads its levels afresh each round (their sizes grow about fourfold a round, so the last
// round is most of the work). Groups of at most pairwise_max_tensors under the exact FLOPs
// (capped, in doubles) are scanned pair by pair instead, each pair once over all rounds: a
// pair over a round's cap waits (in waiting_) for a cap that admits it, so a round visits
// only the rows and columns new since the last one; a cost-ordered search hands over to it
// after a round whose levels show it would be cheaper (maybe_scan_pairwise). Under the exact
// FLOPs (count, log2_cost) the caps start a few rounds below the cost of a greedy tree
// (aim_caps) and stop at it, instead of rising from the group's output size round by round
// (random networks and MPS ladders took many rounds). All find the same optimum cost, reading
// the bounds in doubles before any exact cost. `Objective` is a policy of dp_objective.hpp.
template <class Cost, std::size_t W, class Objective>
class dp_search {
 public:
  using entry = dp_entry<Cost, W>;
  using level = dp_level<Cost, W>;

  constexpr dp_search(const dp_group<Cost, W>& grp, const dp_settings<Cost>& set, Objective obj,
                      contraction_tree& tree, dp_work& work)
      : p_(grp.p), set_(set), obj_(obj), tree_(tree), work_(work), m_g_(grp.g.size()),
        g_all_(m_g_ == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << m_g_) - 1),
        holders_(grp.p.size.size(), 0), size_d_(prefilter ? grp.p.size.size() : 0, 0.0), x_(m_g_ + 1) {
    for (std::size_t k = 0; k < m_g_; ++k) {
      grp.inputs[grp.g[k]].for_each([&](std::uint32_t d) { holders_[d] |= std::uint64_t{1} << k; });
      g_inds_ = g_inds_ | grp.inputs[grp.g[k]];
    }
    if constexpr (prefilter)
      for (std::size_t d = 0; d < size_d_.size(); ++d) size_d_[d] = cost_traits<Cost>::to_double(p_.size[d]);
    factor_d_ = prefilter ? cost_traits<Cost>::to_double(set.factor) : 0.0;
    if constexpr (std::is_same_v<Cost, log2_cost>) doubles_ = set.naive.log2() < 500;
    ordered_ = std::is_same_v<Objective, dp_exact_flops> && !set.search_outer;
    pairwise_ = ordered_ && use_d() && set.capped && (m_g_ <= 12 || (m_g_ <= pairwise_max_tensors && sparse(grp)));
    if (pairwise_) {
      waiting_ = dp_waiting_pairs(m_g_ + 1);
      scanned_.assign((m_g_ + 1) * (m_g_ + 1), pair_scan{});
    } else if (ordered_) {
      make_balls(grp);
    }
    for (std::size_t k = 0; k < m_g_; ++k) {
      entry leaf{std::uint64_t{1} << k, grp.inputs[grp.g[k]], Cost(0u), grp.node[grp.g[k]]};
      if constexpr (prefilter) leaf.mem_d = product_d(leaf.legs);
      x_[1].push(leaf);
    }
    if (set.capped) {
      caps_ = dp_caps<Cost>::of(p_, g_inds_);
      if (std::is_same_v<Objective, dp_exact_flops>) caps_.skip_below_largest_input(p_, grp.inputs, grp.g);
      if constexpr (prefilter && std::is_same_v<Objective, dp_exact_flops>)
        if (!set.search_outer && use_d()) aim_caps();
    }
  }

  // The root of the group's cheapest tree, or -1 when the work budget ran out.
  [[nodiscard]] constexpr int run() {
    work_.tensors = m_g_;
    for (;;) {
      ++round_;
      cap_ = caps_.cap;
      cap_d_ = !set_.capped || !use_d() ? std::numeric_limits<double>::infinity()
                                          : cost_traits<Cost>::to_double(cap_) * (1 + 1e-9);
      if (ordered_ && !pairwise_) x_[1].index(m_g_, [&](const entry& e) { return key_of(e); });  // (new only in round 1)
      for (std::size_t nn = 2; nn <= m_g_; ++nn) {
        build(nn);
        if (work_.stopped()) return -1;
      }
      if (!x_[m_g_].empty()) return x_[m_g_][0].node;
      if constexpr (prefilter && std::is_same_v<Objective, dp_exact_flops>)
        if (caps_.ceiling) complete_greedily();
      if (ordered_ && !pairwise_ && use_d() && set_.capped) maybe_scan_pairwise();
      caps_.raise(set_.capped, set_.naive, set_.limit);
    }
  }
  [[nodiscard]] constexpr Cost result_size() const { return p_.size_of(x_[m_g_][0].legs); }

 private:
  // The prefilter and the cost-ordered scan's keys work in doubles, for count and log2_cost
  // (doubles err there by far less than the 1e-9 margin on the cap; log2_cost only while every
  // figure of the search is far below 2^1024, doubles_: the naive bound under 2^500, whose
  // square a product of two parts' sizes stays under); other cost types skip them.
  static constexpr bool prefilter = std::is_same_v<Cost, count> || std::is_same_v<Cost, log2_cost>;
  bool doubles_ = prefilter;
  [[nodiscard]] constexpr bool use_d() const {
    if constexpr (std::is_same_v<Cost, count>) return true;
    return doubles_;
  }
  static constexpr std::uint32_t npos = level::npos;

  const path_problem<Cost, W>& p_;
  const dp_settings<Cost>& set_;
  Objective obj_;
  contraction_tree& tree_;
  dp_work& work_;
  std::size_t m_g_;
  std::uint64_t g_all_;                    // every tensor of the group
  scratch_vector<std::uint64_t> holders_;  // which tensors of the group hold each index
  scratch_vector<double> size_d_;          // index sizes as doubles
  label_set<W> g_inds_;                    // the group's indices
  std::vector<level> x_;                   // x_[m]: the subsets of m tensors found
  dp_caps<Cost> caps_{};                   // (read only when capped)
  Cost cap_{};                             // this round's cap
  double cap_d_ = 0, factor_d_ = 0;
  std::uint32_t round_ = 0;
  bool ordered_ = false;  // the cost-ordered scan
  // The pair-by-pair scan (groups of at most 12 tensors, or of at most pairwise_max_tensors
  // when sparse: the waiting pairs are charged to the budget's bytes). Up to 16 tensors it beat the cost-ordered scan on random
  // networks (bench_einsum dp random n=16: 2.1 ms -> 0.65 ms) with lattices of 15-16 tensors
  // about even; beyond, lattices (4 x 5, 5 x 5) took 2-8x longer pair by pair.
  static constexpr std::size_t pairwise_max_tensors = 16;
  // Whether the group's tensors share summed indices with at most 4 others on average
  // (lattices, 3-regular networks): pair by pair, a dense group of 16 tensors could hold
  // 3^16 / 2 pairs.
  [[nodiscard]] constexpr bool sparse(const dp_group<Cost, W>& grp) const {
    std::size_t edges = 0;
    for (std::size_t k = 0; k < m_g_; ++k) {
      std::uint64_t nb = 0;
      (grp.inputs[grp.g[k]] - p_.out).for_each([&](std::uint32_t d) { nb |= holders_[d]; });
      edges += static_cast<std::size_t>(std::popcount(nb & ~(std::uint64_t{1} << k)));
    }
    return edges <= 4 * m_g_;
  }
  // The caps start this many rounds below the greedy bound (dp_caps::aim_below): no round's
  // cap is higher than without the bound while greedy is within increment^4 of the optimum.
  static constexpr unsigned aim_skip = 3;
  bool pairwise_ = false;
  dp_waiting_pairs waiting_{0};
  struct pair_scan {
    std::uint32_t rows = 0, cols = 0;  // the part of x[nn - m] x x[m] scanned
  };
  scratch_vector<pair_scan> scanned_;  // for each (m, nn)
  scratch_vector<dp_waiting_pairs::pair> ready_;  // (retry_waiting's scratch)
  scratch_vector<std::uint32_t> hits_;  // (scratch of the scans)
  // The cost-ordered scan's: the group's tensors within r steps of tensor k (a step: a shared
  // summed index) at balls_[r * m_g_ + k].
  scratch_vector<std::uint64_t> balls_;

  [[nodiscard]] constexpr double product_d(const label_set<W>& set) const { return dp_product_d(set, size_d_); }
  // A lower bound of the cost of any step that reads e: Objective's cost with e as one part, a
  // part of cost 0 as the other, and e's own size as the step's (a step over e's indices and
  // more), in doubles. For an additive objective c1 + key(e2) bounds a pair's cost.
  [[nodiscard]] constexpr double key_of(const entry& e) const {
    if (!use_d()) return 0.0;
    return obj_.cost(0.0, e.cost_d, dp_step<double>{e.mem_d, 0.0, false}, factor_d_);
  }
  // The bytes held (build(nn) sums the other levels once: only level nn grows meanwhile).
  std::size_t building_ = 0;           // the level being built
  std::uint64_t other_levels_ = 0;     // the bytes of the levels but that one
  [[nodiscard]] constexpr std::uint64_t held() const {
    const std::uint64_t b = tree_.size() * sizeof(contraction_tree::node) + other_levels_ + x_[building_].bytes();
    return b + waiting_.bytes();
  }

  // The caps start near the cost of a greedy tree (dp_bound.hpp), the least of two rules'
  // (the exact FLOPs only: other objectives keep opt_einsum's caps, and so its ties). In
  // log2_cost the greedy tree's cost and the search's are summed in the same order, so the
  // cap at that cost admits the greedy tree itself.
  constexpr void aim_caps() {
    using bound = dp_greedy_bound<Cost, W>;
    typename bound::part_list leaves;
    leaves.reserve(m_g_);
    for (std::size_t k = 0; k < m_g_; ++k) leaves.push_back({x_[1][k].s, x_[1][k].legs, Cost(0u), x_[1][k].mem_d});
    const bound b(p_, holders_, size_d_, g_all_);
    if (const std::optional<Cost> best = b.least_cost(leaves, set_.limit)) caps_.aim_below(*best, aim_skip);
  }

  // After a round that found no tree: its largest subset of least cost, completed by a greedy
  // tree over the tensors outside it, is a tree too; its cost may lower the caps' ceiling.
  constexpr void complete_greedily() {
    std::size_t top = m_g_ - 1;
    while (top > 1 && x_[top].empty()) --top;
    if (top < 2) return;
    const level& xt = x_[top];
    std::size_t best = 0;
    for (std::size_t i = 1; i < xt.size(); ++i)
      if (xt[i].cost < xt[best].cost) best = i;
    using bound = dp_greedy_bound<Cost, W>;
    typename bound::part_list parts;
    parts.push_back({xt[best].s, xt[best].legs, xt[best].cost, xt[best].mem_d});
    for (std::size_t k = 0; k < m_g_; ++k)
      if (!(xt[best].s >> k & 1)) parts.push_back({x_[1][k].s, x_[1][k].legs, Cost(0u), x_[1][k].mem_d});
    const bound b(p_, holders_, size_d_, g_all_);
    if (const auto u = b.cost(parts, dp_greedy_rule::least_flops, set_.limit); u && *u < *caps_.ceiling) caps_.ceiling = u;
  }

  // After a round of the cost-ordered scan that found no tree: whether the pair-by-pair scan
  // would be cheaper from here. Pair by pair, a round from scratch visits every pair of the
  // levels found (the sum of their products), and later rounds only the pairs new since; the
  // cost-ordered round just done read `scan_words_` bitmap words for `subsets_scanned_`
  // subsets, each of which costs about 26 visits of set-up (its neighbours, bonds and the
  // tensors near them, the fitting prefix), and a later round reads them all again. So the
  // scan changes when the pairs are under 1.15 x that work. (Fitted on bench_einsum_dp's
  // lattices, random networks and MPS ladders, timing both choices after each round: random
  // networks of 22-30 tensors gained 1.3-1.8x by changing at 0.5-1.04, the 4 x 5 lattice of
  // bond 2 lost 2x by changing at 1.28, and the cases near 1.15 ran about even.) Pair by pair
  // then starts from scratch: subsets of earlier rounds are final, so a pair over them only
  // waits or is skipped, as it would have been.
  std::uint64_t subsets_scanned_ = 0, scan_words_ = 0;
  constexpr void maybe_scan_pairwise() {
    std::uint64_t all_pairs = 0;
    for (std::size_t nn = 2; nn <= m_g_; ++nn)
      for (std::size_t m = 1; m <= nn / 2; ++m) all_pairs += std::uint64_t{x_[m].size()} * x_[nn - m].size();
    const std::uint64_t ordered_work = scan_words_ + 26 * subsets_scanned_;
    subsets_scanned_ = scan_words_ = 0;
    if (20 * all_pairs >= 23 * ordered_work) return;
    pairwise_ = true;
    waiting_ = dp_waiting_pairs(m_g_ + 1);
    scanned_.assign((m_g_ + 1) * (m_g_ + 1), pair_scan{});
  }

  // Level nn for this round: every join of parts of m and nn - m tensors.
  constexpr void build(std::size_t nn) {
    work_.level = nn;
    building_ = nn;
    other_levels_ = 0;
    for (std::size_t l = 0; l < x_.size(); ++l)
      if (l != nn) other_levels_ += x_[l].bytes();
    if (pairwise_) retry_waiting(nn);
    for (std::size_t m = 1; m <= nn / 2 && !work_.stopped(); ++m) {
      if (!ordered_) scan_in_order(m, nn);
      else if (pairwise_) scan_new_pairs(m, nn);
      else scan_by_cost(m, nn);
    }
    if (ordered_ && !pairwise_ && !work_.stopped()) x_[nn].index(m_g_, [&](const entry& e) { return key_of(e); });
  }

  // opt_einsum's scan: every pair of x[m] x x[nn - m], in order, that is disjoint and shares
  // a summed index (or any pair, when searching outer products).
  constexpr void scan_in_order(std::size_t m, std::size_t nn) {
    const level& x1 = x_[m];
    const level& x2 = x_[nn - m];
    const bool same_size = m == nn - m;
    const std::size_t n1 = x1.size(), n2 = x2.size();
    if (!work_.charge(std::uint64_t{n1} * n2, held())) return;
    const auto* scan1 = x1.scan();  // (read once: the joins' stores could alias them)
    const auto* scan2 = x2.scan();
    for (std::size_t a = 0; a < n1; ++a)
      for (std::size_t b = 0; b < n2; ++b) {
        const std::uint64_t s1 = scan1[a].s, s2 = scan2[b].s;
        if ((s1 & s2) || (same_size && !(s1 < s2))) continue;
        if (set_.search_outer || ((scan1[a].legs & scan2[b].legs) - p_.out).any()) try_join(x1[a], x2[b], nn);
      }
  }

  // The tensors outside e that share a summed index with it: a partner must hold one.
  [[nodiscard]] constexpr std::uint64_t neighbours(const entry& e) const {
    std::uint64_t nb = 0;
    (e.legs - p_.out).for_each([&](std::uint32_t d) { nb |= holders_[d]; });
    return nb & ~e.s;
  }

  // The pairs of level nn waiting for a cap that admits them (each tried once more, and waiting
  // on if its exact cost is still over the cap).
  constexpr void retry_waiting(std::size_t nn) {
    waiting_.take(nn, cap_d_, ready_);
    if (!work_.charge(ready_.size(), held())) return;
    for (const auto& w : ready_)
      if (const double bound = try_join(x_[nn - w.m][w.a], x_[w.m][w.b], nn); bound >= 0) wait(nn, {bound, w.a, w.b, w.m});
  }
  constexpr void wait(std::size_t nn, const dp_waiting_pairs::pair& w) { waiting_.push(nn, w); }

  // The pairs of x[nn - m] x x[m] not scanned before, each once: disjoint, sharing a summed
  // index. The budget is charged a pair visited.
  constexpr void scan_new_pairs(std::size_t m, std::size_t nn) {
    pair_scan& ps = scanned_[nn * (m_g_ + 1) + m];
    const level& x1 = x_[nn - m];
    const level& x2 = x_[m];
    const bool same_size = m == nn - m;
    const auto n1 = static_cast<std::uint32_t>(x1.size()), n2 = static_cast<std::uint32_t>(x2.size());
    if (!work_.charge(std::uint64_t{n1} * n2 - std::uint64_t{ps.rows} * ps.cols, held())) return;
    const auto* scan1 = x1.scan();  // (read once: the joins' stores could alias them)
    const auto* scan2 = x2.scan();
    if (hits_.size() < n2) hits_.assign(n2, 0);
    for (std::uint32_t a = 0; a < n1; ++a) {
      const std::uint64_t s1 = scan1[a].s;
      const label_set<W> legs1 = scan1[a].legs - p_.out;
      std::size_t n_hits = 0;  // (found without a branch a pair, whose outcome is random)
      for (std::uint32_t b = a < ps.rows ? ps.cols : 0; b < n2; ++b) {
        const std::uint64_t s2 = scan2[b].s;
        hits_[n_hits] = b;
        n_hits += static_cast<std::size_t>(((s1 & s2) == 0) & (!same_size | (s1 < s2)) & legs1.intersects(scan2[b].legs));
      }
      for (std::size_t h = 0; h < n_hits; ++h)
        if (const double bound = try_join(x1[a], x2[hits_[h]], nn); bound >= 0)
          wait(nn, {bound, a, hits_[h], static_cast<std::uint32_t>(m)});
    }
    ps.rows = n1;
    ps.cols = n2;
  }

  // The cost-ordered scan: for each entry of x[m] whose key fits the cap, in ascending key, its
  // partners in x[nn - m] (scan_partners). The budget is charged a pair visited.
  constexpr void scan_by_cost(std::size_t m, std::size_t nn) {
    const level& x1 = x_[nn - m];  // (the larger part outside: its partners' lists are shorter)
    if (x_[m].ranked() == 0) return;
    const double least_key = x_[m].key(0);  // (a subset whose budget is under it has no partner)
    for (std::size_t r1 = 0; r1 < x1.ranked() && x1.key(r1) <= cap_d_; ++r1) {
      if (cap_d_ - x1.at_rank(r1).cost_d < least_key) continue;
      const std::uint64_t left = work_.pairs_left();
      const std::uint64_t visited = scan_partners(x1.at_rank(r1), m, nn, left);
      ++subsets_scanned_;
      if (!work_.charge(visited, held())) return;
    }
  }
  // The entries of x[m] that hold a neighbour of e1 and none of its tensors, among those whose
  // key fits what the cap leaves e1, found 64 a word in the level's bitmaps. Returns the pairs
  // visited: every entry whose key fits (stopping, before any, past `left`).
  constexpr std::uint64_t scan_partners(const entry& e1, std::size_t m, std::size_t nn, std::uint64_t left) {
    const level& x2 = x_[m];
    const bool same_size = m == nn - m;
    const std::uint64_t s1 = e1.s, nb = neighbours(e1);
    const double budget = cap_d_ - e1.cost_d;
    const std::size_t fit = x2.fitting(budget);
    if (fit > left) return left + 1;
    // The size of the indices e1 shares with each tensor outside it that holds one of its
    // indices (its neighbours, and the holders of its output indices): their product over a
    // partner's such tensors bounds what the partner shares with e1 from above (exactly, when
    // no index is on three tensors), so e1's size x the partner's / it bounds the step's from
    // below. (Over the neighbours alone it did not: an output index shared with a tensor that
    // is not a neighbour was missed, and dp pruned trees that fit the cap.)
    std::uint64_t touching = 0;
    e1.legs.for_each([&](std::uint32_t d) { touching |= holders_[d]; });
    touching &= ~s1;
    double bond[64], unbond[64];
    if constexpr (prefilter) {
      for (std::uint64_t ks = touching; ks; ks &= ks - 1) bond[std::countr_zero(ks)] = 1;
      e1.legs.for_each([&](std::uint32_t d) {
        for (std::uint64_t ks = holders_[d] & touching; ks; ks &= ks - 1) bond[std::countr_zero(ks)] *= size_d_[d];
      });
      for (std::uint64_t ks = touching; ks; ks &= ks - 1) unbond[std::countr_zero(ks)] = 1 / bond[std::countr_zero(ks)];
    }
    // A partner is connected and holds a neighbour, so it lies within m - 1 steps of one: only
    // e1's tensors that near can be in it.
    std::uint64_t near = 0;
    for (std::uint64_t ks = nb; ks; ks &= ks - 1) near |= ball(static_cast<std::size_t>(std::countr_zero(ks)), m - 1);
    std::uint8_t touch_of[64], none_of[64];
    const std::size_t n_touch = bits_of(touching, touch_of), n_none = bits_of(s1 & near, none_of);
    // A partner that holds one touching tensor k alone shares with e1 at most bond[k]: its size
    // must be at most budget x bond[k] / e1's size. too_large[i]: the word of the entries over
    // that, for the i-th touching tensor (those that hold several are all kept here).
    // (When no size is too large for any of them, the words of the neighbours alone decide.)
    std::size_t too_large[64];
    std::uint64_t is_neighbour[64];
    bool by_size = false;
    for (std::size_t i = 0; i < n_touch; ++i) {
      is_neighbour[i] = nb >> touch_of[i] & 1 ? ~std::uint64_t{0} : 0;
      if constexpr (prefilter)  // (in doubles only while they hold the figures: use_d)
        too_large[i] = use_d() ? x2.larger_than(budget * bond[touch_of[i]] / e1.mem_d) : x2.none_word();
      else
        too_large[i] = x2.none_word();
      by_size = by_size || too_large[i] != x2.none_word();
    }
    std::uint8_t any_of[64];
    const std::size_t n_any = by_size ? 0 : bits_of(nb, any_of);
    scan_words_ += (fit + 63) / 64 * (static_cast<std::size_t>(std::popcount(nb)) + n_none);  // (as fitted)
    for (std::size_t w = 0, words = (fit + 63) / 64; w < words; ++w) {
      const std::uint64_t* block = x2.holds_block(w);
      std::uint64_t u = 0;
      if (by_size) {
        std::uint64_t once = 0, twice = 0, small = 0;
        for (std::size_t i = 0; i < n_touch; ++i) {
          const std::uint64_t x = block[touch_of[i]];
          u |= x & is_neighbour[i];
          twice |= once & x;
          once |= x;
          small |= x & ~block[too_large[i]];
        }
        u &= twice | small;
      } else {
        for (std::size_t i = 0; i < n_any; ++i) u |= block[any_of[i]];
      }
      for (std::size_t i = 0; i < n_none && u; ++i) u &= ~block[none_of[i]];
      if (w + 1 == words && fit % 64) u &= (std::uint64_t{1} << (fit % 64)) - 1;
      for (; u; u &= u - 1) {
        const auto& e2 = x2.ranked_at(w * 64 + static_cast<std::size_t>(std::countr_zero(u)));
        if (same_size && !(s1 < e2.s)) continue;
        if constexpr (prefilter) {
          double all = e1.mem_d * e2.mem_d;
          for (std::uint64_t b = e2.s & touching; b; b &= b - 1) all *= unbond[std::countr_zero(b)];
          const dp_step<double> lb{all, 0.0, false};
          if (obj_.cost(e1.cost_d, e2.cost_d, lb, factor_d_) > cap_d_) continue;
        }
        try_join(e1, x2[e2.pos], nn);
      }
    }
    return fit;
  }
  // The positions of the bits of x, ascending; returns their number.
  static constexpr std::size_t bits_of(std::uint64_t x, std::uint8_t* out) {
    std::size_t n = 0;
    for (; x; x &= x - 1) out[n++] = static_cast<std::uint8_t>(std::countr_zero(x));
    return n;
  }
  [[nodiscard]] constexpr std::uint64_t ball(std::size_t k, std::size_t r) const {  // (r < m_g)
    return balls_[r * m_g_ + k];
  }
  constexpr void make_balls(const dp_group<Cost, W>& grp) {
    balls_.assign(m_g_ * std::max<std::size_t>(m_g_, 2), 0);
    for (std::size_t k = 0; k < m_g_; ++k) {
      std::uint64_t adj = 0;
      (grp.inputs[grp.g[k]] - p_.out).for_each([&](std::uint32_t d) { adj |= holders_[d]; });
      balls_[k] = std::uint64_t{1} << k;
      balls_[m_g_ + k] = adj | balls_[k];  // (radius 1: each larger ball grows by these)
    }
    for (std::size_t r = 2; r < m_g_; ++r)
      for (std::size_t k = 0; k < m_g_; ++k) {
        std::uint64_t b = balls_[(r - 1) * m_g_ + k];
        for (std::uint64_t t = b; t; t &= t - 1) b |= ball(static_cast<std::size_t>(std::countr_zero(t)), 1);
        balls_[r * m_g_ + k] = b;
      }
  }

  // Joins e1 and e2 (disjoint) into level nn when that is the cheapest way to their union
  // within the cap (and the memory limit). Returns -1, or when only the cap kept the pair
  // out, a lower bound of its cost (in doubles, for count; 0 otherwise).
  constexpr double try_join(const entry& e1, const entry& e2, std::size_t nn) {
    level& xn = x_[nn];
    const std::uint64_t s = e1.s | e2.s, rest = g_all_ & ~s;
    const label_set<W> uni = e1.legs | e2.legs, both = e1.legs & e2.legs;
    const label_set<W> gone = dp_summed_away(both, p_.out, holders_, rest);  // (summed away here)
    const bool inner = gone.any();
    if constexpr (prefilter)
      if (set_.capped) {
        const dp_step<double> lb{e1.mem_d * e2.mem_d / product_d(both), 0.0, inner};
        if (const double c = obj_.cost(e1.cost_d, e2.cost_d, lb, factor_d_); c > cap_d_) return c;
      }
    const std::uint32_t old = xn.find(s);
    // A subset found in an earlier round is final: that round found it at its least cost
    // within a smaller cap, and the cost of a tree bounds those of its subtrees.
    if (old != npos && xn[old].round < round_) return -1;
    const label_set<W> legs = uni - gone;
    const Cost mem = p_.size_of(legs);
    const Cost cost = obj_.cost(e1.cost, e2.cost, dp_step<Cost>{p_.size_of(uni), mem, inner}, set_.factor);
    if (set_.capped && cap_ < cost) return prefilter ? cost_traits<Cost>::to_double(cost) : 0.0;  // (not final: it waits)
    if (old != npos && !(cost < xn[old].cost)) return -1;
    if (set_.limit && *set_.limit < mem) return -1;
    entry made{s, legs, cost, tree_.join(e1.node, e2.node), 0.0, 1.0, round_};
    if constexpr (prefilter) {
      made.cost_d = cost_traits<Cost>::to_double(cost);
      made.mem_d = cost_traits<Cost>::to_double(mem);
    }
    if (old != npos) xn.replace(old, made);
    else xn.add(made);
    return -1;
  }
};

}  // namespace detail
}  // namespace txmath
