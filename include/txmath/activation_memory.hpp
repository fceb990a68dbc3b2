#pragma once
// Activation memory of training, derived from the lowered model (layers.hpp): the bytes the
// forward pass keeps for the backward pass, per device, under a training layout (layout.hpp).
//
//   constexpr txmath::training_layout l{.tp = 8, .pp = 8, .micro_batch = 1, .interleave = 3,
//       .recompute_mode = txmath::recompute::selective, .sequence_parallel = true};
//   txmath::bytes per_layer = txmath::activation_bytes_per_layer(m, 2048, l);
//   txmath::bytes per_gpu = txmath::activation_bytes_per_gpu(m, 2048, l);
//   auto peak = txmath::activation_peak_per_gpu(m, 2048, l, {.dropout = true});  // breakdown
//
// What a layer keeps (detail/saved_tensors.hpp reads it off the lowered einsums):
// - each weight matmul its activation operand (operands that are one tensor, such as the
//   input of q_proj, k_proj and v_proj, count once); weights are not activations;
// - QK^T its q and k, AV its v (k and v at their kv-head size, as grouped-query kernels keep
//   them; eager code that repeats them to n_heads keeps n_heads / n_kv_heads times more);
//   unfused attention also the softmax output and the probabilities AV read (one tensor
//   without dropout; with dropout the dropped-out copy and a 1-byte mask besides), over
//   min(window, seq) keys per query on sliding-window layers (a banded kernel; eager code
//   that masks a full s x s matrix keeps the square); fused attention (FlashAttention, the
//   layout's default) instead one fp32 logsumexp per head per query, whatever the window;
// - every norm its input; the activation function its input (GELU's; a gated FFN's gate and
//   up outputs); MoE: the router's probabilities and the experts' outputs the weighted
//   combine reads; dropout (an option, off by default as in Llama-style training; Megatron's
//   GPT runs have it) a 1-byte mask after the attention and after the FFN;
// - residual adds, biases and RoPE keep nothing; norm statistics (fp32 mean, rstd per row)
//   are counted only on request (Korthikanti et al. do not count them).
// Sharding (Megatron-LM's): tensor parallelism (TP) splits tensors with a head, FFN-width or
// vocabulary index (TP must divide n_kv_heads, or MLA's n_heads, and the FFN widths); the
// others (d_model-wide: norm inputs, the attention and FFN inputs, masks, MLA's latents) are
// whole on every TP rank, or split over them by sequence parallelism (SP); routed experts
// work on tokens gathered over the TP ranks, as MLA's kv_b_proj on its gathered latent, so SP
// does not split those inputs. Expert
// parallelism moves routed tokens between ranks but, with balanced routing, leaves a rank
// top_k copies of its tokens' worth (or its experts' capacity, with a capacity factor).
// Context parallelism (CP) gives each rank seq / cp of the queries (and keeps their keys and
// values).
// Recompute: selective drops what lies inside QK^T-softmax-AV (the softmax output,
// probabilities, their mask, the logsumexp); full keeps only each layer's input.
//
// Per device, the peak is on the most loaded pipeline stage (the first, with uniform
// layers): micro-batches in flight times its layers, plus the embedding's token ids and
// dropout mask on the first model chunk, and the final norm's input, lm_head's input and
// the loss's fp32 logits (vocabulary split over TP) on the last one. 1F1B keeps p - i
// micro-batches in flight on stage i. Interleaved 1F1B with v chunks per stage follows
// Megatron-LM's schedule (detail::peak_passes): 2(p - i - 1) + (v - 1)p forward chunk passes
// of warm-up, then one forward and one backward in turn; the peak is the state of that cycle
// holding the most bytes. With chunks of equal bytes, stage 0 holds p micro-batches of all
// its layers plus p - 1 more of one chunk: Korthikanti et al.'s (1 + (p - 1)/(pv)) factor.
// A step of m micro-batches has at most m v chunk passes in flight (options.micro_batches, a
// multiple of p when interleaved; 0 assumes enough). Model chunk c holds layers
// [c L / (p v), (c + 1) L / (p v)): as even as whole layers allow, the first chunks taking
// the smaller share. Transient buffers (a layer being recomputed, gradients in flight,
// communication buffers) are not counted.
//
// Cross-checks: activations.hpp keeps Korthikanti et al.'s closed form for GPT blocks, which
// this account reproduces exactly (tests/test_activation_memory.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/detail/saved_tensors.hpp>
#include <txmath/layers.hpp>
#include <txmath/layout.hpp>
#include <txmath/model.hpp>
#include <txmath/recompute.hpp>

