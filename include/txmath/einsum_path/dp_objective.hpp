#pragma once
// dp's objectives (path_options::minimize) as policies: each writes the cost of joining two
// subtrees once, as a template on the number type, so that the same formula gives the exact
// cost (in Cost) and, in doubles, the bound dp prunes with.
#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// One pairwise step of dp: `all` is the product of the sizes of every index of the two parts,
// `result` the size of what it leaves, `inner` whether it sums an index away.
template <class N>
struct dp_step {
  N all;
  N result;
  bool inner = false;
};

// The indices a step joining two disjoint subsets of a group sums away: of those both hold
// (`both`), the summed ones that no tensor of the group outside the two holds (`holders`: the
// group's tensors holding each index, as bits; `rest`: the tensors outside the two).
template <std::size_t W>
[[nodiscard]] constexpr label_set<W> dp_summed_away(const label_set<W>& both, const label_set<W>& out,
                                                    std::span<const std::uint64_t> holders, std::uint64_t rest) {
  label_set<W> gone;
  (both - out).for_each([&](std::uint32_t d) {
    if (!(holders[d] & rest)) gone.set(d);
  });
  return gone;
}
// The product of the sizes of a set of indices, in doubles (`size_d`: each index's size).
template <std::size_t W>
[[nodiscard]] constexpr double dp_product_d(const label_set<W>& set, std::span<const double> size_d) {
  double r = 1;
  set.for_each([&](std::uint32_t d) { r *= size_d[d]; });
  return r;
}

// Every objective's cost is non-decreasing in each argument, so evaluated on lower bounds of
// a step's figures (in doubles: a result of 0, no summed index) it bounds the exact cost from
// below: the pruning can only let through what the exact test then decides. `additive`: the
// cost is c1 + (a function of c2 and the step), which dp's cost-ordered scan relies on.
struct dp_exact_flops {  // the FLOPs contract_path reports (flop_count per step)
  static constexpr bool additive = true;
  template <class N>
  static constexpr N cost(const N& c1, const N& c2, const dp_step<N>& st, const N&) {
    return c1 + c2 + flop_count(st.all, 2, st.inner);
  }
};
struct dp_opt_einsum_flops {  // opt_einsum's 'flops': the product of each step's indices
  static constexpr bool additive = true;
  template <class N>
  static constexpr N cost(const N& c1, const N& c2, const dp_step<N>& st, const N&) {
    return c1 + c2 + st.all;
  }
};
struct dp_size {  // the largest intermediate
  static constexpr bool additive = false;
  template <class N>
  static constexpr N cost(const N& c1, const N& c2, const dp_step<N>& st, const N&) {
    const N& m = c1 < c2 ? c2 : c1;
    return m < st.result ? st.result : m;
  }
};
struct dp_write {  // the sum of the intermediates' sizes
  static constexpr bool additive = true;
  template <class N>
  static constexpr N cost(const N& c1, const N& c2, const dp_step<N>& st, const N&) {
    return c1 + c2 + st.result;
  }
};
struct dp_combo {  // sum of (step product + factor x intermediate size)
  static constexpr bool additive = true;
  template <class N>
  static constexpr N cost(const N& c1, const N& c2, const dp_step<N>& st, const N& factor) {
    return c1 + c2 + (st.all + factor * st.result);
  }
};
struct dp_limit {  // sum of max(step product, factor x intermediate size)
  static constexpr bool additive = true;
  template <class N>
  static constexpr N cost(const N& c1, const N& c2, const dp_step<N>& st, const N& factor) {
    const N w = factor * st.result;
    return c1 + c2 + (st.all < w ? w : st.all);
  }
};

// The other objectives behind one type, chosen at run time: dp's search is compiled twice (the
// exact FLOPs, its default and fast path, and this), not once per objective.
struct dp_objective_of {
  dp_minimize kind;
  static constexpr bool additive = false;
  template <class N>
  constexpr N cost(const N& c1, const N& c2, const dp_step<N>& st, const N& factor) const {
    switch (kind) {
      case dp_minimize::exact_flops: return dp_exact_flops::cost(c1, c2, st, factor);
      case dp_minimize::opt_einsum_flops: return dp_opt_einsum_flops::cost(c1, c2, st, factor);
      case dp_minimize::size: return dp_size::cost(c1, c2, st, factor);
      case dp_minimize::write: return dp_write::cost(c1, c2, st, factor);
      case dp_minimize::combo: return dp_combo::cost(c1, c2, st, factor);
      default: return dp_limit::cost(c1, c2, st, factor);
    }
  }
};

// Calls f(objective) with the policy of `m`.
template <class F>
constexpr decltype(auto) with_objective(dp_minimize m, F&& f) {
  if (m == dp_minimize::exact_flops) return f(dp_exact_flops{});
  return f(dp_objective_of{m});
}

}  // namespace detail
}  // namespace txmath
