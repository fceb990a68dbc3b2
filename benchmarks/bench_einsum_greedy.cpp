// Speed of greedy and random greedy on the random networks of <txmath/einsum_random.hpp>
// (scripts/einsum_random_greedy.py runs opt_einsum's greedy and RandomGreedy on the same).
// 20, 100 and 500 tensors are 3-regular (random_network(n, 3, 2, n)); 1000 tensors are
// 2-regular (random_network(1000, 2, 2, 1000)), as path search takes at most 1024 distinct
// indices and a 3-regular network of 1000 has 1502. Costs in log2_cost beyond 20 tensors
// (the naive cost of 100 tensors exceeds 2^128). Each row reports log2 of the FLOPs found.
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <type_traits>

#include <txmath/einsum_path.hpp>
#include <txmath/einsum_random.hpp>

namespace {
using namespace txmath;

einsum_network network(std::uint32_t n) {
  return n == 1000 ? random_network(1000, 2, 2, 1000) : random_network(n, 3, 2, n);
}

template <class Cost>
double log2_of(const Cost& c) {
  if constexpr (std::is_same_v<Cost, log2_cost>) return c.log2();
  else return std::log2(c.to_double());
}

template <class Cost>
void BM_greedy(benchmark::State& state) {
  const einsum_network net = network(static_cast<std::uint32_t>(state.range(0)));
  const path_options opt{.optimize = path_optimizer::greedy};
  for (auto _ : state) {
    const auto info = contract_path<Cost>(net, opt);
    benchmark::DoNotOptimize(info.opt_flops);
  }
  state.counters["log2_opt_flops"] = log2_of(contract_path<Cost>(net, opt).opt_flops);
}
BENCHMARK_TEMPLATE(BM_greedy, count)->Arg(20)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_greedy, log2_cost)->Arg(100)->Arg(500)->Arg(1000)->Unit(benchmark::kMicrosecond);

// Random greedy, 32 passes (opt_einsum's RandomGreedy default max_repeats), seed 0; beside
// it, greedy's cost on the same network.
void BM_random_greedy(benchmark::State& state) {
  const einsum_network net = network(static_cast<std::uint32_t>(state.range(0)));
  path_options opt{.optimize = path_optimizer::random_greedy};
  opt.random.trials = 32;
  for (auto _ : state) {
    const auto info = contract_path<log2_cost>(net, opt);
    benchmark::DoNotOptimize(info.opt_flops);
  }
  state.counters["log2_opt_flops"] = contract_path<log2_cost>(net, opt).opt_flops.log2();
  state.counters["log2_greedy_flops"] =
      contract_path<log2_cost>(net, {.optimize = path_optimizer::greedy}).opt_flops.log2();
}
BENCHMARK(BM_random_greedy)->Arg(100)->Arg(500)->Arg(1000)->Unit(benchmark::kMillisecond);
}  // namespace

// greedy_search alone (no parsing, replay or report), on the networks of bench_einsum's greedy
// rows: what greedy.hpp's own changes move. Same cost types as those rows.
namespace {
template <class Cost, std::size_t W>
detail::path_problem<Cost, W> problem_of(const einsum_network& net) {
  detail::path_problem<Cost, W> p;
  p.size = detail::sizes_as<Cost>(net);
  for (const auto& t : net.inputs) {
    detail::label_set<W> s;
    for (auto d : t) s.set(d);
    p.in.push_back(s);
  }
  for (auto d : net.output) p.out.set(d);
  return p;
}

template <class Cost, std::size_t W>
void time_search(benchmark::State& state, const einsum_network& net) {
  const detail::path_problem<Cost, W> p = problem_of<Cost, W>(net);
  for (auto _ : state) {
    const detail::ssa_path path = detail::greedy_ssa(p);
    benchmark::DoNotOptimize(path.data.data());
  }
}

// The network's index count picks W as contract_path does.
template <class Cost>
void BM_greedy_search(benchmark::State& state, const einsum_network& net) {
  const std::size_t L = net.n_labels();
  if (L <= 64) time_search<Cost, 1>(state, net);
  else if (L <= 256) time_search<Cost, 4>(state, net);
  else time_search<Cost, 16>(state, net);
}

const bool search_registered = [] {
  auto add = [](const std::string& name, auto f) { benchmark::RegisterBenchmark(("greedy_search/" + name).c_str(), f)->Unit(benchmark::kMicrosecond); };
  add("random n=20", [](benchmark::State& s) { BM_greedy_search<count>(s, random_network(20, 3, 2, 20)); });
  for (std::uint32_t n : {30u, 100u, 500u})
    add("random n=" + std::to_string(n), [n](benchmark::State& s) { BM_greedy_search<log2_cost>(s, random_network(n, 3, 2, n)); });
  for (std::uint32_t r : {3u, 4u, 5u})
    add("lattice " + std::to_string(r) + "x" + std::to_string(r) + " bond 2",
        [r](benchmark::State& s) { BM_greedy_search<count>(s, lattice_network(r, r, 2)); });
  add("mps 20 sites d 2 bond 16", [](benchmark::State& s) { BM_greedy_search<log2_cost>(s, mps_overlap(20, 2, 16)); });
  add("mps 40 sites d 2 bond 64", [](benchmark::State& s) { BM_greedy_search<log2_cost>(s, mps_overlap(40, 2, 64)); });
  return true;
}();
}  // namespace
