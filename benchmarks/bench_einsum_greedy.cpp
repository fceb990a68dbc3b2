// Speed of greedy and random greedy on the random networks of <txmath/einsum_random.hpp>
// (scripts/einsum_random_greedy.py runs opt_einsum's greedy and RandomGreedy on the same).
// 20, 100 and 500 tensors are 3-regular (random_network(n, 3, 2, n)); 1000 tensors are
// 2-regular (random_network(1000, 2, 2, 1000)), as path search takes at most 1024 distinct
// indices and a 3-regular network of 1000 has 1502. Costs in log2_cost beyond 20 tensors
// (the naive cost of 100 tensors exceeds 2^128). Each row reports log2 of the FLOPs found.
#include <benchmark/benchmark.h>

#include <cmath>
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
