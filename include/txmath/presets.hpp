#pragma once
// Published model shapes, as constants:
//
//   constexpr auto p = txmath::param_count(txmath::presets::llama_3_8b);
//   const txmath::model_config* m = txmath::find_preset("llama-3-8b");
//   for (const auto& e : txmath::preset_list()) e.name ...
//
// Values are those of each model's Hugging Face config.json (or the paper's table where no
// checkpoint exists: GPT-3); the tests check every preset against a published parameter
// count, exact where one exists. Fields that do not change parameters or FLOPs (rope theta,
// context length of rotary models, activation function) are not recorded.
#include <cstddef>
#include <span>
#include <string_view>

#include <txmath/model.hpp>

namespace txmath::presets {

namespace detail {
// GPT-2 / GPT-3 block: LayerNorm, biases everywhere, GELU MLP of 4d, learned positions, tied.
constexpr model_config gpt2_like(std::uint64_t d, std::uint64_t layers, std::uint64_t heads,
                                 std::uint64_t positions, std::uint64_t head_dim = 0) {
  return {.vocab = 50257, .d_model = d, .n_layers = layers,
          .attention = {.n_heads = heads, .head_dim = head_dim, .qkv_bias = true, .o_bias = true},
          .ffn = {.d_ff = 4 * d, .kind = ffn_kind::plain, .bias = true},
          .norm = norm_kind::layernorm, .position = position_kind::learned,
          .max_positions = positions, .tied_embeddings = true};
}
// Pythia (GPT-NeoX): parallel block with two LayerNorms, biases everywhere, rotary, untied.
constexpr model_config pythia(std::uint64_t vocab, std::uint64_t d, std::uint64_t layers,
                              std::uint64_t heads) {
  return {.vocab = vocab, .d_model = d, .n_layers = layers,
          .attention = {.n_heads = heads, .qkv_bias = true, .o_bias = true},
          .ffn = {.d_ff = 4 * d, .kind = ffn_kind::plain, .bias = true},
          .norm = norm_kind::layernorm, .parallel_block = true};
}
// Llama family: RMSNorm, SwiGLU, no biases, rotary, untied.
constexpr model_config llama(std::uint64_t vocab, std::uint64_t d, std::uint64_t layers,
                             std::uint64_t heads, std::uint64_t kv_heads, std::uint64_t d_ff) {
  return {.vocab = vocab, .d_model = d, .n_layers = layers,
          .attention = {.n_heads = heads, .n_kv_heads = kv_heads}, .ffn = {.d_ff = d_ff}};
}
}  // namespace detail

// ---- GPT-2 (HF openai-community/gpt2*, n_positions 1024) ----
inline constexpr model_config gpt2_small = detail::gpt2_like(768, 12, 12, 1024);
inline constexpr model_config gpt2_medium = detail::gpt2_like(1024, 24, 16, 1024);
inline constexpr model_config gpt2_large = detail::gpt2_like(1280, 36, 20, 1024);
inline constexpr model_config gpt2_xl = detail::gpt2_like(1600, 48, 25, 1024);

// The GPT-2 XL shape built as a modern block (CS336 assignment, seed 001): SwiGLU FFN with
// d_ff 6400, RMSNorm, no biases, rotary positions, untied head.
inline constexpr model_config gpt2_xl_swiglu_untied{
    .vocab = 50257, .d_model = 1600, .n_layers = 48, .attention = {.n_heads = 25},
    .ffn = {.d_ff = 6400}};

// ---- GPT-3 (Brown et al. 2020, Table 2.1; n_ctx 2048, d_ff = 4 d_model) ----
// The table's d_head x n_heads differs from d_model for XL (24 x 128) and 13B (40 x 128 vs
// 5140); its parameter counts (1.3B, 13B) need n_heads x d_head = d_model for XL, so XL is
// 16 heads of 128 here; 13B keeps 40 x 128 = 5120 against d_model 5140. GPT-3's alternating
// locally banded sparse layers change no parameter and are not modelled.
inline constexpr model_config gpt3_125m = detail::gpt2_like(768, 12, 12, 2048);
inline constexpr model_config gpt3_350m = detail::gpt2_like(1024, 24, 16, 2048);
inline constexpr model_config gpt3_760m = detail::gpt2_like(1536, 24, 16, 2048);
inline constexpr model_config gpt3_1_3b = detail::gpt2_like(2048, 24, 16, 2048);
inline constexpr model_config gpt3_2_7b = detail::gpt2_like(2560, 32, 32, 2048);
inline constexpr model_config gpt3_6_7b = detail::gpt2_like(4096, 32, 32, 2048);
inline constexpr model_config gpt3_13b = detail::gpt2_like(5140, 40, 40, 2048, 128);
inline constexpr model_config gpt3_175b = detail::gpt2_like(12288, 96, 96, 2048);

// ---- GPT-J-6B: parallel block, one LayerNorm, head_dim 256, biases only in the MLP, untied
// head with a bias ----
inline constexpr model_config gpt_j_6b{
    .vocab = 50400, .d_model = 4096, .n_layers = 28, .attention = {.n_heads = 16, .head_dim = 256},
    .ffn = {.d_ff = 16384, .kind = ffn_kind::plain, .bias = true}, .norm = norm_kind::layernorm,
    .norms_per_layer = 1, .lm_head_bias = true, .parallel_block = true};

// ---- Pythia (EleutherAI/pythia; vocab padded to 50304, 50432 for 6.9B, 50688 for 12B) ----
inline constexpr model_config pythia_70m = detail::pythia(50304, 512, 6, 8);
inline constexpr model_config pythia_160m = detail::pythia(50304, 768, 12, 12);
inline constexpr model_config pythia_410m = detail::pythia(50304, 1024, 24, 16);
inline constexpr model_config pythia_1b = detail::pythia(50304, 2048, 16, 8);
inline constexpr model_config pythia_1_4b = detail::pythia(50304, 2048, 24, 16);
inline constexpr model_config pythia_2_8b = detail::pythia(50304, 2560, 32, 32);
inline constexpr model_config pythia_6_9b = detail::pythia(50432, 4096, 32, 32);
inline constexpr model_config pythia_12b = detail::pythia(50688, 5120, 36, 40);

// ---- OPT-1.3B: ReLU MLP, LayerNorm, biases, learned positions with OPT's 2 extra rows ----
inline constexpr model_config opt_1_3b{
    .vocab = 50272, .d_model = 2048, .n_layers = 24,
    .attention = {.n_heads = 32, .qkv_bias = true, .o_bias = true},
    .ffn = {.d_ff = 8192, .kind = ffn_kind::plain, .bias = true}, .norm = norm_kind::layernorm,
    .position = position_kind::learned, .max_positions = 2048, .position_offset = 2,
    .tied_embeddings = true};

// ---- Llama ----
inline constexpr model_config llama_2_7b = detail::llama(32000, 4096, 32, 32, 32, 11008);
inline constexpr model_config llama_2_13b = detail::llama(32000, 5120, 40, 40, 40, 13824);
inline constexpr model_config llama_2_70b = detail::llama(32000, 8192, 80, 64, 8, 28672);
inline constexpr model_config llama_3_8b = detail::llama(128256, 4096, 32, 32, 8, 14336);
inline constexpr model_config llama_3_70b = detail::llama(128256, 8192, 80, 64, 8, 28672);
inline constexpr model_config llama_3_1_405b = detail::llama(128256, 16384, 126, 128, 8, 53248);

// ---- Mistral ----
inline constexpr model_config mistral_7b = [] {
  auto m = detail::llama(32000, 4096, 32, 32, 8, 14336);
  m.attention.sliding_window = 4096;  // every layer
  return m;
}();
inline constexpr model_config mixtral_8x7b = [] {
  auto m = detail::llama(32000, 4096, 32, 32, 8, 14336);
  m.moe = {.n_experts = 8, .top_k = 2, .d_ff_expert = 14336};
  return m;
}();
inline constexpr model_config mixtral_8x22b = [] {
  auto m = detail::llama(32768, 6144, 56, 48, 8, 16384);
  m.moe = {.n_experts = 8, .top_k = 2, .d_ff_expert = 16384};
  return m;
}();

// ---- Qwen: q/k/v biases (no o bias); Qwen3 drops them for a per-head qk RMSNorm ----
inline constexpr model_config qwen2_5_7b = [] {
  auto m = detail::llama(152064, 3584, 28, 28, 4, 18944);
  m.attention.qkv_bias = true;
  return m;
}();
inline constexpr model_config qwen2_5_72b = [] {
  auto m = detail::llama(152064, 8192, 80, 64, 8, 29568);
  m.attention.qkv_bias = true;
  return m;
}();
inline constexpr model_config qwen3_30b_a3b = [] {
  auto m = detail::llama(151936, 2048, 48, 32, 4, 6144);  // d_ff unused: every layer is MoE
  m.attention.head_dim = 128;
  m.attention.qk_norm = qk_norm_kind::per_head;
  m.moe = {.n_experts = 128, .top_k = 8, .d_ff_expert = 768};
  return m;
}();

// ---- Gemma: head_dim 256, GeGLU, tied; Gemma-2 adds post-norms (4 per layer) and a
// 4096-token window on every other layer ----
inline constexpr model_config gemma_7b = [] {
  auto m = detail::llama(256000, 3072, 28, 16, 16, 24576);
  m.attention.head_dim = 256;
  m.tied_embeddings = true;
  return m;
}();
inline constexpr model_config gemma_2_9b = [] {
  auto m = detail::llama(256000, 3584, 42, 16, 8, 14336);
  m.attention.head_dim = 256;
  m.attention.sliding_window = 4096;
  m.attention.sliding_window_every = 2;
  m.norms_per_layer = 4;
  m.tied_embeddings = true;
  return m;
}();

// ---- Phi-3-mini (4k): a Llama block with fused qkv and gate_up, vocab 32064 ----
inline constexpr model_config phi_3_mini = detail::llama(32064, 3072, 32, 32, 32, 8192);

// ---- Falcon-7B: multi-query attention (71 heads of 64, one kv head), parallel block with one
// LayerNorm, GELU MLP of 4d, no linear biases, tied ----
inline constexpr model_config falcon_7b{
    .vocab = 65024, .d_model = 4544, .n_layers = 32,
    .attention = {.n_heads = 71, .n_kv_heads = 1, .head_dim = 64},
    .ffn = {.d_ff = 18176, .kind = ffn_kind::plain}, .norm = norm_kind::layernorm,
    .norms_per_layer = 1, .tied_embeddings = true, .parallel_block = true};

// ---- OLMo-2-1124-7B: RMSNorm on all of q and all of k, norms after attention and MLP ----
inline constexpr model_config olmo_2_7b = [] {
  auto m = detail::llama(100352, 4096, 32, 32, 32, 11008);
  m.attention.qk_norm = qk_norm_kind::full;
  return m;
}();

// ---- DeepSeek: MLA and fine-grained MoE with shared experts ----
inline constexpr model_config deepseek_v2_lite{
    .vocab = 102400, .d_model = 2048, .n_layers = 27,
    .attention = {.n_heads = 16, .kind = attention_kind::mla, .kv_lora_rank = 512,
                  .qk_nope_head_dim = 128, .qk_rope_head_dim = 64, .v_head_dim = 128},
    .ffn = {.d_ff = 10944},
    .moe = {.n_experts = 64, .top_k = 6, .d_ff_expert = 1408, .n_shared_experts = 2,
            .first_k_dense = 1}};
// DeepSeek-V3 (and R1): the 671B main model; the MTP module (14B more in the checkpoint) is
// not part of it. The router has e_score_correction_bias, a parameter in the HF code.
inline constexpr model_config deepseek_v3{
    .vocab = 129280, .d_model = 7168, .n_layers = 61,
    .attention = {.n_heads = 128, .kind = attention_kind::mla, .q_lora_rank = 1536,
                  .kv_lora_rank = 512, .qk_nope_head_dim = 128, .qk_rope_head_dim = 64,
                  .v_head_dim = 128},
    .ffn = {.d_ff = 18432},
    .moe = {.n_experts = 256, .top_k = 8, .d_ff_expert = 2048, .n_shared_experts = 1,
            .router_bias = true, .first_k_dense = 3}};

// Kimi K2: DeepSeek-V3's architecture with 384 routed experts, 64 heads, one dense layer and a
// 163,840-token vocabulary.
inline constexpr model_config kimi_k2 = [] {
  auto m = deepseek_v3;
  m.vocab = 163840;
  m.attention.n_heads = 64;
  m.moe.n_experts = 384;
  m.moe.first_k_dense = 1;
  return m;
}();

// ---- per-layer patterns ----
// Gemma 3: Gemma-2's block with per-head qk-norms; a sliding window on 5 of every 6 layers
// (layer i is global when (i + 1) % 6 == 0). The 4B is its language model (text_config).
namespace detail {
constexpr model_config gemma3(std::uint64_t vocab, std::uint64_t d, std::uint64_t layers, std::uint64_t heads,
                              std::uint64_t kv_heads, std::uint64_t d_ff, std::uint64_t window) {
  auto m = llama(vocab, d, layers, heads, kv_heads, d_ff);
  m.attention.head_dim = 256;
  m.attention.qk_norm = qk_norm_kind::per_head;
  m.attention.sliding_window = window;
  m.attention.full_layers = layer_set::every(6, 5, layers);
  m.norms_per_layer = 4;
  m.tied_embeddings = true;
  return m;
}
}  // namespace detail
inline constexpr model_config gemma_3_1b = detail::gemma3(262144, 1152, 26, 4, 1, 6912, 512);
inline constexpr model_config gemma_3_4b = detail::gemma3(262208, 2560, 34, 8, 4, 10240, 1024);

// Llama 4 Scout's language model: every layer MoE (16 experts, top-1, plus a shared expert of
// the same width); 8192-token chunked attention except on every 4th (NoPE) layer.
inline constexpr model_config llama_4_scout = [] {
  auto m = detail::llama(202048, 5120, 48, 40, 8, 16384);
  m.attention.head_dim = 128;
  m.attention.sliding_window = 8192;
  m.attention.windowing = window_kind::chunked;
  m.attention.full_layers = layer_set::every(4, 3, 48);
  m.moe = {.n_experts = 16, .top_k = 1, .d_ff_expert = 8192, .n_shared_experts = 1};
  return m;
}();

// gpt-oss: every layer MoE with biased experts and router, biased attention with a sink per
// head, a 128-token window on even layers, untied.
namespace detail {
constexpr model_config gpt_oss(std::uint64_t layers, std::uint64_t experts) {
  return {.vocab = 201088, .d_model = 2880, .n_layers = layers,
          .attention = {.n_heads = 64, .n_kv_heads = 8, .head_dim = 64, .qkv_bias = true, .o_bias = true,
                        .sliding_window = 128, .sliding_window_every = 2, .sinks = true},
          .moe = {.n_experts = experts, .top_k = 4, .d_ff_expert = 2880, .router_bias = true,
                  .expert_bias = true}};
}
}  // namespace detail
inline constexpr model_config gpt_oss_20b = detail::gpt_oss(24, 32);
inline constexpr model_config gpt_oss_120b = detail::gpt_oss(36, 128);

}  // namespace txmath::presets

