#pragma once
// A transformer, described by its shape. The config is an aggregate of plain integers and
// enums, so it is a structural type: usable as a template argument and in static_assert.
//
//   constexpr txmath::model_config m{.vocab = 32000, .d_model = 4096, .n_layers = 32,
//       .attention = {.n_heads = 32, .n_kv_heads = 8}, .ffn = {.d_ff = 14336}};
//
// MHA, MQA and GQA differ only in n_kv_heads (= n_heads, = 1, divides n_heads).
//
// Per-layer patterns. Layers differ in two ways, each a rule plus a list of exceptions:
// - attention: with a window (attention.sliding_window > 0), layer i has it when
//   i % sliding_window_every == 0 and i is not in attention.full_layers; the window is
//   sliding (Mistral, Gemma, gpt-oss) or fixed chunks (Llama 4's chunked attention).
//     Gemma 2 (even layers slide):  .sliding_window = 4096, .sliding_window_every = 2
//     Gemma 3 (5 local : 1 global): .sliding_window = 1024, .full_layers = layer_set::every(6, 5, 62)
//     Llama 4 (3 chunked : 1 NoPE): .sliding_window = 8192, .windowing = window_kind::chunked,
//                                   .full_layers = layer_set::every(4, 3, 48)
// - FFN: in an MoE model, layer i is MoE when i >= moe.first_k_dense, (i - first_k_dense) %
//   moe.every_n == 0 and i is not in moe.dense_layers (Qwen's mlp_only_layers).
// A layer_set lists layers below 256 (a bitmap, so the config stays a structural type);
// deeper layers follow the rule alone.
//
// Bounds: validate() bounds every field (model_limits below) so that every count derived
// from a config is exact: no accessor wraps, and every product the library forms fits the
// checked 128-bit count.
#include <bit>
#include <cstdint>
#include <initializer_list>
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
TXMATH_DEFINE_ERROR(txmath_error_model_field_exceeds_its_limit, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_model_layer_list_names_a_layer_beyond_n_layers, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_model_enum_field_out_of_range, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layer_set_holds_layers_below_256_only, invalid_argument)

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

// How a windowed layer limits the keys a query sees.
enum class window_kind : std::uint8_t {
  sliding,  // the last `sliding_window` keys (Mistral, Gemma, gpt-oss)
  chunked,  // the keys of its own chunk of `sliding_window` tokens (Llama 4)
};
// What one layer's attention sees.
enum class attention_span : std::uint8_t { global, sliding, chunked };

// The largest value of each field validate() accepts: far above any real model, low enough
// that every product the library forms from them stays exact.
namespace model_limits {
inline constexpr std::uint64_t max_vocab = std::uint64_t{1} << 24;      // 16,777,216
inline constexpr std::uint64_t max_width = std::uint64_t{1} << 20;      // d_model, d_ff, ranks
inline constexpr std::uint64_t max_layers = std::uint64_t{1} << 16;     // also every_n, first_k_dense
inline constexpr std::uint64_t max_heads = std::uint64_t{1} << 16;
inline constexpr std::uint64_t max_head_dim = std::uint64_t{1} << 16;
inline constexpr std::uint64_t max_experts = std::uint64_t{1} << 16;   // also top_k, shared experts
inline constexpr std::uint64_t max_positions = std::uint64_t{1} << 32; // windows, position rows
inline constexpr std::uint64_t max_norms_per_layer = 16;
}  // namespace model_limits

// A set of layers below 256, as a bitmap: a structural type, so configs holding it remain
// template arguments. Built with every() for a repeating pattern or of() for a list.
struct layer_set {
  static constexpr std::uint64_t capacity = 256;
  std::uint64_t bits[capacity / 64]{};

