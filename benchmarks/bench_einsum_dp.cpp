// Speed of dp (path_optimizer::dp, exact FLOPs) on square lattices of bond 2 and on random
// 3-regular networks (<txmath/einsum_random.hpp>; scripts/einsum_lattice_dp.py runs
// opt_einsum's dp on the same lattices). Each iteration is a whole contract_path.
#include <benchmark/benchmark.h>

#include <txmath/einsum_path.hpp>
#include <txmath/einsum_random.hpp>

namespace {
using namespace txmath;

void run_dp(benchmark::State& state, const einsum_network& net) {
  const path_options opt{.optimize = path_optimizer::dp};
  count opt_flops = 0;
  for (auto _ : state) {
    const auto info = contract_path(net, opt);
    opt_flops = info.opt_flops;
    benchmark::DoNotOptimize(opt_flops);
  }
  state.counters["opt_flops"] = opt_flops.to_double();
}

void BM_dp_lattice(benchmark::State& state) {
  const auto side = static_cast<std::uint32_t>(state.range(0));
  run_dp(state, lattice_network(side, side, 2));
}
BENCHMARK(BM_dp_lattice)->Arg(4)->Arg(5)->Arg(6)->Arg(7)->Unit(benchmark::kMillisecond);

void BM_dp_random(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  run_dp(state, random_network(n, 3, 2, n));
}
BENCHMARK(BM_dp_random)->Arg(10)->Arg(16)->Arg(20)->Arg(30)->Unit(benchmark::kMillisecond);

}  // namespace