TXMATH_DEFINE_ERROR(txmath_error_activation_layout_size_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_activation_seq_not_divisible_by_cp_and_tp, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_activation_tensor_parallel_size_must_divide_heads_and_ffn, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_activation_more_pipeline_chunks_than_layers, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_activation_layer_out_of_range, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_activation_too_many_layers, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_activation_interleave_too_large, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_activation_micro_batches_not_divisible_by_pp, invalid_argument)

namespace txmath {

struct activation_memory_options {
  dtype activations = dtype::bf16;  // saved activations (masks: 1 byte; logsumexp, logits: fp32)
  bool dropout = false;             // attention, hidden and embedding dropout (Megatron GPT: on)
  count micro_batches = 0;          // per step and pipeline; 0: enough to fill the pipeline
  // Routed experts: 0 processes top_k copies of every token (dropless, balanced); c > 0 pads
  // every expert to its capacity ceil(tokens * top_k * c / (100 * n_experts)) (GShard).
  std::uint64_t moe_capacity_factor_percent = 0;
  // Norms' per-row statistics (fp32 mean and rstd, or rstd): not counted by default, as in
  // Korthikanti et al.; true counts them.
  bool norm_statistics = false;
};

// Bytes by kind of kept tensor.
struct activation_breakdown {
  bytes by_kind[n_activation_kinds]{};

  [[nodiscard]] constexpr bytes operator[](activation_kind k) const { return by_kind[static_cast<std::size_t>(k)]; }
  constexpr bytes& operator[](activation_kind k) { return by_kind[static_cast<std::size_t>(k)]; }
  [[nodiscard]] constexpr bytes total() const {
    bytes t{};
    for (const bytes& b : by_kind) t += b;
    return t;
  }
  // The layers' part: everything but the embedding's and the head's tensors.
  [[nodiscard]] constexpr bytes layers() const {
    return total() - (*this)[activation_kind::embedding] - (*this)[activation_kind::head];
  }
  constexpr activation_breakdown& add(const activation_breakdown& o, count times = 1) {
    for (std::size_t i = 0; i < n_activation_kinds; ++i) by_kind[i] += o.by_kind[i] * times;
    return *this;
  }
  friend constexpr bool operator==(const activation_breakdown&, const activation_breakdown&) = default;
};

// One tensor a layer keeps, for reports.
struct activation_tensor {
  std::string_view op{};    // the op it belongs to: "q_proj", "scores", "block_norms", "layer"
  std::string_view role{};  // "input", "q", "softmax output", "dropout mask", ...
  activation_kind kind = activation_kind::matmul_input;
  bytes size{};             // on one device, for one micro-batch
};
class activation_tensor_list {
 public:
  static constexpr std::size_t capacity = detail::saved_list::capacity;
  constexpr void push_back(const activation_tensor& t) { items_[n_++] = t; }  // at most capacity
  [[nodiscard]] constexpr const activation_tensor* begin() const { return items_; }
  [[nodiscard]] constexpr const activation_tensor* end() const { return items_ + n_; }
  [[nodiscard]] constexpr std::size_t size() const { return n_; }
  [[nodiscard]] constexpr const activation_tensor& operator[](std::size_t i) const { return items_[i]; }

