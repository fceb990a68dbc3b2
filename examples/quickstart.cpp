// The README's quick start: a model's figures as constants the compiler checks.
#include <cstdio>
#include <string>

#include <txmath/budget.hpp>
#include <txmath/core/format.hpp>
#include <txmath/flops.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/memory.hpp>

using namespace txmath;
using namespace txmath::literals;

// Exact parameter count of Llama-3-8B (the checkpoint has 8,030,261,248).
constexpr auto p = param_count(presets::llama_3_8b);
static_assert(p.total == params(8'030'261'248));

// Seed 001: a GPT-2 XL-shaped model with SwiGLU, 1024 tokens, forward pass.
static_assert(forward_flops(presets::gpt2_xl_swiglu_untied, {.seq_len = 1024}) == 4'513'336'524'800_flop);

// Serving budget: bf16 weights + KV cache for 8 sequences of 8k tokens fit in 80 GiB.
constexpr bytes weights = weight_bytes(p.total, dtype::bf16);
constexpr bytes kv = kv_cache_bytes(presets::llama_3_8b, 8192, 8);
TXMATH_BUDGET(term("weights", weights) + term("KV cache", kv) <= 80_GiB);

#ifdef TXMATH_SHOW_A_FAILING_BUDGET
// In 16 GiB it does not fit, and the compiler says by how much (the README's quick start
// shows what g++-12 and clang++-19 print).
TXMATH_BUDGET(term("weights", weights) + term("KV cache", kv) <= 16_GiB);
#endif

int main() {
  const auto r = flops_per_step(presets::llama_3_8b, {.seq_len = 8192, .batch = 1});
  std::printf("Llama-3-8B: %s parameters, %s training FLOPs per 8k sequence\n",
              format_count(p.total.value()).str().c_str(), format_sci(r.training.total.to_double()).str().c_str());
  std::printf("%s\n", std::string((term("weights", weights) + term("KV cache", kv) <= 80_GiB).message.view()).c_str());
}
