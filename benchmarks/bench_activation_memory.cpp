// Activation memory per layout: what a layout search pays per candidate once the model's
// account (activation_memory) is built, and what building it costs. The configs are read
// through a pointer so nothing folds at compile time.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <txmath/activation_memory.hpp>
#include <txmath/presets.hpp>

namespace {
const txmath::model_config* preset(const char* name) {
  const auto* m = txmath::find_preset(name);
  benchmark::DoNotOptimize(m);
  return m;
}

// A sweep of layouts: TP 1-8 (with SP when > 1), pipelines of 1 to 18 stages (interleaved
// too), micro-batch 1-2, every recompute policy.
std::vector<txmath::training_layout> layouts() {
  std::vector<txmath::training_layout> out;
  for (std::uint64_t tp : {1u, 2u, 4u, 8u})
    for (std::uint64_t pp : {1u, 2u, 7u, 9u, 14u, 16u, 18u})
      for (std::uint64_t v : {1u, 2u})
        for (auto r : {txmath::recompute::none, txmath::recompute::selective, txmath::recompute::full})
          for (std::uint64_t mb : {1u, 2u})
            out.push_back({.tp = tp, .pp = pp, .micro_batch = mb, .interleave = v, .recompute_mode = r,
                           .sequence_parallel = tp > 1});
  return out;
}

void peak_per_layout(benchmark::State& state, const char* name) {
  const txmath::activation_memory account(*preset(name));
  const auto all = layouts();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(account.peak(8192, all[i]));
    i = i + 1 == all.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
void build_account(benchmark::State& state, const char* name) {
  const auto* m = preset(name);
  for (auto _ : state) {
    const txmath::activation_memory account(*m);
    benchmark::DoNotOptimize(&account);
  }
}
}  // namespace

BENCHMARK_CAPTURE(peak_per_layout, llama_3_1_405b, "llama-3.1-405b");
BENCHMARK_CAPTURE(peak_per_layout, deepseek_v3, "deepseek-v3");
BENCHMARK_CAPTURE(peak_per_layout, gemma_2_9b, "gemma-2-9b");
BENCHMARK_CAPTURE(build_account, llama_3_1_405b, "llama-3.1-405b");
BENCHMARK_CAPTURE(build_account, deepseek_v3, "deepseek-v3");
