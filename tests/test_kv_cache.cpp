// KV cache: checked against the scaling book (seed 003), DeepSeek's ISCA'25 table, the
// DeepSeek-V2 paper, the Mistral 7B paper and published per-token figures.
#include <doctest/doctest.h>

#include "support.hpp"

#include <txmath/kv_cache.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

namespace {

// Shapes from the presets (each checked against its config.json in test_params).
using presets::deepseek_v3;
using presets::gemma_2_9b;
using presets::llama_2_7b;
using presets::llama_3_1_405b;
using presets::llama_3_8b;
using presets::mistral_7b;
using presets::qwen2_5_72b;
using txmath_test::runtime;
// Seed 003 question 1: D = 4096, L = 64, MHA with N * H = D.
constexpr model_config seed_q1{.vocab = 32000, .d_model = 4096, .n_layers = 64,
                               .attention = {.n_heads = 32}, .ffn = {.d_ff = 16384}};
}  // namespace

// Seed 003, question 1: int8 KV cache per token = 2 * L * N * H = 2 * 64 * 4096 bytes = 512 KiB.
static_assert(kv_cache_bytes_per_token(seed_q1, dtype::int8) == 512_KiB);
// Seed 003, KV-cache paragraph: 8k context, 64 layers, KH = 8192, int8: 2*8192*64*8192 = 8 GiB.
static_assert(kv_cache_bytes(count(64), count(64), count(128), count(8192), dtype::int8) == 8_GiB);