namespace txmath {

struct preset_entry {
  std::string_view name;
  const model_config* config;
};

// Every preset by name (names of tests/reference/models.json where the model is there).
inline constexpr preset_entry preset_table[] = {
    {"gpt2", &presets::gpt2_small},
    {"gpt2-medium", &presets::gpt2_medium},
    {"gpt2-large", &presets::gpt2_large},
    {"gpt2-xl", &presets::gpt2_xl},
    {"gpt2-xl-swiglu-untied", &presets::gpt2_xl_swiglu_untied},
    {"gpt3-125m", &presets::gpt3_125m},
    {"gpt3-350m", &presets::gpt3_350m},
    {"gpt3-760m", &presets::gpt3_760m},
    {"gpt3-1.3b", &presets::gpt3_1_3b},
    {"gpt3-2.7b", &presets::gpt3_2_7b},
    {"gpt3-6.7b", &presets::gpt3_6_7b},
    {"gpt3-13b", &presets::gpt3_13b},
    {"gpt3-175b", &presets::gpt3_175b},
    {"gpt-j-6b", &presets::gpt_j_6b},
    {"pythia-70m", &presets::pythia_70m},
    {"pythia-160m", &presets::pythia_160m},
    {"pythia-410m", &presets::pythia_410m},
    {"pythia-1b", &presets::pythia_1b},
    {"pythia-1.4b", &presets::pythia_1_4b},
    {"pythia-2.8b", &presets::pythia_2_8b},
    {"pythia-6.9b", &presets::pythia_6_9b},
    {"pythia-12b", &presets::pythia_12b},
    {"opt-1.3b", &presets::opt_1_3b},
    {"llama-2-7b", &presets::llama_2_7b},
    {"llama-2-13b", &presets::llama_2_13b},
    {"llama-2-70b", &presets::llama_2_70b},
    {"llama-3-8b", &presets::llama_3_8b},
    {"llama-3-70b", &presets::llama_3_70b},
    {"llama-3.1-405b", &presets::llama_3_1_405b},
    {"mistral-7b-v0.1", &presets::mistral_7b},
    {"mixtral-8x7b", &presets::mixtral_8x7b},
    {"mixtral-8x22b", &presets::mixtral_8x22b},
    {"qwen2.5-7b", &presets::qwen2_5_7b},
    {"qwen2.5-72b", &presets::qwen2_5_72b},
    {"qwen3-30b-a3b", &presets::qwen3_30b_a3b},
    {"gemma-7b", &presets::gemma_7b},
    {"gemma-2-9b", &presets::gemma_2_9b},
    {"phi-3-mini", &presets::phi_3_mini},
    {"falcon-7b", &presets::falcon_7b},
    {"olmo-2-7b", &presets::olmo_2_7b},
    {"deepseek-v2-lite", &presets::deepseek_v2_lite},
    {"deepseek-v3", &presets::deepseek_v3},
    {"kimi-k2", &presets::kimi_k2},
    {"gemma-3-1b", &presets::gemma_3_1b},
    {"gemma-3-4b", &presets::gemma_3_4b},
    {"llama-4-scout", &presets::llama_4_scout},
    {"gpt-oss-20b", &presets::gpt_oss_20b},
    {"gpt-oss-120b", &presets::gpt_oss_120b},
};

// Other spellings users type.
inline constexpr preset_entry preset_aliases[] = {
    {"gpt2-small", &presets::gpt2_small},
    {"mistral-7b", &presets::mistral_7b},
    {"llama-3.1-8b", &presets::llama_3_8b},
    {"llama-3.1-70b", &presets::llama_3_70b},
    {"olmo-2-1124-7b", &presets::olmo_2_7b},
    {"phi-3-mini-4k", &presets::phi_3_mini},
    {"deepseek-r1", &presets::deepseek_v3},
    {"kimi-k2-instruct", &presets::kimi_k2},
    {"gemma-3-1b-pt", &presets::gemma_3_1b},
    {"gemma-3-4b-it", &presets::gemma_3_4b},
    {"llama-4-scout-17b-16e-instruct", &presets::llama_4_scout},
};

// All presets, each once, by canonical name (for a CLI's list).
constexpr std::span<const preset_entry> preset_list() { return preset_table; }

// A preset by name or alias (exact, lowercase), or nullptr.
constexpr const model_config* find_preset(std::string_view name) {
  for (const auto& e : preset_table)
    if (e.name == name) return e.config;
  for (const auto& e : preset_aliases)
    if (e.name == name) return e.config;
  return nullptr;
}

}  // namespace txmath
