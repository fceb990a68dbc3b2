#pragma once
// KV cache: what autoregressive decoding keeps per token so that it never recomputes the
// keys and values of earlier tokens.
//
// Per token and layer the cache holds
//   MHA / MQA / GQA:  2 * n_kv_heads * head_dim values (K and V: the factor 2)
//   MLA (DeepSeek):   kv_lora_rank + qk_rope_head_dim values: the compressed latent c_KV
//                     and the shared decoupled RoPE key, as DeepSeek-V2 (Table 1) and
//                     vLLM/SGLang cache it; the up-projections are absorbed at decode time.
// A sliding-window layer keeps at most `sliding_window` tokens (a rolling buffer, Mistral).
//
// Note: EleutherAI's cookbook calc_transformer_mem.py counts bytes * d_model * n_layers
// per token, without the factor 2 for K and V and without n_kv_heads: half of the MHA
// figure here (and too much for GQA).
#include <cstdint>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/model.hpp>

TXMATH_DEFINE_ERROR(txmath_error_tensor_parallel_size_and_n_kv_heads_must_divide_one_another, invalid_argument)

namespace txmath {

// Values one layer caches per token (independent of the window).
constexpr count kv_values_per_token_per_layer(const model_config& m) {
  if (m.attention.kind == attention_kind::mla)
    return count(m.attention.kv_lora_rank) + count(m.attention.qk_rope_head_dim);
  return count(2) * count(m.kv_heads()) * count(m.head_dim());
}

// Bytes of the cache per token over all layers, ignoring sliding windows (the cost of one
// more token while the context is shorter than every window).
constexpr bytes kv_cache_bytes_per_token(const model_config& m, dtype t = dtype::bf16) {
  return bytes_of(kv_values_per_token_per_layer(m) * count(m.n_layers), t);
}

// Tokens layer i keeps for a context of `context` tokens.
constexpr count kv_cached_tokens(const model_config& m, std::uint64_t layer, count context) {
  if (m.is_sliding_layer(layer) && context > count(m.attention.sliding_window))
    return count(m.attention.sliding_window);
  return context;
}

// Bytes of the cache of `batch` sequences of `context` tokens each.
constexpr bytes kv_cache_bytes(const model_config& m, count context, count batch = 1,
                               dtype t = dtype::bf16) {
  count tokens = 0;  // summed over layers
  for (std::uint64_t i = 0; i < m.n_layers; ++i) tokens += kv_cached_tokens(m, i, context);
  return bytes_of(kv_values_per_token_per_layer(m) * tokens * batch, t);
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
constexpr bytes kv_cache_bytes(count n_layers, count n_kv_heads, count head_dim, count tokens,
                               dtype t = dtype::bf16) {
  return bytes_of(count(2) * n_layers * n_kv_heads * head_dim * tokens, t);
}

}  // namespace txmath
