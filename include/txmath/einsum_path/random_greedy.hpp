#pragma once
// random_greedy: n passes of greedy, each ranking its candidate pairs with its own costmod and
// random noise, keeping the path of fewest FLOPs: cotengrust's
// optimize_random_greedy_track_flops (cotengra's default for large networks), as
// opt_einsum's RandomGreedy runs trials of its greedy. Options: random_greedy_options
// (options.hpp).
//
// Differences from cotengrust, each for a reason:
// - the first pass is plain greedy (opt_einsum's RandomGreedy does the same), so the result
//   is never worse than greedy's;
// - a pair is ranked by sign(x) ln(1 + |x|), not sign(x) ln|x|: the latter is not monotone
//   in x for |x| < 1 (x = -0.001 would rank after x = -1000);
// - a new tensor queues only its best partner, as in greedy (opt_einsum's push_all = False),
//   where cotengrust and RandomGreedy queue every pair it makes: tried both ways while
//   writing this, queuing the best partner found cheaper paths on most random networks of
//   100-1000 tensors, in less time (bench_einsum_greedy.cpp times this one);
// - passes are compared on the FLOPs contract_path reports (exact with count; by log2 where
//   one is beyond 2^128 - 1), not on a float32 sum of step products, and none is cut short:
//   each pass is a full greedy;
// - the generator is splitmix64 seeded from `seed` (constexpr, the same on every platform);
//   pass t draws its own generator from the t-th output of the seed's.
#include <cmath>
#include <type_traits>

#include <txmath/core/math.hpp>
#include <txmath/einsum_path/greedy_small.hpp>
#include <txmath/einsum_path/replay.hpp>


namespace txmath {
namespace detail {

// splitmix64 (Steele, Lea and Flood 2014, the constants of Vigna's reference code).
struct splitmix64 {
  std::uint64_t state;
  constexpr std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1), never 0 or 1: the top 53 bits, centred in their interval.
  constexpr double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1p-53; }
};

// ln and e^x: txmath's constexpr ones in constant evaluation, <cmath>'s (faster) at run time.
constexpr double rg_ln(double x) { return std::is_constant_evaluated() ? math::log(x) : std::log(x); }
constexpr double rg_exp(double x) { return std::is_constant_evaluated() ? math::exp(x) : std::exp(x); }
// ln(e^a + e^b).
constexpr double ln_add(double a, double b) {
  const double hi = a < b ? b : a, lo = a < b ? a : b;
  return hi + rg_ln(1.0 + rg_exp(lo - hi));
}

// The rank of a pair in a randomized pass (greedy_search's Ranker).
struct perturbed_rank {
  const double* ln_size;  // ln of each index size
  double ln_costmod = 0, temperature = 0;
  splitmix64 rng{0};

  constexpr double ln_of(std::uint32_t d) const { return ln_size[d]; }
  // sizes a, b -> ab (as ln): x = ab / c - (a + b) c, ranked sign(x) ln(1 + |x|) - T gumbel.
  constexpr double operator()(double ln_a, double ln_b, double ln_ab) {
    const double gumbel = -rg_ln(-rg_ln(rng.uniform()));
    const double added = ln_ab - ln_costmod, removed = ln_add(ln_a, ln_b) + ln_costmod;
    if (added == removed) return -temperature * gumbel;  // x = 0
    const double hi = added < removed ? removed : added, lo = added < removed ? added : removed;
    const double ln_x = hi + rg_ln(1.0 - rg_exp(lo - hi));  // ln |x|
    const double score = ln_add(0.0, ln_x);
    return (added < removed ? -score : score) - temperature * gumbel;
  }
};

