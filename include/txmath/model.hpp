#pragma once
// A transformer, described by its shape. The config is an aggregate of plain integers and
// enums, so it is a structural type: usable as a template argument and in static_assert.
//
//   constexpr txmath::model_config m{.vocab = 32000, .d_model = 4096, .n_layers = 32,
//       .attention = {.n_heads = 32, .n_kv_heads = 8}, .ffn = {.d_ff = 14336}};
//
// MHA, MQA and GQA differ only in n_kv_heads (= n_heads, = 1, divides n_heads).
#include <cstdint>
#include <string>

#include <txmath/core/error.hpp>

TXMATH_DEFINE_ERROR(txmath_error_model_size_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_model_n_kv_heads_must_divide_n_heads, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_model_d_model_not_divisible_by_n_heads_and_no_head_dim_given, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_model_moe_top_k_exceeds_n_experts, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_model_moe_top_k_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_model_mla_needs_kv_lora_rank_and_head_dims, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_model_first_k_dense_exceeds_n_layers, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_model_learned_positions_need_max_positions, invalid_argument)

namespace txmath {

enum class attention_kind : std::uint8_t {
  standard,  // MHA / MQA / GQA: q, k, v, o projections
  mla,       // DeepSeek multi-head latent attention: low-rank q and joint kv compression
};
enum class qk_norm_kind : std::uint8_t {
  none,
  per_head,  // RMSNorm over head_dim, shared by heads (Qwen3): head_dim weights each for q, k
  full,      // RMSNorm over all of q and all of k (OLMo-2)
};
enum class ffn_kind : std::uint8_t {
  plain,  // up, activation, down: 2 matrices (GPT-2 GELU, OPT ReLU)
  gated,  // gate, up, activation(gate) * up, down: 3 matrices (SwiGLU, GeGLU)
};
enum class norm_kind : std::uint8_t {
  layernorm,  // weight and bias: 2 * d parameters
  rmsnorm,    // weight only: d parameters
};
enum class position_kind : std::uint8_t {
  rotary,   // RoPE (or none / ALiBi): no parameters
  learned,  // a learned table of (max_positions + position_offset) rows
};

struct attention_config {
  std::uint64_t n_heads = 0;
  std::uint64_t n_kv_heads = 0;   // 0 means n_heads (MHA)
  std::uint64_t head_dim = 0;     // 0 means d_model / n_heads
  attention_kind kind = attention_kind::standard;
  bool qkv_bias = false;          // Qwen2 has q/k/v biases and no o bias
  bool o_bias = false;
  qk_norm_kind qk_norm = qk_norm_kind::none;
  std::uint64_t sliding_window = 0;       // 0: every query sees the whole context
  std::uint64_t sliding_window_every = 1; // the window applies on 1 of every n layers (Gemma-2: 2)
  // MLA only (DeepSeek-V2/V3):
  std::uint64_t q_lora_rank = 0;          // 0: a plain q projection
  std::uint64_t kv_lora_rank = 0;
  std::uint64_t qk_nope_head_dim = 0;
  std::uint64_t qk_rope_head_dim = 0;
  std::uint64_t v_head_dim = 0;
};

struct ffn_config {
  std::uint64_t d_ff = 0;
  ffn_kind kind = ffn_kind::gated;
  bool bias = false;
};

struct moe_config {
  std::uint64_t n_experts = 0;         // routed experts; 0 means a dense model
  std::uint64_t top_k = 0;             // routed experts per token
  std::uint64_t d_ff_expert = 0;       // width of one routed expert
  std::uint64_t n_shared_experts = 0;  // always-on experts (DeepSeek, Qwen2-MoE)
  std::uint64_t d_ff_shared = 0;       // total width of the shared MLP; 0: n_shared * d_ff_expert
  bool router_bias = false;
  bool shared_expert_gate = false;     // Qwen2-MoE: a d -> 1 gate on the shared expert
  std::uint64_t first_k_dense = 0;     // the first k layers use the dense FFN (DeepSeek)
  std::uint64_t every_n = 1;           // after those, every n-th layer is MoE (1: all)
};

struct model_config {
  std::uint64_t vocab = 0;
  std::uint64_t d_model = 0;
  std::uint64_t n_layers = 0;
  attention_config attention{};
  ffn_config ffn{};  // the dense FFN (and the dense layers of an MoE model)
  moe_config moe{};
  norm_kind norm = norm_kind::rmsnorm;
  std::uint64_t norms_per_layer = 2;  // 1 for GPT-J / Falcon parallel blocks, 4 for Gemma-2
  bool final_norm = true;
  position_kind position = position_kind::rotary;
  std::uint64_t max_positions = 0;    // rows of the learned position table
  std::uint64_t position_offset = 0;  // extra rows (OPT: 2)
  bool tied_embeddings = false;       // lm_head shares the embedding matrix
  bool lm_head_bias = false;          // GPT-J
  bool parallel_block = false;        // attention and FFN read the same input (GPT-J, Falcon)

