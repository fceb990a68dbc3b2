// A memory budget the compiler checks: serving Llama-3-8B in bf16 with a KV cache for
// 8 sequences of 8k tokens must fit one 80 GiB H100, or this file does not compile.
//
// Copy it, change the model, the batch, the context or the dtype, and rebuild.
#include <cstdio>
#include <string>

#include <txmath/core/format.hpp>
#include <txmath/hardware.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/memory.hpp>
#include <txmath/params.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

// The model: any preset, or your own validated model_config.
constexpr const model_config& llama_3_8b = presets::llama_3_8b;
constexpr params llama_3_8b_params = param_count(llama_3_8b).total;  // 8,030,261,248

constexpr count batch = 8;
constexpr count context = 8192;
constexpr dtype precision = dtype::bf16;
constexpr const accelerator& gpu = accelerators::h100_sxm;

constexpr bytes weights = weight_bytes(llama_3_8b_params, precision);  // 14.96 GiB
constexpr bytes kv = kv_cache_bytes(llama_3_8b, context, batch, precision);  // 8 GiB
static_assert(weights + kv <= 80_GiB, "Llama-3-8B bf16 + KV cache (batch 8, 8k) exceeds 80 GiB");
static_assert(weights + kv <= gpu.memory, "does not fit the chosen accelerator");

// The largest batch of 8k-token sequences the rest of the memory holds.
constexpr count max_batch = (gpu.memory - weights).value() / kv_cache_bytes(llama_3_8b, context, 1, precision).value();
static_assert(max_batch >= batch);

int main() {
  std::printf("weights  %s\n", format_bytes(weights).str().c_str());
  std::printf("KV cache %s (%s per token)\n", format_bytes(kv).str().c_str(),
              format_bytes(kv_cache_bytes_per_token(llama_3_8b, precision)).str().c_str());
  std::printf("total    %s of %s on %s\n", format_bytes(weights + kv).str().c_str(),
              format_bytes(gpu.memory).str().c_str(), std::string(gpu.name).c_str());
  std::printf("at most %s sequences of %s tokens fit\n", max_batch.to_string().c_str(),
              context.to_string().c_str());
  // Decoding reads every weight and the whole cache per step: a lower bound on its time.
  const seconds step = (weights + kv) / gpu.memory_bandwidth;
  std::printf("decode step >= %s (memory-bound)\n", format_seconds(step).str().c_str());
}
