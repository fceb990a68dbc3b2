// The layout search: the full search for Llama-3.1-405B on 16,384 H100s (dgx-h100, 8,192
// tokens x 2,048 sequences = 16M tokens a step), with layouts costed per second as a
// counter; the same for DeepSeek-V3 (an MoE: ep searched too) on 2,048 H800-class GPUs; and
// one layout's full evaluation (step time, breakdown, memory with activations).
#include <benchmark/benchmark.h>

#include <txmath/plan.hpp>
#include <txmath/presets.hpp>

namespace {
const txmath::model_config& preset(const char* name) {
  const auto* m = txmath::find_preset(name);
  benchmark::DoNotOptimize(m);
  return *m;
}

void search(benchmark::State& state, const char* name, std::uint64_t gpus, std::uint64_t seq, std::uint64_t batch) {
  const txmath::step_model m(preset(name), {.seq = seq, .global_batch = batch});
  const auto& s = txmath::find_system("dgx-h100");
  std::uint64_t evaluated = 0;
  for (auto _ : state) {
    const auto r = txmath::plan(m, s, {.gpus = gpus, .top = 5});
    evaluated += r.evaluated;
    benchmark::DoNotOptimize(r);
  }
  state.counters["layouts_per_s"] = benchmark::Counter(static_cast<double>(evaluated), benchmark::Counter::kIsRate);
  state.counters["layouts"] = static_cast<double>(evaluated) / static_cast<double>(state.iterations());
}

void one_layout(benchmark::State& state) {
  const txmath::step_model m(preset("llama-3.1-405b"), {.seq = 8192, .global_batch = 2048});
  const auto& s = txmath::find_system("dgx-h100");
  const txmath::training_layout l{.tp = 8, .pp = 16, .dp = 128, .micro_batch = 1, .interleave = 2,
                                  .recompute_mode = txmath::recompute::selective, .sequence_parallel = true, .zero = 1};
  for (auto _ : state) benchmark::DoNotOptimize(m.evaluate(s, l));
}
}  // namespace

BENCHMARK_CAPTURE(search, llama_3_1_405b_16384_h100, "llama-3.1-405b", 16384, 8192, 2048)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(search, deepseek_v3_2048_h100, "deepseek-v3", 2048, 4096, 4096)->Unit(benchmark::kMillisecond);
BENCHMARK(one_layout)->Unit(benchmark::kMicrosecond);