 private:
  activation_tensor items_[capacity]{};
  std::size_t n_ = 0;
};

// The most loaded pipeline stage at its peak.
struct activation_peak {
  activation_breakdown kept{};  // bytes on one device of that stage
  std::uint64_t stage = 0;      // 0-based
  count layer_passes = 0;       // layer activations held: layers x micro-batches in flight
};

namespace detail {

// The sizes of one micro-batch on one device.
struct activation_shape {
  count tokens = 0;  // micro_batch x seq / cp: this rank's queries
  count seq = 0;     // keys a query sees at most
  count tp = 1;
  bool sp = false;
  unsigned bits = 16;  // the activation dtype
  std::uint64_t capacity_percent = 0;
  std::uint64_t n_experts = 0;
  bool norm_statistics = false;
};

inline std::string activation_where(const char* field, count v) {
  return std::string("txmath: training layout: ") + field + " = " + v.to_string();
}

constexpr void check_tp_split(const saved_tensor& x, count tp) {
  if (x.tp_label == 0 || x.tp_label == 'v' || count(x.tp_size) % tp == 0) return;
  TXMATH_FAIL(txmath_error_activation_tensor_parallel_size_must_divide_heads_and_ffn, invalid_argument,
              activation_where("tp", tp) + " must divide " + std::string(x.tp_field) + " = " +
                  std::to_string(x.tp_size) + " (op '" + std::string(x.op) + "'); pick a tp that divides it");
}

// Rows of a routed-expert tensor: top_k copies of each token, or every expert's capacity.
constexpr count routed_rows(count rows, std::uint64_t top_k, const activation_shape& e) {
  if (e.capacity_percent == 0 || e.n_experts == 0) return rows * top_k;
  const count experts = e.n_experts;
  return experts * ceil_div(rows * top_k * e.capacity_percent, count(100) * experts);
}

constexpr bytes tensor_bytes(const saved_tensor& x, const activation_shape& e) {
  count per_row = x.elements;
  if (x.tp_label == 'v') per_row = ceil_div(per_row, e.tp);  // a padded vocabulary
  else if (x.tp_label != 0) per_row = per_row / e.tp;      // divides: checked
  count rows = e.tokens;
  if (x.pair) rows *= x.window != 0 && count(x.window) < e.seq ? count(x.window) : e.seq;
  else if (x.tp_label == 0 && x.sequence_sharded && e.sp) rows = rows / e.tp;  // divides: checked
  rows = x.routed ? routed_rows(rows, x.copies, e) : rows * x.copies;
  return bytes(ceil_div(per_row * rows * (x.bits != 0 ? x.bits : e.bits), count(8)));
}

// Whether a tensor is kept under a recompute policy and attention implementation.
constexpr bool is_kept(const saved_tensor& x, const activation_shape& e, recompute r, bool flash) {
  if (x.only == (flash ? attention_impl::unfused : attention_impl::fused)) return false;
  if ((r == recompute::full) != x.full_recompute_keeps) return false;
  if (x.norm_statistics && !e.norm_statistics) return false;
  return r != recompute::selective || !x.core_attention;
}

// The bytes a list keeps.
constexpr activation_breakdown kept_bytes(const saved_list& list, const activation_shape& e, recompute r,
                                          bool flash) {
  activation_breakdown out;
  for (const saved_tensor& x : list) {
    check_tp_split(x, e.tp);  // kept or not: the layout must split the layer
    if (is_kept(x, e, r, flash)) out[x.kind] += tensor_bytes(x, e);
  }
  return out;
}

// Model chunks per stage at most (Megatron runs use a handful).
inline constexpr std::uint64_t max_interleave = 64;

constexpr void check_layout(const model_config& m, count seq, const training_layout& l, count micro_batches) {
  const struct { const char* field; count v; } sizes[] = {
      {"seq", seq}, {"tp", l.tp}, {"pp", l.pp}, {"cp", l.cp}, {"dp", l.dp}, {"ep", l.ep},
      {"micro_batch", l.micro_batch}, {"interleave", l.interleave}};
  for (const auto& s : sizes)
    if (s.v == 0)
      TXMATH_FAIL(txmath_error_activation_layout_size_must_be_positive, invalid_argument,
                  activation_where(s.field, s.v) + ": must be positive");
  if (seq % l.cp != 0 || (l.sequence_parallel && (seq / l.cp) % l.tp != 0))
    TXMATH_FAIL(txmath_error_activation_seq_not_divisible_by_cp_and_tp, invalid_argument,
                activation_where("seq", seq) + " must be divisible by cp = " + l.cp.to_string() +
                    (l.sequence_parallel ? " times tp = " + l.tp.to_string() + " (sequence parallel)" : ""));
  if (l.interleave > max_interleave)
    TXMATH_FAIL(txmath_error_activation_interleave_too_large, invalid_argument,
                activation_where("interleave", l.interleave) + " exceeds " + std::to_string(max_interleave) +
                    " model chunks per stage");
  if (l.interleave > 1 && micro_batches % l.pp != 0)
    TXMATH_FAIL(txmath_error_activation_micro_batches_not_divisible_by_pp, invalid_argument,
                "txmath: activation options: micro_batches = " + micro_batches.to_string() +
                    " must be a multiple of pp = " + l.pp.to_string() + " for the interleaved schedule");
  if (l.pp * l.interleave > count(m.n_layers))
    TXMATH_FAIL(txmath_error_activation_more_pipeline_chunks_than_layers, invalid_argument,
                activation_where("pp", l.pp) + " x interleave = " + l.interleave.to_string() +
                    " model chunks exceed n_layers = " + std::to_string(m.n_layers));
}

// The chunk passes stage i holds at its peak, per local chunk, under Megatron-LM's
// schedules, given each chunk's bytes. Plain 1F1B (v = 1) holds min(p - i, m) micro-batches.
// Interleaved 1F1B runs W = 2(p - i - 1) + (v - 1)p forward passes first (all m v if fewer),
// then alternates one forward and one backward pass; forward pass k runs local chunk
// (k / p) % v, backward pass k chunk v - 1 - (k / p) % v. The peak follows a forward of that
// steady phase, whose states repeat every p v steps: with chunks of equal bytes each holds
// W + 1 passes, Korthikanti et al.'s factor; with unequal chunks the mix matters.
constexpr void peak_passes(const training_layout& l, count micro_batches, std::uint64_t i,
                           const count* chunk_bytes, std::uint64_t* held) {
  const std::uint64_t p = l.pp.to_u64(), v = l.interleave.to_u64();
  constexpr std::uint64_t many = std::uint64_t{1} << 62;  // "enough micro-batches"
  const std::uint64_t total = micro_batches == 0 || micro_batches > count(many) / v ? many : (micro_batches * v).to_u64();
  if (v == 1) {
    held[0] = p - i < total ? p - i : total;
    return;
  }
  const std::uint64_t warmup = 2 * (p - i - 1) + (v - 1) * p < total ? 2 * (p - i - 1) + (v - 1) * p : total;
  const std::uint64_t steady = total - warmup < p * v ? total - warmup : p * v;
  // Forward passes of local chunk c among the first n: chunk (k / p) % v runs pass k.
  const auto forwards = [p, v](std::uint64_t n, std::uint64_t c) {
    const std::uint64_t rest = n % (p * v), partial = rest > c * p ? rest - c * p : 0;
    return n / (p * v) * p + (partial < p ? partial : p);
  };
  bool equal = true;
  for (std::uint64_t c = 0; c < v; ++c) {
    held[c] = forwards(warmup + (steady != 0 ? 1 : 0), c);  // the first steady state
    equal = equal && chunk_bytes[c] == chunk_bytes[0];
  }
  if (equal || steady <= 1) return;
  std::uint64_t now[max_interleave];
  count at = 0, best = 0;
  for (std::uint64_t c = 0; c < v; ++c) {
    now[c] = held[c];
    best += chunk_bytes[c] * held[c];
  }
  at = best;
  for (std::uint64_t j = 1; j < steady; ++j) {  // backward j - 1, then forward warmup + j
    const std::uint64_t backward = v - 1 - (j - 1) / p % v, forward = (warmup + j) / p % v;
    if (now[backward] != 0) --now[backward], at -= chunk_bytes[backward];  // (always, in a valid schedule)
    ++now[forward], at += chunk_bytes[forward];
    if (at <= best) continue;
    best = at;
    for (std::uint64_t c = 0; c < v; ++c) held[c] = now[c];
  }
}

}  // namespace detail

// The activation account of one model: lowered once into the tensors each kind of layer
// keeps, then evaluated for any layout.
class activation_memory {
 public:
  // Layers scanned for their kinds, at most (bounded work for any config).
  static constexpr std::uint64_t max_layers = std::uint64_t{1} << 20;