  [[nodiscard]] constexpr bool contains(std::uint64_t layer) const {
    return layer < capacity && ((bits[layer / 64] >> (layer % 64)) & 1) != 0;
  }
  [[nodiscard]] constexpr bool empty() const { return bits[0] == 0 && bits[1] == 0 && bits[2] == 0 && bits[3] == 0; }
  // Layers in the set below n.
  [[nodiscard]] constexpr std::uint64_t count_below(std::uint64_t n) const {
    std::uint64_t c = 0;
    for (std::uint64_t w = 0; w < capacity / 64; ++w) {
      const std::uint64_t lo = w * 64;
      if (n <= lo) break;
      const std::uint64_t keep = n - lo >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << (n - lo)) - 1;
      c += static_cast<std::uint64_t>(std::popcount(bits[w] & keep));
    }
    return c;
  }
  // One past the highest layer in the set (0 when empty).
  [[nodiscard]] constexpr std::uint64_t end() const {
    for (std::uint64_t w = capacity / 64; w-- > 0;)
      if (bits[w] != 0) return w * 64 + 64 - static_cast<std::uint64_t>(std::countl_zero(bits[w]));
    return 0;
  }
  constexpr layer_set& insert(std::uint64_t layer) {
    if (layer >= capacity)
      TXMATH_FAIL(txmath_error_layer_set_holds_layers_below_256_only, invalid_argument,
                  "txmath: layer_set: layer " + std::to_string(layer) + " is beyond its capacity of " +
                      std::to_string(capacity) + " layers (0.." + std::to_string(capacity - 1) + ")");
    bits[layer / 64] |= std::uint64_t{1} << (layer % 64);
    return *this;
  }
  [[nodiscard]] static constexpr layer_set of(std::initializer_list<std::uint64_t> layers) {
    layer_set s;
    for (std::uint64_t i : layers) s.insert(i);
    return s;
  }
  // Layers phase, phase + period, phase + 2 period, ... below n_layers (and below 256).
  [[nodiscard]] static constexpr layer_set every(std::uint64_t period, std::uint64_t phase, std::uint64_t n_layers) {
    layer_set s;
    for (std::uint64_t i = phase; period != 0 && i < n_layers && i < capacity; i += period) s.insert(i);
    return s;
  }
  friend constexpr bool operator==(const layer_set&, const layer_set&) = default;
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
  // Per-layer pattern (see the top of this file):
  window_kind windowing = window_kind::sliding;  // what the window of a windowed layer is
  layer_set full_layers{};  // layers without the window although the rule gives it (Gemma 3)
  bool sinks = false;       // gpt-oss: a learned logit per head joins each softmax (n_heads weights)
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
  layer_set dense_layers{};            // layers with the dense FFN although the rule says MoE
  bool expert_bias = false;            // gpt-oss: biases on every routed expert's projections
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
  [[nodiscard]] constexpr std::uint64_t kv_heads() const {
    return attention.n_kv_heads == 0 ? attention.n_heads : attention.n_kv_heads;
  }
  [[nodiscard]] constexpr std::uint64_t head_dim() const {
    return attention.head_dim != 0 ? attention.head_dim
                                   : (attention.n_heads == 0 ? 0 : d_model / attention.n_heads);
  }
  [[nodiscard]] constexpr bool is_moe() const { return moe.n_experts != 0; }
  [[nodiscard]] constexpr std::uint64_t shared_width() const {
    return moe.d_ff_shared != 0 ? moe.d_ff_shared : moe.n_shared_experts * moe.d_ff_expert;
  }
  // Whether layer i (0-based) has an MoE FFN.
  [[nodiscard]] constexpr bool is_moe_layer(std::uint64_t i) const {
    return is_moe() && i < n_layers && moe_by_rule(i) && !moe.dense_layers.contains(i);
  }
  // The layers is_moe_layer() accepts.
  [[nodiscard]] constexpr std::uint64_t n_moe_layers() const {
    if (!is_moe() || n_layers <= moe.first_k_dense) return 0;
    const std::uint64_t by_rule = (n_layers - moe.first_k_dense - 1) / every(moe.every_n) + 1;
    return by_rule - excepted(moe.dense_layers, /*moe_rule=*/true);
  }
  // What layer i's attention sees, and its window (0: the whole context).
  [[nodiscard]] constexpr attention_span attention_span_of(std::uint64_t i) const {
    if (!is_sliding_layer(i)) return attention_span::global;
    return attention.windowing == window_kind::chunked ? attention_span::chunked : attention_span::sliding;
  }
  [[nodiscard]] constexpr std::uint64_t window_of(std::uint64_t i) const {
    return is_sliding_layer(i) ? attention.sliding_window : 0;
  }
  // Whether layer i has the window (sliding or chunked).
  [[nodiscard]] constexpr bool is_sliding_layer(std::uint64_t i) const {
    return i < n_layers && window_by_rule(i) && !attention.full_layers.contains(i);
  }
  // The layers is_sliding_layer() accepts.
  [[nodiscard]] constexpr std::uint64_t n_sliding_layers() const {
    if (attention.sliding_window == 0 || n_layers == 0) return 0;
    const std::uint64_t by_rule = (n_layers - 1) / every(attention.sliding_window_every) + 1;
    return by_rule - excepted(attention.full_layers, /*moe_rule=*/false);
  }

 private:
  // A period of 0 (rejected by validate) reads as 1, so that accessors never divide by 0.
  static constexpr std::uint64_t every(std::uint64_t n) { return n == 0 ? 1 : n; }
  constexpr bool moe_by_rule(std::uint64_t i) const {
    return i >= moe.first_k_dense && (i - moe.first_k_dense) % every(moe.every_n) == 0;
  }
  constexpr bool window_by_rule(std::uint64_t i) const {
    return attention.sliding_window != 0 && i % every(attention.sliding_window_every) == 0;
  }
  // Layers of `s` below n_layers that the MoE (or window) rule would have included.
  constexpr std::uint64_t excepted(const layer_set& s, bool moe_rule) const {
    std::uint64_t c = 0;
    for (std::uint64_t i = 0, end = s.end(); i < end && i < n_layers; ++i)
      if (s.contains(i) && (moe_rule ? moe_by_rule(i) : window_by_rule(i))) ++c;
    return c;
  }
};