// DeepSeek, "Insights into DeepSeek-V3" (ISCA'25), Table 1, BF16 per token:
// DeepSeek-V3 (MLA) 70.272 KB, Qwen-2.5 72B (GQA) 327.680 KB, LLaMA-3.1 405B 516.096 KB.
static_assert(kv_cache_bytes_per_token(deepseek_v3) == bytes(70'272));
static_assert(kv_cache_bytes_per_token(qwen2_5_72b) == bytes(327'680));
static_assert(kv_cache_bytes_per_token(llama_3_1_405b) == bytes(516'096));
// DeepSeek-V2 paper, Table 1: MLA caches (d_c + d_h^R) l = 9/2 d_h l values per token.
static_assert(kv_values_per_token_per_layer(deepseek_v3) * 2 == count(9 * 128));

// Llama-3(.1)-8B: 128 kB per token in bf16 (as the Cake paper's Table 1 lists it);
// Llama-2-7B (MHA): 512 KiB, four times as much (32 KV heads against 8).
static_assert(kv_cache_bytes_per_token(llama_3_8b) == 128_KiB);
static_assert(kv_cache_bytes_per_token(llama_2_7b) == 512_KiB);
// Per sequence and per batch: 8 sequences of 8k tokens of Llama-3-8B = 8 GiB.
static_assert(kv_cache_bytes(llama_3_8b, 8192, 8) == 8_GiB);
// By dtype: fp8/int8 halve bf16, fp32 doubles it, int4 halves again.
static_assert(kv_cache_bytes(llama_3_8b, 8192, 8, dtype::fp8) == 4_GiB);
static_assert(kv_cache_bytes(llama_3_8b, 8192, 8, dtype::fp32) == 16_GiB);
static_assert(kv_cache_bytes(llama_3_8b, 8192, 8, dtype::int4) == 2_GiB);
// MQA: one KV head -> 1/32 of MHA.
static_assert(kv_cache_bytes_per_token(model_config{
                  .vocab = 32000, .d_model = 4096, .n_layers = 32,
                  .attention = {.n_heads = 32, .n_kv_heads = 1}, .ffn = {.d_ff = 11008}}) * 32 ==
              kv_cache_bytes_per_token(llama_2_7b));

// Sliding window. Mistral 7B paper: with W = 4096 the rolling buffer "on a sequence length
// of 32k tokens ... reduces the cache memory usage by 8x".
static_assert(kv_cache_bytes(mistral_7b, 32768) * 8 ==
              kv_cache_bytes(model_config{mistral_7b.vocab, mistral_7b.d_model, mistral_7b.n_layers,
                                          {.n_heads = 32, .n_kv_heads = 8}, mistral_7b.ffn},
                             32768));
// Below the window nothing changes.
static_assert(kv_cache_bytes(mistral_7b, 4096) == kv_cache_bytes_per_token(mistral_7b) * 4096);
// Gemma-2-9B alternates local (even layers, window 4096) and global layers: at 8192 tokens,
// 21 layers keep 8192 tokens and 21 keep 4096; 2 * 8 * 256 * 2 bytes per token and layer.
static_assert(kv_cache_bytes(gemma_2_9b, 8192) == bytes(21ULL * (8192 + 4096) * 8192));

// Tensor parallel: Llama-3-8B's 8 KV heads over 8 ranks -> 1/8 each; over 16 ranks each
// rank still keeps one head (replicated); MLA's latent is not split.
static_assert(kv_cache_bytes_per_device(llama_3_8b, 8192, 8, 8) * 8 == 8_GiB);
static_assert(kv_cache_bytes_per_device(llama_3_8b, 8192, 8, 16) * 8 == 8_GiB);
static_assert(kv_cache_bytes_per_device(deepseek_v3, 8192, 1, 8) == kv_cache_bytes(deepseek_v3, 8192));

TEST_CASE("KV cache at run time") {
  CHECK(kv_cache_bytes_per_device(runtime(llama_2_7b), 4096, 1, runtime(count(4))) * 4 ==
        kv_cache_bytes(llama_2_7b, 4096));
  CHECK_THROWS_WITH_AS(kv_cache_bytes_per_device(runtime(llama_3_8b), 4096, 1, runtime(count(3))),
                       doctest::Contains("must divide one another"), invalid_argument);
  const model_config m = runtime(llama_3_8b);
  CHECK(kv_cache_bytes(m, runtime(count(8192)), runtime(count(8))) == 8_GiB);
  CHECK(kv_cache_bytes_per_token(runtime(deepseek_v3), runtime(dtype::bf16)) == bytes(70'272));
  CHECK(kv_cached_tokens(runtime(gemma_2_9b), 0, count(10000)) == count(4096));
  CHECK(kv_cached_tokens(runtime(gemma_2_9b), 1, count(10000)) == count(10000));
  // 128k context, batch 1, DeepSeek-V3 in bf16: 70,272 * 131072 bytes = 8.58 GiB.
  CHECK(kv_cache_bytes(runtime(deepseek_v3), count(131072)).to_double() / (1 << 30) ==
        doctest::Approx(8.578125));
}

TEST_CASE("EleutherAI's calculator omits K+V and n_kv_heads") {
  // cookbook/calc/calc_transformer_mem.py: bytes * hidden_size * num_layers * tokens * batch.
  auto eleuther = [](const model_config& m, count tokens) {
    return bytes(count(2) * count(m.d_model) * count(m.n_layers) * tokens);
  };
  // MHA (Llama-2-7B): theirs is exactly half of K plus V.
  CHECK(eleuther(runtime(llama_2_7b), 4096) * 2 == kv_cache_bytes(llama_2_7b, 4096));
  // GQA (Llama-3-8B, 8 of 32 heads): theirs is twice the true size.
  CHECK(eleuther(runtime(llama_3_8b), 4096) == kv_cache_bytes(llama_3_8b, 4096) * 2);
}

TEST_CASE("the widths read from the lowering are the papers' per-layer values, for every preset") {
  // 2 x n_kv_heads x head_dim (K and V), or MLA's kv_lora_rank + qk_rope_head_dim (DeepSeek-V2,
  // Table 1): the closed forms, against the lowering's k/v (or latent) projections.
  for (const auto& e : preset_list()) {
    CAPTURE(e.name);
    const model_config& m = *e.config;
    const count expected = m.attention.kind == attention_kind::mla
                               ? count(m.attention.kv_lora_rank) + m.attention.qk_rope_head_dim
                               : count(2) * m.kv_heads() * m.head_dim();
    CHECK(kv_values_per_token_per_layer(runtime(m)) == expected);
  }
}

TEST_CASE("per-layer windows: Llama 4's chunked layers, Gemma 3's local layers") {
  // Llama 4 Scout at 32k, by hand: 8 kv heads x 128 x 2 = 2048 values per token and layer;
  // 36 chunked layers keep one 8192-token chunk, the 12 NoPE layers all 32,768 tokens.
  CHECK(kv_cache_bytes(runtime(presets::llama_4_scout), count(32768)) ==
        bytes(count(2048) * (36 * 8192 + 12 * 32768) * 2));
  // Below the chunk every layer keeps the whole context.
  CHECK(kv_cache_bytes(runtime(presets::llama_4_scout), count(4096)) == bytes(count(2048) * 48 * 4096 * 2));
  static_assert(kv_cached_tokens(presets::gemma_3_4b, 5, count(100000)) == count(100000));  // global
  static_assert(kv_cached_tokens(presets::gemma_3_4b, 4, count(100000)) == count(1024));    // local
}