  constexpr explicit activation_memory(const model_config& m, const activation_memory_options& o = {})
      : m_(validate(m)), o_(o) {
    if (m_.n_layers > max_layers)
      TXMATH_FAIL(txmath_error_activation_too_many_layers, invalid_argument,
                  "txmath: model config: n_layers = " + std::to_string(m_.n_layers) +
                      " exceeds the activation account's limit of " + std::to_string(max_layers));
    const lowered_model ops = lower(m_);
    for (std::uint64_t i = 0; i < m_.n_layers; ++i) {
      const std::size_t k = kind_of(m_, i);
      if (!present_[k]) layers_[k] = detail::layer_tensors(m_, ops, i, o_.dropout), present_[k] = true;
    }
    uniform_ = present_[0] + present_[1] + present_[2] + present_[3] == 1;
    embedding_ = detail::embedding_tensors(m_, o_.dropout);
    head_ = detail::head_tensors(m_, ops);
  }

  [[nodiscard]] constexpr const model_config& model() const { return m_; }
  [[nodiscard]] constexpr const activation_memory_options& options() const { return o_; }

  // One block (layer 0-based) and one micro-batch of layout.micro_batch sequences, on one
  // device, by kind.
  [[nodiscard]] constexpr activation_breakdown layer(count seq, const training_layout& l,
                                                     std::uint64_t layer_index = 0) const {
    detail::check_layout(m_, seq, l, o_.micro_batches);
    if (layer_index >= m_.n_layers)
      TXMATH_FAIL(txmath_error_activation_layer_out_of_range, invalid_argument,
                  "txmath: layer " + std::to_string(layer_index) + " is out of range: the model has n_layers = " +
                      std::to_string(m_.n_layers));
    return detail::kept_bytes(layers_[kind_of(m_, layer_index)], shape(seq, l), l.recompute_mode, l.flash_attention);
  }

