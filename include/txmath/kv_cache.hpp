#pragma once
// KV cache: what autoregressive decoding keeps per token so that it never recomputes the
// keys and values of earlier tokens.
//
// Per token and layer the cache holds
//   MHA / MQA / GQA:  2 * n_kv_heads * head_dim values (K and V: the factor 2)
//   MLA (DeepSeek):   kv_lora_rank + qk_rope_head_dim values: the compressed latent c_KV
//                     and the shared decoupled RoPE key, as DeepSeek-V2 (Table 1) and
//                     vLLM/SGLang cache it; the up-projections are absorbed at decode time.
// The widths are read from the lowering (layers.hpp): the outputs of the ops it marks
// kv_cached (k_proj and v_proj, or MLA's kv_a_proj). A layer with a window keeps at most
// `sliding_window` tokens: a rolling buffer (Mistral, Gemma's local layers, gpt-oss) or the
// current chunk (Llama 4's chunked layers). Which layers have it is the config's per-layer
// pattern (model_config::window_of).
//
// Note: EleutherAI's cookbook calc_transformer_mem.py counts bytes * d_model * n_layers
// per token, without the factor 2 for K and V and without n_kv_heads: half of the MHA
// figure here (and too much for GQA).
#include <cstdint>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/layers.hpp>
#include <txmath/model.hpp>

TXMATH_DEFINE_ERROR(txmath_error_tensor_parallel_size_and_n_kv_heads_must_divide_one_another, invalid_argument)

namespace txmath {

// Values one layer caches per token (independent of the window), from the lowering.
[[nodiscard]] constexpr count kv_values_per_token_per_layer(const lowered_model& ops) {
  count values = 0;
  for (const auto& op : ops)
    if (op.kv_cached) values += op.output_elements;
  return values;
}
constexpr count kv_values_per_token_per_layer(const model_config& m) {
  return kv_values_per_token_per_layer(lower(m));
}

// Bytes of the cache per token over all layers, ignoring sliding windows (the cost of one
// more token while the context is shorter than every window).
constexpr bytes kv_cache_bytes_per_token(const model_config& m, dtype t = dtype::bf16) {
  return bytes_of(kv_values_per_token_per_layer(m) * count(m.n_layers), t);
}

// Tokens layer i keeps for a context of `context` tokens.
constexpr count kv_cached_tokens(const model_config& m, std::uint64_t layer, count context) {
  const std::uint64_t window = m.window_of(layer);
  return window != 0 && context > count(window) ? count(window) : context;
}

// Bytes of the cache of `batch` sequences of `context` tokens each.
constexpr bytes kv_cache_bytes(const model_config& m, count context, count batch = 1,
                               dtype t = dtype::bf16) {
  // Every windowed layer has the same window, so the tokens summed over layers are a product.
  const count windowed(m.n_sliding_layers());
  const count w(m.attention.sliding_window);
  const count kept = windowed * (context > w ? w : context) + (count(m.n_layers) - windowed) * context;
  return bytes_of(kv_values_per_token_per_layer(m) * kept * batch, t);
}

// One tensor-parallel rank's share: the KV heads split over `tp` ranks, at least one head
// per rank (when tp exceeds n_kv_heads each head is replicated, as vLLM does). MLA's latent
// is shared by all heads, so every rank keeps all of it.
constexpr bytes kv_cache_bytes_per_device(const model_config& m, count context, count batch, count tp,
                                          dtype t = dtype::bf16) {
  const bytes all = kv_cache_bytes(m, context, batch, t);
  if (m.attention.kind == attention_kind::mla || tp <= 1) return all;
  const count heads = m.kv_heads();
  if (heads % tp != 0 && tp % heads != 0)
    TXMATH_FAIL(txmath_error_tensor_parallel_size_and_n_kv_heads_must_divide_one_another, invalid_argument,
                "txmath: tensor-parallel size " + tp.to_string() + " and n_kv_heads = " + heads.to_string() +
                    " must divide one another");
  const count per_rank = heads > tp ? heads / tp : count(1);
  return bytes(exact_div(all.value() * per_rank, heads));
}

// The same without a config: n_layers full-attention layers of n_kv_heads x head_dim.
constexpr bytes kv_cache_bytes(count n_layers, count n_kv_heads, count head_dim, count n_tokens,
                               dtype t = dtype::bf16) {
  return bytes_of(count(2) * n_layers * n_kv_heads * head_dim * n_tokens, t);
}

}  // namespace txmath
