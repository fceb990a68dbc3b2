// A memory budget the compiler checks: serving Llama-3-8B in bf16 with a KV cache for
// 8 sequences of 8k tokens must fit one 80 GiB H100, or this file does not compile, and the
// error says by how much.
//
// Copy it, change the model, the batch, the context or the dtype, and rebuild. Build it with
// -DTXMATH_SHOW_A_FAILING_BUDGET to see a budget fail (the diagnostics are below).
#include <cstdio>
#include <string>

#include <txmath/budget.hpp>
#include <txmath/core/format.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

// The model: any preset, or your own validated model_config.
constexpr const model_config& llama_3_8b = presets::llama_3_8b;
constexpr count batch = 8;
constexpr count context = 8192;
constexpr const accelerator& gpu = accelerators::h100_sxm;

// weights 14.96 GiB + KV cache 8.00 GiB = 22.96 GiB <= H100 SXM 80.00 GiB (57.04 GiB to spare)
constexpr budget_sum<bytes> serving = budgets::serving_memory(llama_3_8b, context, batch);
TXMATH_BUDGET(serving <= limit(gpu.name, gpu.memory));

// The largest batch of 8k-token sequences the rest of the memory holds must reach the batch.
constexpr bytes weights = serving[0].value;
constexpr count max_batch = (gpu.memory - weights).value() / kv_cache_bytes(llama_3_8b, context, 1).value();
TXMATH_BUDGET(term("8k sequences that fit", max_batch) >= batch);  // 65 >= minimum 8

#ifdef TXMATH_SHOW_A_FAILING_BUDGET
// The same model and cache on a 16 GiB TPU v5e. What each compiler prints (the lines that
// carry the message, copied from a run; long lines wrapped, budget.hpp's line:column as L:C):
//
// g++-12 -std=c++20
//   include/txmath/budget.hpp: In instantiation of 'struct txmath_budget_exceeded<txmath_text<84>{
//     "weights 14.96 GiB + KV cache 8.00 GiB = 22.96 GiB > TPU v5e 16.00 GiB (by 6.96 GiB)"}>':
//   include/txmath/budget.hpp:L:C:   required from 'struct txmath::detail::budget_gate<...>'
//   examples/budget.cpp:55:1:   required from here
//   include/txmath/budget.hpp:L:C: error: static assertion failed: txmath: budget exceeded
//     (the figures are in the template arguments of txmath_budget_exceeded)
//
// clang++-19 -std=c++20 (clang cuts a string template argument after 34 characters, so the
// message travels in pieces of at most 32, cut after an operator)
//   include/txmath/budget.hpp:L:C: error: static assertion failed due to requirement
//     '::txmath::detail::never<txmath_text<21>{"weights 14.96 GiB + "},
//     txmath_text<33>{"KV cache 8.00 GiB = 22.96 GiB > "}, txmath_text<32>{"TPU v5e 16.00 GiB (by 6.96 GiB)"}>':
//     txmath: budget exceeded (the figures are in the template arguments of txmath_budget_exceeded)
//
// clang++-19 -std=c++2c (the C++26 static_assert message, P2741)
//   examples/budget.cpp:55:1: error: static assertion failed due to requirement
//     'txmath_budget_check_2.holds': txmath: budget exceeded: weights 14.96 GiB + KV cache
//     8.00 GiB = 22.96 GiB > TPU v5e 16.00 GiB (by 6.96 GiB)
TXMATH_BUDGET(serving <= limit(accelerators::tpu_v5e.name, accelerators::tpu_v5e.memory));
#endif

int main() {
  const budget_check fits = serving <= limit(gpu.name, gpu.memory);
  std::printf("%s\n", std::string(fits.message.view()).c_str());
  std::printf("KV cache per token %s\n", format_bytes(kv_cache_bytes_per_token(llama_3_8b)).str().c_str());
  std::printf("at most %s sequences of %s tokens fit\n", max_batch.to_string().c_str(),
              context.to_string().c_str());
  // Decoding reads every weight and the whole cache per step: a lower bound on its time.
  const seconds step = serving.total() / gpu.memory_bandwidth;
  std::printf("decode step >= %s (memory-bound)\n", format_seconds(step).str().c_str());
}