constexpr void check_random_greedy(const random_greedy_options& o) {
  auto fail = [](const std::string& why) {
    TXMATH_FAIL(txmath_error_einsum_random_greedy_option_out_of_range, invalid_argument, "txmath: random_greedy: " + why);
  };
  if (o.trials < 1 || o.trials > random_greedy_options::max_trials)
    fail("trials is " + std::to_string(o.trials) + ": give 1 to " + std::to_string(random_greedy_options::max_trials));
  auto range = [&](const char* name, double lo, double hi) {
    if (!(lo > 0 && lo <= hi && hi <= 1e6))  // (also refuses NaN and infinity)
      fail(std::string(name) + " range [" + std::to_string(lo) + ", " + std::to_string(hi) +
           "] is out of range: give 0 < min <= max <= 1e6");
  };
  range("costmod", o.costmod_min, o.costmod_max);
  range("temperature", o.temperature_min, o.temperature_max);
}

// The FLOPs contract_path reports for an ssa path: more is worse. A count beyond 2^128 - 1 is
// flagged (over) and held at the largest count; its log2 is then that of the path replayed in
// log2_cost, and two paths of which one is over compare by log2 (to ~15 significant digits).
template <class Cost>
struct path_flops {
  bool over = false;
  Cost value{};
  double log2 = 0;  // (over:) log2 of the FLOPs
  friend constexpr bool operator<(const path_flops& a, const path_flops& b) {
    if (!a.over && !b.over) return a.value < b.value;
    return a.log2_of() < b.log2_of();
  }
  double log2_of() const {
    if constexpr (std::is_same_v<Cost, count>) return over ? log2 : log2_cost(value).log2();
    else return 0;
  }
};
// (log2_size: the sizes in log2_cost, made at the first pass over, for the passes after.)
template <class Cost>
constexpr path_flops<Cost> flops_of(const einsum_network& net, std::span<const Cost> size, const ssa_path& ssa,
                                    small_vector<log2_cost, 16>& log2_size) {
  const path_info<Cost> info = replay_ssa<Cost>(net, ssa, size);
  path_flops<Cost> f{info.overflowed.opt_flops, info.opt_flops};
  if (f.over) {
    if (log2_size.empty()) log2_size = sizes_in_place<log2_cost>(net);
    f.log2 = replay_ssa<log2_cost>(net, ssa, std::span<const log2_cost>(log2_size.data(), log2_size.size())).opt_flops.log2();
  }
  return f;
}

// The pass t > 0 of a randomized greedy: its generator, costmod and temperature.
constexpr perturbed_rank pass_rank(const random_greedy_options& o, const double* ln_size, std::uint64_t pass_seed) {
  splitmix64 rng{pass_seed};
  const double c = o.costmod_min + rng.uniform() * (o.costmod_max - o.costmod_min);
  const double ln_t0 = rg_ln(o.temperature_min), ln_t1 = rg_ln(o.temperature_max);
  const double t = rg_exp(ln_t0 + rng.uniform() * (ln_t1 - ln_t0));
  return {ln_size, rg_ln(c), t, rng};
}

template <class Cost, std::size_t W>
[[nodiscard]] constexpr ssa_path random_greedy_ssa(const einsum_network& net, const path_problem<Cost, W>& p,
                                                   const random_greedy_options& o) {
  check_random_greedy(o);
  ssa_path best = greedy_ssa(net, p);
  if (p.in.size() < 3 || o.trials == 1) return best;
  small_vector<log2_cost, 16> log2_size;
  path_flops<Cost> least = flops_of<Cost>(net, p.size, best, log2_size);
  std::vector<double> ln_size(net.n_labels(), 0.0);
  for (std::size_t d = 0; d < ln_size.size(); ++d) ln_size[d] = rg_ln(net.sizes[d].to_double());
  splitmix64 seeds{o.seed};
  for (std::uint32_t t = 1; t < o.trials; ++t) {
    ssa_path path = greedy_search<Cost, W, perturbed_rank>(p, pass_rank(o, ln_size.data(), seeds.next())).run();
    if (const path_flops<Cost> f = flops_of<Cost>(net, p.size, path, log2_size); f < least) {
      least = f;
      best = std::move(path);
    }
  }
  return best;
}

}  // namespace detail
}  // namespace txmath