  // Derived shapes.
  constexpr std::uint64_t kv_heads() const {
    return attention.n_kv_heads == 0 ? attention.n_heads : attention.n_kv_heads;
  }
  constexpr std::uint64_t head_dim() const {
    return attention.head_dim != 0 ? attention.head_dim
                                   : (attention.n_heads == 0 ? 0 : d_model / attention.n_heads);
  }
  constexpr bool is_moe() const { return moe.n_experts != 0; }
  constexpr std::uint64_t shared_width() const {
    return moe.d_ff_shared != 0 ? moe.d_ff_shared : moe.n_shared_experts * moe.d_ff_expert;
  }
  // Whether layer i (0-based) has an MoE FFN.
  constexpr bool is_moe_layer(std::uint64_t i) const {
    return is_moe() && i >= moe.first_k_dense && (i - moe.first_k_dense) % moe.every_n == 0;
  }
  // Layers first_k_dense, first_k_dense + every_n, ... below n_layers.
  constexpr std::uint64_t n_moe_layers() const {
    if (!is_moe() || n_layers <= moe.first_k_dense) return 0;
    return (n_layers - moe.first_k_dense + moe.every_n - 1) / moe.every_n;
  }
  // Whether layer i uses the sliding window.
  constexpr bool is_sliding_layer(std::uint64_t i) const {
    return attention.sliding_window != 0 && i % attention.sliding_window_every == 0;
  }
  // Layers 0, every, 2 * every, ... below n_layers.
  constexpr std::uint64_t n_sliding_layers() const {
    if (attention.sliding_window == 0) return 0;
    return (n_layers + attention.sliding_window_every - 1) / attention.sliding_window_every;
  }
};

namespace detail {
inline std::string field_message(const char* field, std::uint64_t v, const char* why) {
  return std::string("txmath: model config: ") + field + " = " + std::to_string(v) + ": " + why;
}
}  // namespace detail

// Checks a config; returns it unchanged so that it can wrap a constant:
//   constexpr auto m = txmath::validate(model_config{...});  // a bad config does not compile
constexpr const model_config& validate(const model_config& m) {
  auto positive = [](std::uint64_t v, const char* field) {
    if (v == 0)
      TXMATH_FAIL(txmath_error_model_size_must_be_positive, invalid_argument,
                  detail::field_message(field, v, "must be positive"));
  };
  positive(m.vocab, "vocab");
  positive(m.d_model, "d_model");
  positive(m.n_layers, "n_layers");
  positive(m.attention.n_heads, "attention.n_heads");
  const auto& a = m.attention;
  if (a.kind == attention_kind::standard) {
    if (m.kv_heads() > a.n_heads || a.n_heads % m.kv_heads() != 0)
      TXMATH_FAIL(txmath_error_model_n_kv_heads_must_divide_n_heads, invalid_argument,
                  detail::field_message("attention.n_kv_heads", m.kv_heads(),
                                        ("must divide n_heads = " + std::to_string(a.n_heads)).c_str()));
    if (a.head_dim == 0 && m.d_model % a.n_heads != 0)
      TXMATH_FAIL(txmath_error_model_d_model_not_divisible_by_n_heads_and_no_head_dim_given,
                  invalid_argument,
                  detail::field_message("d_model", m.d_model,
                                        ("is not divisible by n_heads = " + std::to_string(a.n_heads) +
                                         "; give attention.head_dim").c_str()));
  } else {
    if (a.kv_lora_rank == 0 || a.qk_nope_head_dim + a.qk_rope_head_dim == 0 || a.v_head_dim == 0)
      TXMATH_FAIL(txmath_error_model_mla_needs_kv_lora_rank_and_head_dims, invalid_argument,
                  "txmath: model config: MLA attention needs kv_lora_rank, qk_nope_head_dim + "
                  "qk_rope_head_dim and v_head_dim > 0");
  }
  if (m.is_moe()) {
    if (m.moe.top_k == 0)
      TXMATH_FAIL(txmath_error_model_moe_top_k_must_be_positive, invalid_argument,
                  detail::field_message("moe.top_k", 0, "must be positive in an MoE model"));
    if (m.moe.top_k > m.moe.n_experts)
      TXMATH_FAIL(txmath_error_model_moe_top_k_exceeds_n_experts, invalid_argument,
                  detail::field_message("moe.top_k", m.moe.top_k,
                                        ("exceeds moe.n_experts = " + std::to_string(m.moe.n_experts)).c_str()));
    positive(m.moe.d_ff_expert, "moe.d_ff_expert");
    positive(m.moe.every_n, "moe.every_n");
    if (m.moe.first_k_dense > m.n_layers)
      TXMATH_FAIL(txmath_error_model_first_k_dense_exceeds_n_layers, invalid_argument,
                  detail::field_message("moe.first_k_dense", m.moe.first_k_dense,
                                        ("exceeds n_layers = " + std::to_string(m.n_layers)).c_str()));
  }
  if (m.n_moe_layers() < m.n_layers) positive(m.ffn.d_ff, "ffn.d_ff");  // some layer is dense
  if (a.sliding_window != 0) positive(a.sliding_window_every, "attention.sliding_window_every");
  if (m.position == position_kind::learned && m.max_positions == 0)
    TXMATH_FAIL(txmath_error_model_learned_positions_need_max_positions, invalid_argument,
                "txmath: model config: position = learned needs max_positions > 0 (the rows of the "
                "position table)");
  return m;
}

}  // namespace txmath