  // The same, tensor by tensor (those the layout keeps), in the order of the lowering.
  [[nodiscard]] constexpr activation_tensor_list tensors(count seq, const training_layout& l,
                                                         std::uint64_t layer_index = 0) const {
    (void)layer(seq, l, layer_index);  // checks the layout and the index
    const detail::activation_shape e = shape(seq, l);
    activation_tensor_list out;
    for (const detail::saved_tensor& x : layers_[kind_of(m_, layer_index)])
      if (detail::is_kept(x, e, l.recompute_mode, l.flash_attention))
        out.push_back({x.op, x.role, x.kind, detail::tensor_bytes(x, e)});
    return out;
  }

  // The most loaded pipeline stage at its peak, with options.micro_batches per step.
  [[nodiscard]] constexpr activation_peak peak(count seq, const training_layout& l) const {
    return peak(seq, l, o_.micro_batches);
  }
  // The same with m micro-batches per step and pipeline (0: enough to fill it), for searches
  // over how a global batch is split.
  [[nodiscard]] constexpr activation_peak peak(count seq, const training_layout& l, count micro_batches) const {
    detail::check_layout(m_, seq, l, micro_batches);
    const detail::activation_shape e = shape(seq, l);
    activation_breakdown part[6];  // the kinds of layer, the embedding, the head
    count part_total[6]{};
    for (std::size_t k = 0; k < 6; ++k) {
      if (k < 4 && !present_[k]) continue;
      // (Recompute applies to the blocks only.)
      part[k] = detail::kept_bytes(k < 4 ? layers_[k] : k == 4 ? embedding_ : head_, e,
                                   k < 4 ? l.recompute_mode : recompute::none, l.flash_attention);
      part_total[k] = part[k].total().value();
    }
    stage_mix best;
    count best_total = 0;
    for (std::uint64_t i = 0; i < l.pp.to_u64(); ++i) {
      const stage_mix mix = mix_of(l, micro_batches, i, part_total);
      count total = 0;
      for (std::size_t k = 0; k < 6; ++k) total += mix.passes[k] * part_total[k];
      if (i == 0 || total > best_total) best = mix, best_total = total;
    }
    activation_peak out;
    out.stage = best.stage;
    for (std::size_t k = 0; k < 6; ++k) {
      out.kept.add(part[k], best.passes[k]);
      if (k < 4) out.layer_passes += best.passes[k];
    }
    return out;
  }

