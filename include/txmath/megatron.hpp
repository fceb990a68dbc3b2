#pragma once
// Megatron-LM compatibility: the training FLOPs Megatron-LM logs and divides by time for its
// TFLOP/s and MFU figures (num_floating_point_operations in megatron/training/training.py,
// transformer path), so that txmath figures can be compared with Megatron's.
//
//   auto f = txmath::megatron_flops(txmath::presets::llama_3_8b, {.seq_len = 8192, .batch = 1});
//
// What Megatron counts, per token, times 3 (forward, wgrad, dgrad) times 2 (FLOPs per MAC):
// - MLP: hidden x ffn x (3 if SwiGLU else 2) for dense layers; for MoE layers the routed
//   experts (moe_ffn x top_k) and shared experts (their total width); no router;
// - attention (MHA/GQA): hidden x (q + k + v) + q x hidden + q x s (QK^T and AV) with
//   q = kv_channels x heads and k = v = kv_channels x groups. Current Megatron halves the
//   q x s term for the causal mask; older releases did not (causal_halving = false);
// - MLA: q (direct or through q_lora_rank, + 1 for its norm), kv_lora_rank x (hidden +
//   heads x (qk + v) + 1), hidden x rope, heads x v x hidden, and the core at s / 2;
// - MTP layers (mtp_num_layers): one more layer each (MoE if the last layer is), their norms
//   and projection (3 h + 2 h^2), and one more logit layer each;
// - logits: hidden x padded vocab (vocab rounded up to make-vocab-size-divisible-by x TP).
// It ignores biases, norms (except MLA's + 1), the router, learned positions, sliding windows
// and qk-norms.
#include <cstdint>

#include <txmath/core/count.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/model.hpp>

namespace txmath {

struct megatron_options {
  std::uint64_t seq_len = 0;
  std::uint64_t batch = 1;
  bool causal_halving = true;            // current Megatron-LM; false: releases before it
  std::uint64_t mtp_num_layers = 0;      // --mtp-num-layers
  std::uint64_t vocab_divisible_by = 128;  // --make-vocab-size-divisible-by x tensor-parallel size
};

// Megatron's padded vocabulary: vocab rounded up to a multiple of vocab_divisible_by.
constexpr count megatron_padded_vocab(std::uint64_t vocab, std::uint64_t divisible_by) {
  const count k = divisible_by == 0 ? count(1) : count(divisible_by);
  return ceil_div(vocab, k) * k;
}

// Megatron-LM's num_floating_point_operations(args, batch_size) for this model.
constexpr txmath::flops megatron_flops(const model_config& cfg, const megatron_options& o) {
  const model_config& m = validate(cfg);
  const count h = m.d_model, s = o.seq_len, mtp = o.mtp_num_layers;
  const count ffn_factor = m.ffn.kind == ffn_kind::gated ? 3 : 2;
  // Layers: MTP layers repeat the last layer's kind.
  count n_moe = m.n_moe_layers(), n_dense = count(m.n_layers) - n_moe;
  if (m.is_moe_layer(m.n_layers - 1)) n_moe += mtp;
  else n_dense += mtp;
  const count n_layers = count(m.n_layers) + mtp;

  // Everything below is twice Megatron's per-token sum, so that its causal / 2 stays exact.
  count mlp = count(m.ffn.d_ff) * ffn_factor * n_dense;
  if (m.is_moe())
    mlp += (count(m.moe.d_ff_expert) * m.moe.top_k + m.shared_width()) * ffn_factor * n_moe;
  count twice = 2 * h * mlp;

  const auto& a = m.attention;
  const count core_div = o.causal_halving ? 1 : 2;  // 2 x (x / 2) = x, or 2 x x
  count attn_x2 = 0;
  if (a.kind == attention_kind::standard) {
    const count q = count(m.head_dim()) * a.n_heads, kv = count(m.head_dim()) * m.kv_heads();
    attn_x2 = 2 * (h * (q + 2 * kv) + q * h) + q * s * 2 * core_div;
  } else {
    const count n = a.n_heads, qk = a.qk_nope_head_dim, rope = a.qk_rope_head_dim, v = a.v_head_dim;
    const count q_term = a.q_lora_rank == 0 ? h * n * (qk + rope) : count(a.q_lora_rank) * (h + n * (qk + rope) + 1);
    attn_x2 = 2 * (q_term + count(a.kv_lora_rank) * (h + n * (qk + v) + 1) + h * rope + n * v * h) +
              (s * n * (qk + rope) + s * n * v) * core_div;
  }
  twice += attn_x2 * n_layers;
  twice += 2 * mtp * (3 * h + 2 * h * h);
  twice += 2 * h * megatron_padded_vocab(m.vocab, o.vocab_divisible_by) * (mtp + 1);

  return txmath::flops(count(o.batch) * s * 3 * twice);  // B s x 3 x 2 x (twice / 2)
}

}  // namespace txmath