namespace detail {
inline std::string field_message(const char* field, std::uint64_t v, const char* why) {
  return std::string("txmath: model config: ") + field + " = " + std::to_string(v) + ": " + why;
}
}  // namespace detail

namespace detail {
// Each check fails with a message naming the field, its value and the limit.
constexpr void check_at_most(std::uint64_t v, std::uint64_t limit, const char* field) {
  if (v > limit)
    TXMATH_FAIL(txmath_error_model_field_exceeds_its_limit, invalid_argument,
                field_message(field, v, ("exceeds txmath's limit of " + std::to_string(limit)).c_str()));
}
constexpr void check_positive(std::uint64_t v, const char* field) {
  if (v == 0)
    TXMATH_FAIL(txmath_error_model_size_must_be_positive, invalid_argument,
                field_message(field, v, "must be positive"));
}
constexpr void check_layers_in_range(const layer_set& s, std::uint64_t n_layers, const char* field) {
  if (s.end() > n_layers)
    TXMATH_FAIL(txmath_error_model_layer_list_names_a_layer_beyond_n_layers, invalid_argument,
                std::string("txmath: model config: ") + field + " lists layer " + std::to_string(s.end() - 1) +
                    ": beyond n_layers = " + std::to_string(n_layers) + " (layers are 0.." +
                    std::to_string(n_layers - 1) + ")");
}
template <class Enum>
constexpr void check_enum(Enum e, Enum last, const char* field) {
  if (static_cast<std::uint64_t>(e) > static_cast<std::uint64_t>(last))
    TXMATH_FAIL(txmath_error_model_enum_field_out_of_range, invalid_argument,
                field_message(field, static_cast<std::uint64_t>(e),
                              ("is not one of its enumerators (0.." + std::to_string(static_cast<std::uint64_t>(last)) +
                               ")").c_str()));
}

// Every field within model_limits, and the enums valid.
constexpr void check_bounds(const model_config& m) {
  using namespace model_limits;
  const auto& a = m.attention;
  const auto& e = m.moe;
  check_at_most(m.vocab, max_vocab, "vocab");
  check_at_most(m.d_model, max_width, "d_model");
  check_at_most(m.n_layers, max_layers, "n_layers");
  check_at_most(a.n_heads, max_heads, "attention.n_heads");
  check_at_most(a.n_kv_heads, max_heads, "attention.n_kv_heads");
  check_at_most(a.head_dim, max_head_dim, "attention.head_dim");
  check_at_most(a.sliding_window, max_positions, "attention.sliding_window");
  check_at_most(a.sliding_window_every, max_layers, "attention.sliding_window_every");
  check_at_most(a.q_lora_rank, max_width, "attention.q_lora_rank");
  check_at_most(a.kv_lora_rank, max_width, "attention.kv_lora_rank");
  check_at_most(a.qk_nope_head_dim, max_head_dim, "attention.qk_nope_head_dim");
  check_at_most(a.qk_rope_head_dim, max_head_dim, "attention.qk_rope_head_dim");
  check_at_most(a.v_head_dim, max_head_dim, "attention.v_head_dim");
  check_at_most(m.ffn.d_ff, max_width, "ffn.d_ff");
  check_at_most(e.n_experts, max_experts, "moe.n_experts");
  check_at_most(e.top_k, max_experts, "moe.top_k");
  check_at_most(e.d_ff_expert, max_width, "moe.d_ff_expert");
  check_at_most(e.n_shared_experts, max_experts, "moe.n_shared_experts");
  check_at_most(e.d_ff_shared, max_width, "moe.d_ff_shared");
  check_at_most(e.first_k_dense, max_layers, "moe.first_k_dense");
  check_at_most(e.every_n, max_layers, "moe.every_n");
  check_at_most(m.norms_per_layer, max_norms_per_layer, "norms_per_layer");
  check_at_most(m.max_positions, max_positions, "max_positions");
  check_at_most(m.position_offset, max_positions, "position_offset");
  check_layers_in_range(a.full_layers, m.n_layers, "attention.full_layers");
  check_layers_in_range(e.dense_layers, m.n_layers, "moe.dense_layers");
  check_enum(a.kind, attention_kind::mla, "attention.kind");
  check_enum(a.qk_norm, qk_norm_kind::full, "attention.qk_norm");
  check_enum(a.windowing, window_kind::chunked, "attention.windowing");
  check_enum(m.ffn.kind, ffn_kind::gated, "ffn.kind");
  check_enum(m.norm, norm_kind::rmsnorm, "norm");
  check_enum(m.position, position_kind::learned, "position");
}
}  // namespace detail

// Checks a config; returns it unchanged so that it can wrap a constant:
//   constexpr auto m = txmath::validate(model_config{...});  // a bad config does not compile
constexpr const model_config& validate(const model_config& m) {
  auto positive = [](std::uint64_t v, const char* field) { detail::check_positive(v, field); };
  positive(m.vocab, "vocab");
  positive(m.d_model, "d_model");
  positive(m.n_layers, "n_layers");
  positive(m.attention.n_heads, "attention.n_heads");
  detail::check_bounds(m);
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
