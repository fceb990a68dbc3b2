// Speed of the einsum engine: parse + cost of one pairwise spec, and contraction-path search
// on the random networks of <txmath/einsum_random.hpp> (the same expressions that
// scripts/time_opt_einsum.py times with opt_einsum). Each path benchmark starts from the
// spec text and the operand shapes, as opt_einsum's contract_path(expr, *shapes, shapes=True).
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include <txmath/einsum_random.hpp>
#include <txmath/einsum_path.hpp>

namespace {
using namespace txmath;

void BM_parse_and_cost_pairwise(benchmark::State& state) {
  std::string spec = "btd,df->btf";
  benchmark::DoNotOptimize(spec.data());
  count t = 1024;
  benchmark::DoNotOptimize(t);
  for (auto _ : state) {
    const einsum_spec s = parse_einsum(spec);
    const einsum_cost c = cost(s, {{'b', 8}, {'t', t}, {'d', 4096}, {'f', 14336}});
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_parse_and_cost_pairwise);

struct problem {
  std::string spec;
  std::vector<std::vector<count>> shapes;
};
problem make(std::uint32_t n) {
  const einsum_network net = random_network(n, 3, 2, n);
  problem p{net.str(), {}};
  for (const auto& t : net.inputs) {
    p.shapes.emplace_back();
    for (auto id : t) p.shapes.back().push_back(net.sizes[id]);
  }
  return p;
}

// Exact counts where they fit; log2 costs beyond 2^128 (the naive cost of 100 tensors is).
template <path_optimizer O, class Cost>
void BM_path(benchmark::State& state) {
  const problem p = make(static_cast<std::uint32_t>(state.range(0)));
  for (auto _ : state) {
    einsum_network net = parse_network(p.spec);
    net.set_shapes(p.shapes);
    const auto info = contract_path<Cost>(net, {.optimize = O});
    benchmark::DoNotOptimize(info.opt_flops);
  }
  einsum_network net = parse_network(p.spec);
  net.set_shapes(p.shapes);
  const auto f = contract_path<Cost>(net, {.optimize = O}).opt_flops;
  if constexpr (std::is_same_v<Cost, log2_cost>) state.counters["log2_opt_flops"] = f.log2();
  else state.counters["log2_opt_flops"] = std::log2(f.to_double());
}
BENCHMARK_TEMPLATE(BM_path, path_optimizer::optimal, count)->Arg(4)->Arg(6)->Arg(8)->Arg(10)->Arg(12)->Arg(16)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_path, path_optimizer::dp, count)->Arg(4)->Arg(6)->Arg(8)->Arg(10)->Arg(12)->Arg(16)->Arg(20)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_path, path_optimizer::greedy, count)->Arg(20)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_path, path_optimizer::greedy, log2_cost)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);
}  // namespace
