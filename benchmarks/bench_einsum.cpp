// Speed of the einsum engine: parse + cost of one pairwise spec, and contraction-path search
// on transformer-shaped einsums and on the networks of <txmath/einsum_random.hpp> (random
// regular graphs, square lattices, matrix-product-state ladders). Every path benchmark starts
// from the spec TEXT and the operand shapes, as opt_einsum's
// contract_path(expr, *shapes, shapes=True), which scripts/time_opt_einsum.py times on the very
// same cases (same names, same expressions; scripts/speed_table.sh joins the two).
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include <txmath/einsum_path.hpp>
#include <txmath/einsum_random.hpp>

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

// The parts of a small call the README names (not in the opt_einsum table): parsing a pairwise
// spec into an einsum_network, and replaying a given path of six steps (a chain of 7 matrices,
// sizes 3) into its report.
void BM_small_parse_network(benchmark::State& state) {
  std::string spec = "btnh,bsnh->bnts";
  benchmark::DoNotOptimize(spec.data());
  for (auto _ : state) {
    const einsum_network net = parse_network(spec);
    benchmark::DoNotOptimize(net.labels.data());
  }
}
BENCHMARK(BM_small_parse_network)->Name("small/parse_network btnh,bsnh->bnts");
void BM_small_replay_chain(benchmark::State& state) {
  einsum_network net = parse_network("ab,bc,cd,de,ef,fg,gh->ah");
  for (char32_t c : net.labels) net.set_size(c, 3);
  const linear_path path{{0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}};
  for (auto _ : state) {
    const auto info = contract_path<count>(net, path);
    benchmark::DoNotOptimize(info.opt_flops);
  }
}
BENCHMARK(BM_small_replay_chain)->Name("small/replay 7-matrix chain, 6 steps");

// One case: what opt_einsum is given (the text and the shapes) and the optimizer.
struct path_case {
  std::string spec;
  std::vector<std::vector<count>> shapes;
};

path_case from_text(std::string spec, std::vector<std::vector<count>> shapes) { return {std::move(spec), std::move(shapes)}; }
path_case from_network(const einsum_network& net) {
  path_case p{net.str(), {}};
  for (const auto& t : net.inputs) {
    p.shapes.emplace_back();
    for (auto id : t) p.shapes.back().push_back(net.sizes[id]);
  }
  return p;
}

// Exact counts where they fit; log2 costs where the naive cost is beyond 2^128.
template <class Cost>
void run_path(benchmark::State& state, const path_case& p, path_optimizer o) {
  for (auto _ : state) {
    einsum_network net = parse_network(p.spec);
    net.set_shapes(p.shapes);
    const auto info = contract_path<Cost>(net, {.optimize = o});
    benchmark::DoNotOptimize(info.opt_flops);
  }
  einsum_network net = parse_network(p.spec);
  net.set_shapes(p.shapes);
  const auto f = contract_path<Cost>(net, {.optimize = o}).opt_flops;
  if constexpr (std::is_same_v<Cost, log2_cost>) state.counters["log2_opt_flops"] = f.log2();
  else state.counters["log2_opt_flops"] = std::log2(f.to_double());
}

const char* name_of(path_optimizer o) {
  switch (o) {
    case path_optimizer::optimal: return "optimal";
    case path_optimizer::dp: return "dp";
    case path_optimizer::greedy: return "greedy";
    default: return "auto";
  }
}

// Registers "path/<optimizer>/<case>"; scripts/time_opt_einsum.py prints the same names.
void add(path_optimizer o, const std::string& name, path_case p, bool log2 = false) {
  const std::string full = std::string("path/") + name_of(o) + "/" + name;
  auto* b = log2 ? benchmark::RegisterBenchmark(full.c_str(), [p, o](benchmark::State& s) { run_path<log2_cost>(s, p, o); })
                 : benchmark::RegisterBenchmark(full.c_str(), [p, o](benchmark::State& s) { run_path<count>(s, p, o); });
  b->Unit(benchmark::kMicrosecond);
}

// Transformer shapes: b batch, t/s sequence, d model, f FFN, n heads, h head size, g groups,
// e experts, c expert capacity, m model (MoE dispatch as GShard's "gsec,egcm->gsm").
void add_transformer() {
  const path_optimizer a = path_optimizer::auto_;
  add(a, "ii->", from_text("ii->", {{4096, 4096}}));
  add(a, "btd,df->btf", from_text("btd,df->btf", {{8, 2048, 4096}, {4096, 14336}}));
  add(a, "btnh,bsnh->bnts", from_text("btnh,bsnh->bnts", {{8, 2048, 32, 128}, {8, 2048, 32, 128}}));
  add(a, "bnts,bsnh->btnh", from_text("bnts,bsnh->btnh", {{8, 32, 2048, 2048}, {8, 2048, 32, 128}}));
  add(a, "gsec,egcm->gsm", from_text("gsec,egcm->gsm", {{8, 1024, 64, 40}, {64, 8, 40, 4096}}));
  add(a, "bthd,hde->bte", from_text("bthd,hde->bte", {{8, 2048, 32, 128}, {32, 128, 4096}}));
  add(a, "bd,df,fe->be", from_text("bd,df,fe->be", {{1024, 4096}, {4096, 14336}, {14336, 4096}}));
  add(a, "btd,dnh,bsnh->btns", from_text("btd,dnh,bsnh->btns", {{8, 2048, 4096}, {4096, 32, 128}, {8, 2048, 32, 128}}));
}

void add_networks() {
  using enum path_optimizer;
  for (std::uint32_t n : {4u, 6u, 8u, 10u, 12u, 16u}) add(optimal, "random n=" + std::to_string(n), from_network(random_network(n, 3, 2, n)));
  for (std::uint32_t n : {4u, 6u, 8u, 10u, 12u, 16u, 20u}) add(dp, "random n=" + std::to_string(n), from_network(random_network(n, 3, 2, n)));
  add(greedy, "random n=20", from_network(random_network(20, 3, 2, 20)));
  for (std::uint32_t n : {30u, 100u, 500u}) add(greedy, "random n=" + std::to_string(n), from_network(random_network(n, 3, 2, n)), true);
  for (std::uint32_t r : {3u, 4u, 5u}) {
    const std::string name = "lattice " + std::to_string(r) + "x" + std::to_string(r) + " bond 2";
    add(dp, name, from_network(lattice_network(r, r, 2)));
    add(greedy, name, from_network(lattice_network(r, r, 2)));
  }
  add(dp, "mps 10 sites d 2 bond 16", from_network(mps_overlap(10, 2, 16)));
  add(dp, "mps 20 sites d 2 bond 16", from_network(mps_overlap(20, 2, 16)), true);
  add(greedy, "mps 20 sites d 2 bond 16", from_network(mps_overlap(20, 2, 16)), true);
  add(greedy, "mps 40 sites d 2 bond 64", from_network(mps_overlap(40, 2, 64)), true);
}

const bool registered = (add_transformer(), add_networks(), true);
}  // namespace
