// Speed of dp (path_optimizer::dp, exact FLOPs) on square lattices of bond 2 and on random
// 3-regular networks (<txmath/einsum_random.hpp>; scripts/einsum_lattice_dp.py runs
// opt_einsum's dp on the same lattices), and on held-out networks of the same kinds (below).
// Each iteration is a whole contract_path.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

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
void run_dp_log2(benchmark::State& state, const einsum_network& net) {
  const path_options opt{.optimize = path_optimizer::dp};
  for (auto _ : state) {
    const auto info = contract_path<log2_cost>(net, opt);
    benchmark::DoNotOptimize(info.opt_flops);
  }
  state.counters["log2_opt_flops"] = benchmark::Counter(contract_path<log2_cost>(net, opt).opt_flops.log2());
}

void BM_dp_lattice(benchmark::State& state) {
  const auto side = static_cast<std::uint32_t>(state.range(0));
  run_dp(state, lattice_network(side, side, 2));
}
BENCHMARK(BM_dp_lattice)->Arg(4)->Arg(5)->Arg(6)->Arg(7)->Unit(benchmark::kMillisecond);

// The 8 x 8 lattice (issue 15's aim: under 10 s) needs 2^32.4 of dp's pairs, beyond the default
// budget of 2^30: here 2^33, as `txmath path ... --dp-pairs 8589934592`. One iteration.
void BM_dp_lattice_8x8(benchmark::State& state) {
  path_options opt{.optimize = path_optimizer::dp};
  opt.budget.pairs = std::uint64_t{1} << 33;
  const einsum_network net = lattice_network(8, 8, 2);
  count opt_flops = 0;
  for (auto _ : state) {
    opt_flops = contract_path(net, opt).opt_flops;
    benchmark::DoNotOptimize(opt_flops);
  }
  state.counters["opt_flops"] = opt_flops.to_double();
}
BENCHMARK(BM_dp_lattice_8x8)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_dp_random(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  run_dp(state, random_network(n, 3, 2, n));
}
BENCHMARK(BM_dp_random)->Arg(10)->Arg(16)->Arg(20)->Arg(30)->Unit(benchmark::kMillisecond);

// Networks of the same kinds as bench_einsum's but other seeds and sizes (held out from the
// tuning of dp's scans): random 3-regular networks (seed n + 101 x k), rectangular lattices,
// MPS ladders of other lengths and bonds, in count and (the 2^128-overflowing ones) log2_cost.
void BM_dp_random_seed(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  run_dp(state, random_network(n, 3, 2, n + 101 * static_cast<std::uint64_t>(state.range(1))));
}
BENCHMARK(BM_dp_random_seed)->ArgsProduct({{12, 16, 18, 20, 22, 24}, {1, 2, 3}})->Unit(benchmark::kMicrosecond);

void BM_dp_lattice_rect(benchmark::State& state) {
  const auto r = static_cast<std::uint32_t>(state.range(0)), c = static_cast<std::uint32_t>(state.range(1));
  run_dp(state, lattice_network(r, c, static_cast<unsigned>(state.range(2))));
}
BENCHMARK(BM_dp_lattice_rect)->Args({3, 4, 2})->Args({3, 5, 2})->Args({4, 5, 2})->Args({4, 5, 3})->Args({3, 6, 3})->Args({4, 4, 4})->Unit(benchmark::kMicrosecond);

void BM_dp_mps(benchmark::State& state) {
  run_dp(state, mps_overlap(static_cast<std::uint32_t>(state.range(0)), 2, static_cast<unsigned>(state.range(1))));
}
BENCHMARK(BM_dp_mps)->Args({8, 8})->Args({10, 64})->Args({12, 16})->Args({16, 32})->Unit(benchmark::kMicrosecond);

void BM_dp_mps_log2(benchmark::State& state) {
  run_dp_log2(state, mps_overlap(static_cast<std::uint32_t>(state.range(0)), 2, static_cast<unsigned>(state.range(1))));
}
BENCHMARK(BM_dp_mps_log2)->Args({16, 16})->Args({20, 16})->Args({20, 32})->Unit(benchmark::kMicrosecond);

// Groups of 7-10 tensors, dp's small-group search (einsum_path/dp_small.hpp): random 3-regular
// networks (seed 100 x k + n), lattices 2 x 4, 3 x 3 and 2 x 5 of bond 2, 3 and 8, MPS
// overlaps of 4 and 5 sites; each timed from its spec text and shapes, as a user calls it.
void run_dp_text(benchmark::State& state, const einsum_network& net) {
  const std::string spec = net.str();
  std::vector<std::vector<count>> shapes;
  for (const auto& t : net.inputs) {
    shapes.emplace_back();
    for (auto id : t) shapes.back().push_back(net.sizes[id]);
  }
  count opt_flops = 0;
  for (auto _ : state) {
    einsum_network parsed = parse_network(spec);
    parsed.set_shapes(shapes);
    opt_flops = contract_path(parsed, {.optimize = path_optimizer::dp}).opt_flops;
    benchmark::DoNotOptimize(opt_flops);
  }
  state.counters["opt_flops"] = opt_flops.to_double();
}
void BM_dp_small_random(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  run_dp_text(state, random_network(n, 3, 2, 100 * static_cast<std::uint64_t>(state.range(1)) + n));
}
BENCHMARK(BM_dp_small_random)->ArgsProduct({{7, 8, 9, 10}, {1, 2, 3, 4}})->Unit(benchmark::kMicrosecond);
void BM_dp_small_lattice(benchmark::State& state) {
  const auto r = static_cast<std::uint32_t>(state.range(0)), c = static_cast<std::uint32_t>(state.range(1));
  run_dp_text(state, lattice_network(r, c, static_cast<unsigned>(state.range(2))));
}
BENCHMARK(BM_dp_small_lattice)->ArgsProduct({{2}, {4, 5}, {2, 3, 8}})->ArgsProduct({{3}, {3}, {2, 3, 8}})->Unit(benchmark::kMicrosecond);
void BM_dp_small_mps(benchmark::State& state) {
  run_dp_text(state, mps_overlap(static_cast<std::uint32_t>(state.range(0)), static_cast<unsigned>(state.range(1)),
                                 static_cast<unsigned>(state.range(2))));
}
BENCHMARK(BM_dp_small_mps)->ArgsProduct({{4, 5}, {2}, {16, 64}})->ArgsProduct({{4, 5}, {4}, {8}})->Unit(benchmark::kMicrosecond);

}  // namespace
