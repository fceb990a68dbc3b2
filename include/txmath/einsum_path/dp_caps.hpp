#pragma once
// dp's cost caps (opt_einsum's cost_cap sequence) and its account of work against
// path_options::budget.
#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// dp's cost caps, opt_einsum's sequence: from the elements of the group's output indices,
// times the smallest index size (at least 2) a round. A cap is held at the largest count where
// the product overflows (a cap that admits every tree a count can cost): raising never throws.
template <class Cost>
struct dp_caps {
  Cost cap, increment;
  std::optional<Cost> ceiling{};  // a known upper bound of the optimum (aim_below)

  template <std::size_t W>
  static constexpr dp_caps of(const path_problem<Cost, W>& p, const label_set<W>& g_inds) {
    dp_caps c{p.size_of(g_inds & p.out), Cost(2u)};
    if (c.cap < Cost(1u)) c.cap = Cost(1u);  // (a size 0 would hold every cap at 0 for ever)
    bool any = false;
    Cost lo{};
    g_inds.for_each([&](std::uint32_t d) {
      if (!any || p.size[d] < lo) lo = p.size[d];
      any = true;
    });
    if (any && Cost(2u) < lo) c.increment = lo;
    return c;
  }
  constexpr Cost next() const { return times_increment(cap); }
  // c x increment, held at the largest count where it overflows.
  constexpr Cost times_increment(const Cost& c) const {
    if constexpr (std::is_same_v<Cost, count>)
      if (count::from_rep(count::max_rep / increment.rep_value()) < c) return count::from_rep(count::max_rep);
    return c * increment;
  }
  // No tree costs less than its largest input (each input is in a step over all its indices),
  // so the caps below that are skipped; the caps stay those of the sequence, so the last round
  // is the same.
  template <std::size_t W>
  constexpr void skip_below_largest_input(const path_problem<Cost, W>& p, std::span<const label_set<W>> inputs,
                                          std::span<const std::uint32_t> g) {
    Cost largest = cap;
    for (auto k : g)
      if (const Cost e = p.size_of(inputs[k]); largest < e) largest = e;
    while (cap < largest && !(largest < next())) cap = next();
  }
  // Given `bound`, the cost of some tree within the memory limit (so at least the optimum):
  // the rounds whose caps are below bound / increment^skip are skipped (their caps stay those
  // of the sequence, so no round's cap is higher than without the bound while the bound is
  // within increment^(skip + 1) of the optimum), and the caps stop at bound, where a round
  // finds the optimum. Should that round find nothing (never, with exact costs), the caps go
  // on rising from there. (next() x increment^skip <= bound: for count, next() <= bound /
  // increment^skip in integer division; log2_cost has no division.)
  constexpr void aim_below(const Cost& bound, unsigned skip) {
    auto below_low = [&](const Cost& c) {
      Cost high = c;
      for (unsigned k = 0; k < skip; ++k) high = times_increment(high);
      return !(bound < high);
    };
    while (cap < next() && below_low(next())) cap = next();
    if (bound < cap) cap = bound;
    ceiling = bound;
  }
  // After a round that found no tree: the next cap, or an error when no cap can help (only a
  // memory limit keeps a group from every tree).
  constexpr void raise(bool capped, const Cost& naive, const std::optional<Cost>& limit) {
    if (ceiling && cap < *ceiling) {
      const Cost up = next();
      cap = *ceiling < up ? *ceiling : up;
      return;
    }
    if (!capped || naive < cap || !(cap < next()))
      TXMATH_FAIL(txmath_error_einsum_no_contraction_order_fits_the_memory_limit, invalid_argument,
                  limit ? "txmath: no contraction order keeps every intermediate within memory_limit = " +
                              cost_traits<Cost>::to_string(*limit) + " elements: raise the limit"
                        : std::string("txmath: dp found no contraction tree under any cost cap (an internal "
                                      "error: please report it with the einsum)"));
    cap = next();
  }
};

// dp's account of its work against path_options::budget. dp stops (and returns no path) when
// a group of connected tensors is beyond what it searches; `why` says which limit was met.
struct dp_work {
  enum class stop { none, budget, group_too_large };
  search_budget budget;
  stop why = stop::none;
  // A pair is charged each time a scan visits it, and again each time a pair that waited for
  // a higher cap (dp_search's pair-by-pair scan) is tried again; the bytes held count the
  // waiting pairs too.
  std::uint64_t pairs = 0;  // pairs of subsets examined so far
  std::uint64_t bytes = 0;  // memory held for subsets, their indexes and waiting pairs (an estimate)
  std::size_t tensors = 0;  // the size of the group being searched
  std::size_t level = 0;    // the subset size being built when it stopped

  // Adds `n` pairs examined, with `held` bytes now held; false once over budget.
  constexpr bool charge(std::uint64_t n, std::uint64_t held) {
    pairs += n;
    bytes = held;
    if (pairs > budget.pairs || bytes > budget.bytes) why = stop::budget;
    return why == stop::none;
  }
  // The pairs that may still be examined within the budget.
  [[nodiscard]] constexpr std::uint64_t pairs_left() const { return budget.pairs > pairs ? budget.pairs - pairs : 0; }
  constexpr bool stopped() const { return why != stop::none; }
  constexpr void stop_at(stop w, std::size_t group, std::size_t lvl) {
    why = w;
    tensors = group;
    level = lvl;
  }
  // Why dp gave up, for a message (the caller adds what to do).
  std::string reason() const {
    switch (why) {
      case stop::group_too_large:
        return "dp searches connected groups of at most 64 tensors; this network has " + std::to_string(tensors) +
               " connected tensors";
      default:
        return "dp's search of this network is beyond its work budget: it had examined " + std::to_string(pairs) +
               " pairs of subsets and held about " + std::to_string(bytes >> 20) + " MiB when it reached subsets of " +
               std::to_string(level) + " of a group of " + std::to_string(tensors) + " tensors (budget: " +
               std::to_string(budget.pairs) + " pairs, " + std::to_string(budget.bytes >> 20) +
               " MiB, path_options::budget)";
    }
  }
};

}  // namespace detail
}  // namespace txmath
