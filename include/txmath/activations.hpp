#pragma once
// The closed form, kept as a named cross-check: activation_memory.hpp derives activation
// bytes from the lowered model for any architecture and layout and reproduces these formulas
// exactly for GPT blocks (tests/test_activation_memory.cpp). Use it for anything else.
//
// Activation memory of training, per transformer layer, after Korthikanti et al. 2022,
// "Reducing Activation Recomputation in Large Transformer Models" (Table 2). With s the
// sequence length, b the micro-batch, h = d_model, a = n_heads, t the tensor-parallel size:
//
//   no recompute              sbh (34 + 5as/h)                   bytes
//   tensor parallel           sbh (10 + 24/t + 5as/(ht))
//   tensor + sequence par.    sbh (34 + 5as/h) / t
//   selective recompute       the 5as/h term goes (attention scores, softmax, its dropout)
//   full recompute            2sbh (only the layer input), 2sbh/t with sequence parallel
//
// The counts assume a GPT-style block (MHA, plain 4h MLP with GELU, dropout): 16-bit
// activations and 1-byte dropout masks. Flash attention never stores the s x s scores, so
// it removes the 5as/h term like selective recompute does (its per-row softmax statistics,
// a*s*b fp32 values, are small and not counted, as in the paper).
//
// Note: EleutherAI's cookbook calc_transformer_mem.py agrees without recompute, but for
// "--checkpoint-activations" it keeps 34sbh per layer (the selective figure); full
// recompute keeps 2sbh.
#include <cstdint>
#include <string>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/model.hpp>
#include <txmath/recompute.hpp>

TXMATH_DEFINE_ERROR(txmath_error_tensor_parallel_size_must_divide_d_model_and_n_heads, invalid_argument)

namespace txmath {

struct activation_options {
  count tensor_parallel = 1;
  bool sequence_parallel = false;  // shards layernorm/dropout activations over the TP ranks
  recompute recompute_mode = recompute::none;
  bool flash_attention = false;    // fused attention: no s x s tensor is stored
};

// Bytes of activations one layer stores for the backward pass, on one tensor-parallel rank.
constexpr bytes activation_bytes_per_layer(count seq, count micro_batch, count d_model, count n_heads,
                                           const activation_options& o = {}) {
  const count t = o.tensor_parallel;
  if (t == 0 || d_model % t != 0 || n_heads % t != 0)
    TXMATH_FAIL(txmath_error_tensor_parallel_size_must_divide_d_model_and_n_heads, invalid_argument,
                "txmath: tensor-parallel size " + t.to_string() + " must divide d_model = " +
                    d_model.to_string() + " and n_heads = " + n_heads.to_string());
  const count sb = seq * micro_batch;
  if (o.recompute_mode == recompute::full)
    return bytes(count(2) * sb * (o.sequence_parallel ? d_model / t : d_model));
  // 5as^2b: scores (2 bytes), softmax dropout mask (1) and output (2), split over heads.
  const bool scores_stored = o.recompute_mode == recompute::none && !o.flash_attention;
  const count scores = scores_stored ? count(5) * (n_heads / t) * seq * sb : count(0);
  // 34sbh = 24sbh inside the tensor-parallel regions + 10sbh outside them (layernorm
  // inputs 4, attention and MLP dropout masks 2, the inputs of QKV and of the MLP 4).
  const count inside = count(24) * sb * (d_model / t);
  const count outside = count(10) * sb * (o.sequence_parallel ? d_model / t : d_model);
  return bytes(inside + outside + scores);
}

// All n_layers layers of `m` (d_model, n_heads), one micro-batch of `micro_batch` sequences.
constexpr bytes activation_bytes(const model_config& m, count seq, count micro_batch,
                                 const activation_options& o = {}) {
  return activation_bytes_per_layer(seq, micro_batch, m.d_model, m.attention.n_heads, o) *
         count(m.n_layers);
}

// The attention-score tensor of naive (unfused) attention, [batch, n_heads, q_len, kv_len]:
// what flash attention avoids materialising.
constexpr bytes attention_scores_bytes(count batch, count n_heads, count q_len, count kv_len,
                                       dtype t = dtype::bf16) {
  return bytes_of(batch * n_heads * q_len * kv_len, t);
}

}  // namespace txmath
