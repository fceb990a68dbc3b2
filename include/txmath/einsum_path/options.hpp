#pragma once
// What a contraction-path search is asked for: the optimizer, dp's objective, the memory
// limit and dp's work budget (see <txmath/einsum_path.hpp>).
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/einsum_cost.hpp>
#include <txmath/einsum_network.hpp>
#include <txmath/einsum.hpp>

TXMATH_DEFINE_ERROR(txmath_error_einsum_path_refers_to_a_missing_operand, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_no_contraction_order_fits_the_memory_limit, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_too_many_operands_for_optimal_use_dp_or_greedy, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_too_many_distinct_indices_for_path_search, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_dp_search_too_large_use_greedy, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_random_greedy_option_out_of_range, invalid_argument)

namespace txmath {

enum class path_optimizer { auto_, optimal, dp, greedy, random_greedy };

// dp objectives, as opt_einsum's DynamicProgramming(minimize=...).
// (`exact_flops`, not `flops`: an enumerator named like the type txmath::flops shadows it.)
enum class dp_minimize {
  exact_flops,       // the FLOPs contract_path reports (flop_count per step) -- txmath's default
  opt_einsum_flops,  // opt_einsum's 'flops': sum of the products of each step's indices
  size,              // the largest intermediate
  write,             // the sum of intermediate sizes
  combo,             // sum of (step product + factor * intermediate size)
  limit              // sum of max(step product, factor * intermediate size)
};

// opt_einsum's memory_limit: none, 'max_input' (the largest input or output, in elements),
// or a number of elements that no intermediate may exceed (0 is a real limit here).
struct memory_limit {
  enum class kind { unlimited, max_input, elements };
  kind what = kind::unlimited;
  count elements{};
  static constexpr memory_limit none() { return {}; }
  static constexpr memory_limit max_input() { return {kind::max_input, count{}}; }
  static constexpr memory_limit of(count n) { return {kind::elements, n}; }
};

// A bound on dp's work, so that a network too large for dp is refused (with path_optimizer::dp)
// or handed to greedy (with auto_) instead of running for minutes and exhausting memory. The
// defaults let dp finish random 3-regular networks of 30 tensors (2^24 pairs at most in
// tests/test_einsum_robust.cpp's seeds) and the 6 x 6 and 7 x 7 lattices of bond 2 (6 x 6:
// between 2^24 and 2^25 pairs, tests/test_einsum_dp.cpp; 7 x 7: 701,318,322 pairs, under a
// second); dp on 50 such tensors stops at 2^30 pairs (about 3 s, 62 MiB held, g++-12 -O2,
// 2026-12). The 8 x 8 lattice of bond 2 takes 5,566,094,997 pairs (2^32.4): pairs = 2^33
// finds its optimum in about 5 s (`txmath path ... --dp-pairs 8589934592`). A pair is one
// that dp's scan examines: the cost-ordered scan (groups beyond 16 tensors) examines, for a
// subset, every entry of the other level whose lower bound fits what the cap leaves it
// (64 a word in bitmaps); the pair-by-pair scans every pair of the two levels.
struct search_budget {
  std::uint64_t pairs = std::uint64_t{1} << 30;  // pairs of subsets examined, all rounds together
  std::uint64_t bytes = std::uint64_t{1} << 30;  // memory held for subsets and waiting pairs
};

// random_greedy: `trials` greedy passes, the first one plain greedy (so the result is never
// worse than greedy's), each other one with its own costmod c and temperature T drawn from
// the ranges below, ranking a candidate pair of sizes a, b -> ab by cotengrust's score
// x = ab / c - (a + b) c, as sign(x) ln(1 + |x|), minus T times a Gumbel variate; the pass
// whose path costs the fewest FLOPs (as contract_path reports them) wins. Defaults: the
// ranges are cotengrust's optimize_random_greedy_track_flops (costmod uniform in [0.1, 4],
// temperature log-uniform in [0.001, 1]); 32 trials is opt_einsum's RandomGreedy
// max_repeats. The same seed gives the same path.
struct random_greedy_options {
  static constexpr std::uint32_t max_trials = 1u << 16;  // a bound on the work: 65536 passes
  std::uint32_t trials = 32;  // 1 to max_trials
  std::uint64_t seed = 0;
  double costmod_min = 0.1, costmod_max = 4.0;         // 0 < min <= max <= 1e6
  double temperature_min = 0.001, temperature_max = 1.0;  // 0 < min <= max <= 1e6
};

struct path_options {
  path_optimizer optimize = path_optimizer::auto_;
  memory_limit limit{};
  dp_minimize minimize = dp_minimize::exact_flops;  // dp only
  unsigned combo_factor = 64;                 // dp combo/limit only (any unsigned: 2^32 - 1 too)
  bool search_outer = false;                  // dp only: also consider outer products
  // optimal only: let an input first sum, in a one-operand step, the indices no other tensor
  // carries (opt_einsum's 'optimal' never does; its 'dp' always does). Off, optimal searches
  // exactly opt_einsum's space of pairwise trees.
  bool pre_reduce = true;
  // dp only: opt_einsum's cost_cap. With it each round searches under a cost cap, raised until
  // a tree fits; the first tree found is the optimum, as costs only grow up a tree, and the cap
  // pays off on large networks. Without it one round finds the same optimum (ties aside).
  // auto_: no cap for groups of at most 6 tensors under the flops objective, the cap otherwise
  // (opt_einsum's default, so under its objectives ties resolve as in opt_einsum).
  enum class cost_cap { auto_, on, off } cap = cost_cap::auto_;
  search_budget budget{};  // dp only
  random_greedy_options random{};  // random_greedy only
};

}  // namespace txmath
