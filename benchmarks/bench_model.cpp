// A full account of a preset at run time: lowering, parameter count and a training step's
// FLOPs by component. The config is read through a pointer so nothing folds at compile time.
#include <benchmark/benchmark.h>

#include <txmath/flops.hpp>

namespace {
const txmath::model_config* preset(const char* name) {
  const auto* m = txmath::find_preset(name);
  benchmark::DoNotOptimize(m);
  return m;
}

void account(benchmark::State& state, const char* name) {
  const auto* m = preset(name);
  txmath::flop_options o{.seq_len = 8192, .batch = 4};
  for (auto _ : state) {
    const auto ops = txmath::lower(*m);
    const auto p = txmath::param_count(ops, m->tied_embeddings);
    const auto f = txmath::flops_per_step(ops, o);
    benchmark::DoNotOptimize(p);
    benchmark::DoNotOptimize(f);
  }
}
void params_only(benchmark::State& state, const char* name) {
  const auto* m = preset(name);
  for (auto _ : state) benchmark::DoNotOptimize(txmath::param_count(*m));
}
void flops_of_lowered(benchmark::State& state, const char* name) {
  const auto ops = txmath::lower(*preset(name));
  txmath::flop_options o{.seq_len = 8192, .batch = 4};
  for (auto _ : state) benchmark::DoNotOptimize(txmath::flops_per_step(ops, o));
}
}  // namespace

BENCHMARK_CAPTURE(account, llama_3_8b, "llama-3-8b");
BENCHMARK_CAPTURE(account, deepseek_v3, "deepseek-v3");
BENCHMARK_CAPTURE(account, gpt2, "gpt2");
BENCHMARK_CAPTURE(params_only, llama_3_8b, "llama-3-8b");
BENCHMARK_CAPTURE(flops_of_lowered, llama_3_8b, "llama-3-8b");
BENCHMARK_CAPTURE(flops_of_lowered, deepseek_v3, "deepseek-v3");

// A preset's lowering is a compile-time constant; the account at run time is the sums.
namespace {
template <const txmath::model_config& M>
void account_of_constant(benchmark::State& state) {
  const txmath::lowered_model* ops = &txmath::lowered<M>;
  benchmark::DoNotOptimize(ops);
  std::uint64_t t = 8192;
  benchmark::DoNotOptimize(t);
  for (auto _ : state) {
    const auto p = txmath::param_count(*ops, M.tied_embeddings);
    const auto f = txmath::flops_per_step(*ops, {.seq_len = t, .batch = 4});
    benchmark::DoNotOptimize(p);
    benchmark::DoNotOptimize(f);
  }
}
}  // namespace
BENCHMARK(account_of_constant<txmath::presets::llama_3_8b>)->Name("account_of_constant/llama_3_8b");
BENCHMARK(account_of_constant<txmath::presets::deepseek_v3>)->Name("account_of_constant/deepseek_v3");