 private:
  // Layers alike in what they keep: dense or MoE, full or sliding-window attention (what
  // detail::in_layer reads).
  static constexpr std::size_t kind_of(const model_config& m, std::uint64_t i) {
    return (m.is_moe_layer(i) ? 1u : 0u) | (m.is_sliding_layer(i) ? 2u : 0u);
  }

  // What stage i holds at its peak: layer passes of each kind of layer (layers times
  // micro-batches in flight of their chunk), then embedding and head passes (on the first
  // and last model chunks).
  struct stage_mix {
    std::uint64_t stage = 0;
    count passes[6]{};
  };
  constexpr stage_mix mix_of(const training_layout& l, count micro_batches, std::uint64_t i,
                             const count* part_total) const {
    const std::uint64_t p = l.pp.to_u64(), v = l.interleave.to_u64(), chunks = p * v, n_layers = m_.n_layers;
    // (Only the first v entries are used: written before read, not zeroed up front.)
    std::uint64_t of_kind[detail::max_interleave][4], held[detail::max_interleave];
    count chunk_bytes[detail::max_interleave];
    for (std::uint64_t j = 0; j < v; ++j) {
      const std::uint64_t c = j * p + i, first = c * n_layers / chunks, last = (c + 1) * n_layers / chunks;
      for (std::size_t k = 0; k < 4; ++k) of_kind[j][k] = 0;
      chunk_bytes[j] = 0;
      if (uniform_) of_kind[j][kind_of(m_, 0)] = last - first;
      else
        for (std::uint64_t k = first; k < last; ++k) ++of_kind[j][kind_of(m_, k)];
      for (std::size_t k = 0; k < 4; ++k) chunk_bytes[j] += part_total[k] * of_kind[j][k];
      if (c == 0) chunk_bytes[j] += part_total[4];
      if (c + 1 == chunks) chunk_bytes[j] += part_total[5];
    }
    detail::peak_passes(l, micro_batches, i, chunk_bytes, held);
    stage_mix mix;
    mix.stage = i;
    for (std::uint64_t j = 0; j < v; ++j) {
      for (std::size_t k = 0; k < 4; ++k) mix.passes[k] += held[j] * of_kind[j][k];
      if (j * p + i == 0) mix.passes[4] += held[j];
      if (j * p + i + 1 == chunks) mix.passes[5] += held[j];
    }
    return mix;
  }

  constexpr detail::activation_shape shape(count seq, const training_layout& l) const {
    return {.tokens = l.micro_batch * (seq / l.cp), .seq = seq, .tp = l.tp, .sp = l.sequence_parallel,
            .bits = bits_of(o_.activations), .capacity_percent = o_.moe_capacity_factor_percent,
            .n_experts = m_.moe.n_experts, .norm_statistics = o_.norm_statistics};
  }

  model_config m_;
  activation_memory_options o_;
  detail::saved_list layers_[4]{};  // by kind_of, where present
  bool present_[4]{};
  bool uniform_ = false;  // one kind of layer
  detail::saved_list embedding_{}, head_{};
};

// Bytes one block keeps for one micro-batch on one device.
[[nodiscard]] constexpr bytes activation_bytes_per_layer(const model_config& m, count seq, const training_layout& l,
                                                         std::uint64_t layer = 0,
                                                         const activation_memory_options& o = {}) {
  return activation_memory(m, o).layer(seq, l, layer).total();
}

// The peak activation bytes of one device: the most loaded pipeline stage's layers times
// their micro-batches in flight, with the embedding and head tensors that stage keeps.
[[nodiscard]] constexpr bytes activation_bytes_per_gpu(const model_config& m, count seq, const training_layout& l,
                                                       const activation_memory_options& o = {}) {
  return activation_memory(m, o).peak(seq, l).kept.total();
}

// The same, by kind, with the stage and its layer passes.
[[nodiscard]] constexpr activation_peak activation_peak_per_gpu(const model_config& m, count seq,
                                                                const training_layout& l,
                                                                const activation_memory_options& o = {}) {
  return activation_memory(m, o).peak(seq, l);
}

}  // namespace txmath
